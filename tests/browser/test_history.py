"""The History tab in a real browser, at 1280 and 390 px: reached from the record page by
its tab, each version dated, old and new values visible side by side, nothing overflowing,
no CSP violation, no serious accessibility problem, and no editor named."""

import pytest
from django.contrib.auth.models import User

from interfaces.models import Finding
from missions.models import Mission
from ocpo.revisions import recorded

from .checks import (
    CSP_LISTENER,
    HEIGHT,
    WIDTHS,
    Watcher,
    full_page_screenshot,
    inspect,
    screenshots_dir,
)

pytestmark = pytest.mark.browser

SLUG = "haiti-police-cocaine-trade"
LONG = "A rewritten summary that runs on " + "and on " * 60 + "to its end."


@pytest.fixture
def edited(site, transactional_db):
    """An editor's edit of a finding: its summary and its missions, in one revision."""
    editor = User.objects.create_user("hidden.editor", first_name="Hidden", last_name="Person")
    finding = Finding.objects.get(slug=SLUG)
    with recorded():
        from reversion import set_user

        set_user(editor)
        finding.summary = LONG
        finding.save()
        finding.missions.set(
            [Mission.objects.get(acronym="MINUSTAH")],
            through_defaults={"basis": "editors", "reason": "The mission deployed in Haiti."},
        )
    return finding


@pytest.mark.parametrize("width", ["wide", "phone"])
def test_the_history_tab_shows_each_change(browser, site, edited, width, tmp_path_factory):
    context = browser.new_context(
        base_url=site.url, viewport={"width": WIDTHS[width], "height": HEIGHT}
    )
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    watcher = Watcher(page, site.url)
    try:
        assert inspect(page, watcher, edited.get_absolute_url()) == []
        page.get_by_role("navigation", name="This record").get_by_role(
            "link", name="History"
        ).click()
        page.wait_for_url(f"**{edited.get_absolute_url()}history/")
        problems = inspect(page, watcher, f"{edited.get_absolute_url()}history/")
        assert problems == [], problems
        latest = page.locator("#version-2")
        assert latest.locator("time").is_visible()
        summary = latest.locator(".diff div", has_text="Summary")
        assert summary.locator("del").is_visible() and summary.locator("ins").is_visible()
        assert LONG in summary.locator("ins").inner_text()
        missions = latest.locator(".diff div", has_text="Missions").locator("ins")
        assert "MINUSTAH" in missions.inner_text()
        text = page.locator("main").inner_text()
        assert "hidden.editor" not in text and "Hidden" not in text
        # Each change fits the window: the new text wraps, nothing runs off the side.
        box = summary.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTHS[width]

        from axe_playwright_python.sync_playwright import Axe

        serious = [
            f"{v['id']} ({v['impact']})"
            for v in Axe().run(page).response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert serious == []
        where = screenshots_dir(tmp_path_factory)
        full_page_screenshot(page, f"{where}/ocpo-history-{width}.png")
    finally:
        context.close()
