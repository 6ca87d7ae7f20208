"""The test harness itself: skips that must not hide failures, and the fast settings."""

import os

import pytest
from django.contrib.auth.hashers import get_hasher
from django.core.management.base import CommandError


def test_async_unsafe_is_off_outside_the_browser_suite():
    """The ORM's async-safety check stays on for every test that does not drive Playwright."""
    assert "DJANGO_ALLOW_ASYNC_UNSAFE" not in os.environ


def test_browser_site_fails_when_the_knowledge_base_cannot_load(monkeypatch):
    """No fallback to generated data: a broken knowledge base fails the browser tests."""
    from tests.browser import conftest as browser_conftest

    def broken(*args, **kwargs):
        raise CommandError("fixtures/missions.yaml: record 3: broken")

    monkeypatch.setattr(browser_conftest, "call_command", broken)
    with pytest.raises(CommandError, match="broken"):
        browser_conftest.load_site_data()


def test_tests_hash_passwords_with_a_fast_hasher():
    assert get_hasher().algorithm == "md5"


def test_make_mutants_copies_every_local_app():
    """mutmut copies only ``source_paths``: an app missing there breaks every mutant run."""
    import tomllib
    from pathlib import Path

    from django.apps import apps

    root = Path(__file__).resolve().parents[1]
    config = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["mutmut"]
    local = {
        app.name.split(".")[0]
        for app in apps.get_app_configs()
        if Path(app.path).resolve().is_relative_to(root)
        and "site-packages" not in Path(app.path).parts
    }
    assert "missions" in local
    assert local <= set(config["source_paths"])
