"""Abuse limits: anonymous API reads are rate-limited, logins throttled, bodies bounded."""

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.core.cache import cache
from django.test import Client, RequestFactory

from ocpo.throttling import AnonReadThrottle

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def three_a_minute(settings):
    """Three a day, in fact: counts are per fixed window, and a test crossing a minute's
    boundary would start a new one."""
    settings.OCPO_API_ANON_RATE = "3/day"
    settings.OCPO_PAGE_ANON_RATE = "3/day"
    cache.clear()


def test_anonymous_api_reads_are_rate_limited(client, three_a_minute):
    statuses = [client.get("/api/v1/missions/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_forwarded_for_header_does_not_reset_the_count(client, three_a_minute):
    """With no trusted proxy, X-Forwarded-For is the client's word and is not believed."""
    for n in range(3):
        client.get("/api/v1/missions/", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    response = client.get("/api/v1/missions/", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert response.status_code == 429


def test_editors_are_not_limited_by_the_anonymous_rate(client, three_a_minute):
    client.force_login(User.objects.create_user("ed"))
    statuses = {client.get("/api/v1/missions/").status_code for _ in range(5)}
    assert statuses == {200}


def test_repeated_failed_logins_lock_the_account_out(client, settings):
    User.objects.create_superuser("admin", password="the-right-password-1")
    statuses = [
        client.post(
            "/admin/login/", {"username": "admin", "password": "wrong"}, REMOTE_ADDR="10.0.0.9"
        ).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    # The form again, with an error, until the limit; the failure that reaches it locks.
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    response = client.post(
        "/admin/login/",
        {"username": "admin", "password": "the-right-password-1"},
        REMOTE_ADDR="10.0.0.9",
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_successful_login_is_not_throttled(client):
    User.objects.create_superuser("admin", password="the-right-password-1")
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "admin", "password": "the-right-password-1"}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"]


def test_request_bodies_are_bounded(client):
    User.objects.create_superuser("admin", password="x")
    client.force_login(User.objects.get(username="admin"))
    body = "{" + '"text": "' + "x" * (2 * 1024 * 1024) + '"}'
    response = client.post("/api/v1/questions/", body, content_type="application/json")
    assert response.status_code == 413


def test_anonymous_pages_are_rate_limited_too(client, three_a_minute):
    responses = [client.get("/findings/") for _ in range(4)]
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert int(responses[-1].headers["Retry-After"]) > 0
    assert "Too many requests" in responses[-1].content.decode()
    # Another address has its own count; the API has its own rate.
    assert client.get("/findings/", REMOTE_ADDR="192.0.2.1").status_code == 200
    assert client.get("/api/v1/missions/").status_code == 200


def test_answers_from_the_page_cache_are_not_counted(client, three_a_minute, settings):
    settings.OCPO_ANONYMOUS_CACHE = True
    statuses = {client.get(url).status_code for url in ["/findings/", "/"] for _ in range(10)}
    assert statuses == {200}  # two renders counted, eighteen cached answers free
    assert [client.get(f"/findings/?page={n}").status_code for n in (1, 2)] == [200, 429]


def test_editors_are_not_limited_by_the_page_rate(client, three_a_minute):
    client.force_login(User.objects.create_user("ed"))
    assert {client.get("/findings/").status_code for _ in range(5)} == {200}


def _concurrent_allowances(throttle_class, threads=8, each=25):
    request = RequestFactory().get("/api/v1/missions/", REMOTE_ADDR="198.51.100.3")
    request.user = AnonymousUser()
    allowed = []
    start = threading.Barrier(threads)

    def hammer():
        start.wait()
        for _ in range(each):
            allowed.append(throttle_class().allow_request(request, None))

    workers = [threading.Thread(target=hammer) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sum(allowed), len(allowed)


def test_the_count_is_atomic_under_concurrent_requests(own_redis, settings):
    """200 requests from 8 threads against a real Redis: exactly the rate passes.

    DRF's own throttle (read a list, append, write back) let 196-200 of them through.
    """
    settings.OCPO_API_ANON_RATE = "50/day"
    assert _concurrent_allowances(AnonReadThrottle) == (50, 200)


def test_the_count_is_atomic_in_local_memory_too(settings):
    settings.OCPO_API_ANON_RATE = "50/day"
    assert _concurrent_allowances(AnonReadThrottle) == (50, 200)


def _proxy_settings(settings):
    """The axes and DRF settings production mode derives from OCPO_NUM_PROXIES=1."""
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "OCPO_NUM_PROXIES": "1",
    }
    names = [
        "AXES_IPWARE_PROXY_ORDER",
        "AXES_IPWARE_PROXY_COUNT",
        "AXES_IPWARE_META_PRECEDENCE_ORDER",
        "AXES_LOCKOUT_PARAMETERS",
    ]
    code = f"import ocpo.settings as s, json; print(json.dumps([getattr(s, n) for n in {names}]))"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    for name, value in zip(names, json.loads(out), strict=True):
        setattr(settings, name, value)


def _login(client, username, password, address, spoofed=""):
    """A login through the proxy: it appends the address it saw to X-Forwarded-For."""
    forwarded = f"{spoofed}, {address}" if spoofed else address
    return client.post(
        "/admin/login/",
        {"username": username, "password": password},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def test_behind_the_proxy_a_lockout_holds_only_the_address_that_failed(client, settings):
    """Five wrong passwords from one address must not lock the editor out for everyone."""
    _proxy_settings(settings)
    User.objects.create_superuser("admin", password="the-right-password-1")
    statuses = [
        _login(client, "admin", "wrong", "203.0.113.5").status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses[-1] == 429
    assert _login(client, "admin", "the-right-password-1", "203.0.113.5").status_code == 429
    other = _login(Client(), "admin", "the-right-password-1", "198.51.100.8")
    assert other.status_code == 302


def test_a_forged_forwarded_for_does_not_escape_the_lockout(client, settings):
    _proxy_settings(settings)
    User.objects.create_superuser("admin", password="the-right-password-1")
    statuses = [
        _login(client, "admin", "wrong", "203.0.113.5", spoofed=f"192.0.2.{n}").status_code
        for n in range(settings.AXES_FAILURE_LIMIT + 2)
    ]
    assert statuses[settings.AXES_FAILURE_LIMIT - 1 :] == [429, 429, 429]


def test_password_spraying_across_accounts_locks_the_address(client, settings):
    """Four guesses on each of five accounts from one address: locked after the limit."""
    _proxy_settings(settings)
    for n in range(5):
        User.objects.create_user(f"editor{n}", password=f"the-right-password-{n}", is_staff=True)
    statuses = [
        _login(client, f"editor{n}", f"guess-{guess}", "203.0.113.7").status_code
        for guess in range(4)
        for n in range(5)
    ]
    limit = settings.AXES_FAILURE_LIMIT
    assert statuses[: limit - 1] == [200] * (limit - 1)
    assert set(statuses[limit - 1 :]) == {429}
    # Another address can still log in to any of these accounts.
    assert _login(Client(), "editor0", "the-right-password-0", "198.51.100.9").status_code == 302
