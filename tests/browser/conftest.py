"""Browser tests: Playwright (sync API) drives Debian's Chromium against the live server.

They skip when Playwright or Chromium is missing, except where ``OCPO_REQUIRE_BROWSER=1``
(CI): there a missing browser fails the run instead.
"""

import os
import shutil

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run
# inside one unless told that this test process knows what it is doing.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("OCPO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def _unavailable(reason):
    if os.environ.get("OCPO_REQUIRE_BROWSER", "") not in ("", "0", "false"):
        pytest.fail(f"OCPO_REQUIRE_BROWSER is set but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install playwright)")
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        _unavailable(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def site(transactional_db, live_server):
    """The live server with the real knowledge base (or a factory world before it exists)."""
    try:
        call_command("load_kb", verbosity=0)
    except CommandError:
        from tests.factories import make_world

        make_world(5)
    return live_server


@pytest.fixture
def page(browser, site):
    """A fresh page whose console errors and uncaught exceptions are collected."""
    context = browser.new_context(base_url=site.url, bypass_csp=True)
    page = context.new_page()
    page.console_errors = []
    page.on(
        "console",
        lambda message: (
            page.console_errors.append(message.text) if message.type == "error" else None
        ),
    )
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    page.on(
        "response",
        lambda r: page.console_errors.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    yield page
    context.close()
