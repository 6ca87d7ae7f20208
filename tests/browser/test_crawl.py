"""A person's tour of the portal: every page reachable from ``/`` by links, at two widths.

From the home page the crawl follows every internal link (the admin and the API excepted:
the API reference pages are checked on their own). Pages are grouped by URL pattern (view
and query parameter names) and at most ``PER_ROUTE`` of each are visited, which keeps the
tour to a minute or two while still reaching every kind of page. On each page, at 1280 px
and at 390 px: status 200, no console error, no CSP violation (the real policy, not
bypassed), no request to another host, main content present, no sideways scroll of the
page, and every table's cells under their column headers. The first page of each pattern is
photographed at both widths (``OCPO_SCREENSHOTS_DIR`` or pytest's temporary folder).
"""

from urllib.parse import urldefrag, urlsplit

import pytest

from .checks import (
    CSP_LISTENER,
    HEIGHT,
    WIDTHS,
    Watcher,
    full_page_screenshot,
    inspect,
    route_of,
    screenshots_dir,
)

pytestmark = pytest.mark.browser

PER_ROUTE = 2
MAX_PAGES = 150
SKIPPED_PREFIXES = ("/admin/", "/api/", "/static/", "/healthz")


def internal_links(page, origin):
    # A link that declares another type (the Atom feed) leads to no page: feeds have tests
    # of their own.
    hrefs = page.eval_on_selector_all(
        "a[href]:not([download]):not([type]), a[href][type='text/html']:not([download])",
        "links => links.map((a) => a.href)",
    )
    links = []
    for href in hrefs:
        url, _ = urldefrag(href)
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != origin:
            continue
        if parts.path.startswith(SKIPPED_PREFIXES):
            continue
        links.append(url[len(origin) :])
    return links


@pytest.fixture
def strict_page(browser, site):
    """A page under the site's real Content Security Policy, watched for problems."""
    context = browser.new_context(
        base_url=site.url, viewport={"width": WIDTHS["wide"], "height": HEIGHT}
    )
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    page.watcher = Watcher(page, site.url)
    yield page
    context.close()


def crawl(page):
    """Every reachable page at most ``PER_ROUTE`` per pattern, with problems at the wide width."""
    origin = page.watcher.origin
    # The search page is reached by the form on every page, not by a link.
    queue = ["/", "/search/?q=Haiti"]
    seen, per_route, visited = set(queue), {}, {}
    while queue and len(visited) < MAX_PAGES:
        path = queue.pop(0)
        route = route_of(path)
        if per_route.get(route, 0) >= PER_ROUTE:
            continue
        per_route[route] = per_route.get(route, 0) + 1
        visited[path] = inspect(page, page.watcher, path)
        for link in internal_links(page, origin):
            if link not in seen:
                seen.add(link)
                queue.append(link)
    return visited


def test_every_page_reachable_from_home_at_both_widths(strict_page, tmp_path_factory):
    page = strict_page
    shots = screenshots_dir(tmp_path_factory)
    problems = []
    visited = crawl(page)
    photographed = set()
    for path, found in visited.items():
        problems += [f"{WIDTHS['wide']} px {path}: {p}" for p in found]
    page.set_viewport_size({"width": WIDTHS["phone"], "height": HEIGHT})
    for path in visited:
        problems += [f"{WIDTHS['phone']} px {path}: {p}" for p in inspect(page, page.watcher, path)]
    for path in visited:
        route = route_of(path)
        if route in photographed:
            continue
        photographed.add(route)
        name = "-".join(filter(None, [route[0].replace(":", "_"), *route[1]]))
        for label, width in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": HEIGHT})
            page.goto(path)
            full_page_screenshot(page, f"{shots}/{name}@{label}.png")
    print(f"\ncrawled {len(visited)} pages of {len(photographed)} patterns; screenshots in {shots}")
    routes = {route_of(path)[0] for path in visited}
    for expected in (
        "home",
        "matrix",
        "compare",
        "search",
        "interfaces:interface_list",
        "interfaces:interface_detail",
        "interfaces:finding_list",
        "interfaces:finding_detail",
        "interfaces:question_list",
        "missions:mission_list",
        "missions:mission_detail",
        "missions:country_list",
        "missions:country_detail",
        "missions:document_list",
        "missions:document_detail",
        "measures:measure_list",
        "measures:measure_detail",
        "measures:police_function_list",
    ):
        if expected not in routes:
            problems.append(f"no link leads to any {expected} page")
    assert problems == [], "\n".join(problems)


def test_api_reference_renders_under_the_policy(strict_page):
    """Swagger UI under the real CSP: its operations listed, nothing blocked or fetched elsewhere.

    ReDoc is not offered (its styles are injected inline, which the policy blocks): its
    address answers 404 and no page links to it.
    """
    page = strict_page
    problems = []
    for width in WIDTHS.values():
        page.set_viewport_size({"width": width, "height": HEIGHT})
        response = page.goto("/api/v1/docs/")
        page.wait_for_selector(".opblock-summary", timeout=20_000)
        page.wait_for_load_state("networkidle")
        if response.status != 200:
            problems.append(f"{width} px: status {response.status}")
        operations = page.locator(".opblock-summary").count()
        if operations < 40:  # 11 resources, 3 to 6 operations each
            problems.append(f"{width} px: {operations} operations listed")
        if not page.get_by_text("/api/v1/findings/", exact=True).first.is_visible():
            problems.append(f"{width} px: the findings list is not shown")
        problems += [
            f"{width} px: CSP violation: {v}" for v in page.evaluate("window.__cspViolations || []")
        ]
        problems += [f"{width} px: {p}" for p in page.watcher.take()]
    assert problems == [], "\n".join(problems)
    assert page.request.get("/api/v1/redoc/").status == 404
