"""Production mode: check --deploy is clean, and every page carries the security headers."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]
PAGES = [
    "/",
    "/interfaces/",
    "/missions/",
    "/findings/",
    "/documents/",
    "/measures/",
    "/matrix/",
    "/compare/",
    "/search/?q=haiti",
    "/questions/",
    "/does-not-exist/",
]


def _environ():
    """The test run's environment without what the browser suite sets for itself."""
    return {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}


def test_check_deploy_is_clean_in_production_mode():
    env = {
        **_environ(),
        "OCPO_ENV": "production",
        "SECRET_KEY": "k" * 30 + "production-secret-for-the-check-only" + "z" * 20,
        "ALLOWED_HOSTS": "ocpo.example.org",
        "DATABASE_URL": "sqlite:///" + str(ROOT / "var" / "deploy-check.sqlite3"),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {**_environ(), "OCPO_ENV": "production", "SECRET_KEY": ""}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES)
def test_every_html_page_has_a_strict_content_security_policy(client, url):
    response = client.get(url)
    assert response.headers["Content-Type"].startswith("text/html")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_production_settings_are_secure():
    """The values production mode sets, read from a settings module imported fresh."""
    env = {**_environ(), "OCPO_ENV": "production", "SECRET_KEY": "s" * 60}
    code = (
        "import ocpo.settings as s, json;"
        "print(json.dumps([s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SESSION_COOKIE_HTTPONLY, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS,"
        " list(s.SECURE_PROXY_SSL_HEADER), s.CACHES['default']['BACKEND']]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    debug, session_secure, csrf_secure, httponly, redirect, hsts, proxy, cache = json.loads(out)
    assert (debug, session_secure, csrf_secure, httponly, redirect) == (
        False,
        True,
        True,
        True,
        True,
    )
    assert hsts >= 31536000
    assert proxy == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert "redis" in cache.lower()
    assert settings.SECURE_CONTENT_TYPE_NOSNIFF
