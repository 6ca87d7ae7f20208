"""The portal in a real browser: navigation, filters, matrix, search, CSV, accessibility."""

import csv
import io
import re

import pytest

pytestmark = pytest.mark.browser

MAIN_PAGES = [
    "/",
    "/interfaces/oc-fuels-conflict/",
    "/missions/",
    "/missions/MINUSTAH/",
    "/documents/",
    "/measures/",
    "/findings/",
    # A finding repeating Annex examples, the editors' links marked among them.
    "/findings/liberia-sierra-leone-resource-measures/",
    "/matrix/",
    "/compare/?missions=UNMIK,MINUSTAH",
    "/search/?q=Haiti",
]
OTHER_PAGES = [
    "/interfaces/",
    "/countries/",
    "/countries/HTI/",
    "/questions/",
    "/police-functions/",
    "/findings/?interface=oc-fuels-conflict",
]


def test_home_to_interface_to_mission_to_measure_by_clicking(page):
    page.goto("/")
    page.get_by_role("link", name="Peace Operations combat Organized Crime").first.click()
    page.wait_for_url(re.compile(r"/interfaces/[\w-]+/$"))
    assert page.locator("h1").inner_text() == "Peace Operations combat Organized Crime"
    page.locator("a.tag-mission", has_text=re.compile(r"^UNMIL$")).first.click()
    page.wait_for_url("**/missions/UNMIL/")
    assert "UNMIL" in page.locator("h1").inner_text()
    page.get_by_role("link", name="Control ports and airports").first.click()
    page.wait_for_url(re.compile(r"/measures/[\w-]+/$"))
    assert page.locator("h1").inner_text() == "Control ports and airports"
    assert page.get_by_text("Monrovia Freeport").first.is_visible()
    assert page.console_errors == []


def test_filter_applied_and_removed(page):
    page.goto("/missions/")
    total = int(page.get_by_test_id("result-count").inner_text())
    # Collapsed behind its summary ("Host country: all of" is another select).
    assert not page.get_by_label("Host country", exact=True).is_visible()
    page.locator("details.filters > summary").click()
    page.get_by_label("Host country", exact=True).select_option("HTI")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**/missions/?*country=HTI*")
    assert page.locator("table.list-table tbody th a").all_inner_texts() == ["MINUSTAH"]
    assert int(page.get_by_test_id("result-count").inner_text()) == 1
    chip = page.get_by_role("link", name="Remove filter Host country: Haiti")
    assert chip.is_visible()
    chip.click()
    page.wait_for_url(lambda url: "country=" not in url)
    assert int(page.get_by_test_id("result-count").inner_text()) == total


def test_matrix_cell_leads_to_the_list_it_counts(page):
    page.goto("/matrix/")
    cell = page.locator("table.matrix td a[data-count]").first
    count = int(cell.get_attribute("data-count"))
    cell.click()
    page.wait_for_url("**/findings/?interface=*&mission=*")
    assert int(page.get_by_test_id("result-count").inner_text()) == count
    assert page.locator("article.finding").count() == count


def test_search_from_the_header(page):
    page.goto("/missions/")
    page.get_by_label("Search the knowledge base").fill("Monrovia Freeport")
    page.get_by_label("Search the knowledge base").press("Enter")
    page.wait_for_url("**/search/?q=Monrovia*")
    measures = page.locator("section.search-group", has=page.locator("h2#measures"))
    assert measures.get_by_role("link", name="Control ports and airports").is_visible()
    assert page.locator("mark").count() > 0


def test_csv_download_carries_the_filters(page):
    page.goto("/findings/?interface=oc-fuels-conflict")
    count = int(page.get_by_test_id("result-count").inner_text())
    href = page.get_by_role("link", name="Download CSV").get_attribute("href")
    assert href == "/api/v1/findings/?format=csv&interface=oc-fuels-conflict"
    response = page.request.get(href)
    assert response.ok
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text())))
    assert len(rows) == count
    assert {row["interface"] for row in rows} == {"oc-fuels-conflict"}
    api = page.get_by_role("link", name="Same query in the API").get_attribute("href")
    assert api == "/api/v1/findings/?interface=oc-fuels-conflict"


def test_every_page_loads_without_console_errors(page):
    problems = []
    for path in MAIN_PAGES + OTHER_PAGES:
        response = page.goto(path)
        if response.status != 200 or page.locator("main h1").count() != 1:
            problems.append(f"{path}: status {response.status}, one h1 expected")
        problems += [f"{path}: {error}" for error in page.console_errors]
        page.console_errors.clear()
    assert problems == [], "\n".join(problems)


def test_main_pages_have_no_serious_accessibility_violations(page):
    """axe-core on each main page: nothing of impact serious or critical."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    serious = []
    for path in MAIN_PAGES:
        page.goto(path)
        for violation in axe.run(page).response["violations"]:
            if violation["impact"] in ("serious", "critical"):
                targets = [node["target"] for node in violation["nodes"]][:5]
                serious.append(f"{path}: {violation['id']} ({violation['impact']}) {targets}")
    assert serious == [], "\n".join(serious)


def test_keyboard_reaches_the_skip_link_first(page):
    page.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"


def test_screenshots_of_home_and_mission_profile(page, tmp_path):
    """Pictures to look at (kept in pytest's temporary folder), and print hides the nav."""
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/")
    page.screenshot(path=tmp_path / "ocpo-home.png", full_page=True)
    page.goto("/missions/MINUSTAH/")
    page.screenshot(path=tmp_path / "ocpo-mission.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=tmp_path / "ocpo-mission-phone.png", full_page=True)
    page.emulate_media(media="print")
    page.screenshot(path=tmp_path / "ocpo-mission-print.png", full_page=True)
    assert not page.locator("nav.main-nav").is_visible()  # print hides the navigation


def test_matrix_fits_at_1280_and_keeps_its_first_column_at_390(page):
    """Issue 10, item 5: no needless sideways scroll on a wide screen; on a phone the row
    heads stay in view while the table scrolls."""
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/matrix/")
    boxes = page.locator(".matrix-scroll")
    assert boxes.count() >= 2
    for i in range(boxes.count()):
        overflow = boxes.nth(i).evaluate("box => box.scrollWidth - box.clientWidth")
        assert overflow <= 1, f"matrix {i + 1} scrolls {overflow} px at 1280 px"
    page.set_viewport_size({"width": 390, "height": 844})
    box = boxes.first
    head = box.locator("tbody th").first
    left = box.evaluate("box => box.getBoundingClientRect().left")
    box.evaluate("box => { box.scrollLeft = 300; }")
    assert box.evaluate("box => box.scrollLeft") > 0
    assert abs(head.bounding_box()["x"] - left) <= 1
    assert head.is_visible()


def test_phone_navigation_filters_annex_and_home(page):
    """Issue 10, item 13 at 390 px: every navigation item on screen, the filter form folded
    behind what is in force, the Annex's examples on screen, one search box at home."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/findings/?interface=2&country=HTI")
    links = page.locator("nav.main-nav a")
    assert links.count() == 9
    for i in range(links.count()):
        box = links.nth(i).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, links.nth(i).inner_text()
    assert not page.locator("form.filter-form").is_visible()
    summary = page.locator("details.filters > summary").inner_text()
    assert "2 in force" in summary and "Haiti" in summary
    page.goto("/measures/")
    examples = page.get_by_role("columnheader", name="Examples")
    box = examples.bounding_box()
    assert box["x"] + box["width"] <= 390
    page.goto("/")
    assert page.get_by_role("search").count() == 1
