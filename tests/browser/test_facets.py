"""Facet counts and "all of" filters on the list pages, in the browser at 1280 and 390 px.

Under the site's real Content Security Policy: the counts are in the options a person
picks from, readable at both widths, and choosing two missions under "Match all of several
values" lists only the findings about both.
"""

import re

import pytest

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

PAGES = ["/findings/?interface=2&country=HTI", "/missions/", "/measures/?country=LBR"]


@pytest.fixture
def strict_page(browser, site):
    context = browser.new_context(
        base_url=site.url, viewport={"width": WIDTHS["wide"], "height": HEIGHT}
    )
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    page.watcher = Watcher(page, site.url)
    yield page
    context.close()


def option_texts(page, name):
    return page.locator(f'form.filter-form select[name="{name}"] option').all_text_contents()


def test_counts_beside_each_option_at_both_widths(strict_page, tmp_path_factory):
    page = strict_page
    shots = screenshots_dir(tmp_path_factory)
    problems = []
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": HEIGHT})
        for path in PAGES:
            problems += [f"{width} px {path}: {p}" for p in inspect(page, page.watcher, path)]
            page.locator("details.filters > summary").click()
            select = page.locator("form.filter-form select").first
            box, form = select.bounding_box(), page.locator("form.filter-form").bounding_box()
            if box["x"] + box["width"] > form["x"] + form["width"] + 1:
                problems.append(f"{width} px {path}: the first select overflows the form")
            name = re.sub(r"\W+", "-", path.strip("/?")).strip("-")
            full_page_screenshot(page, f"{shots}/facets-{name}@{label}.png")
            page.locator("form.filter-form").screenshot(
                path=f"{shots}/facets-{name}-form@{label}.png"
            )
    page.set_viewport_size({"width": WIDTHS["phone"], "height": HEIGHT})
    page.goto("/findings/?interface=2&country=HTI")
    countries = option_texts(page, "country")
    assert "(3) Haiti" in countries
    assert all(re.match(r"\(\d+\) ", text) for text in countries), countries
    assert problems == [], "\n".join(problems)


def test_match_all_lists_only_records_with_every_value(strict_page):
    page = strict_page
    page.goto("/findings/")
    any_of = int(page.get_by_test_id("result-count").inner_text())
    page.locator("details.filters > summary").click()
    page.locator("details.match-all > summary").click()
    page.get_by_label("Country: all of").select_option(["LBR", "SLE"])
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**/findings/?*country__all=*")
    both = int(page.get_by_test_id("result-count").inner_text())
    page.goto("/findings/?country=LBR,SLE")
    either = int(page.get_by_test_id("result-count").inner_text())
    assert 0 < both < either < any_of
    # The form shows the "all of" filter in force, opened, and the chip names it.
    page.goto("/findings/?country__all=LBR,SLE")
    page.locator("details.filters > summary").click()
    assert page.locator("details.match-all").get_attribute("open") is not None
    selected = page.locator('select[name="country__all"] option:checked').all_text_contents()
    assert [text.split(") ", 1)[1] for text in selected] == ["Liberia", "Sierra Leone"]
    assert page.get_by_role("link", name="Remove filter Country: all of: Liberia").is_visible()
    assert page.watcher.take() == []
