"""Browser tests: Playwright (sync API) drives Debian's Chromium against the live server.

They skip when Playwright or Chromium is missing, except where ``OCPO_REQUIRE_BROWSER=1``
(CI): there a missing browser fails the run instead.
"""

import os
import shutil

import pytest
from django.core.management import call_command

CHROMIUM = os.environ.get("OCPO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def _unavailable(reason):
    if os.environ.get("OCPO_REQUIRE_BROWSER", "") not in ("", "0", "false"):
        pytest.fail(f"OCPO_REQUIRE_BROWSER is set but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    """Chromium for one test module.

    Playwright's sync API keeps an event loop running in this thread for as long as it is
    started, and Django's ORM refuses to run inside one. ``DJANGO_ALLOW_ASYNC_UNSAFE`` is
    therefore set exactly while Playwright runs, and the browser is module-scoped so that
    the loop (and the switch) end before the rest of the suite runs.
    """
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install playwright)")
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        _unavailable(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    with pytest.MonkeyPatch.context() as mp, sync_playwright() as playwright:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def load_site_data():
    """The bundled knowledge base, loaded as ``make run`` loads it. No fallback: if it
    cannot be loaded the browser tests fail instead of passing on generated data."""
    call_command("load_kb", verbosity=0)


@pytest.fixture
def site(browser, transactional_db, live_server):
    """The live server with the real knowledge base (the browser comes first, so the
    database is flushed before Playwright's loop and its async-unsafe switch end)."""
    load_site_data()
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
