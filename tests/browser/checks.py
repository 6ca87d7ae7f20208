"""What a person would see go wrong on a page, measured in the browser (shared by the crawls).

Each check returns a list of problems (strings), empty when the page is fine, so a crawl can
report every problem of every page at once instead of stopping at the first.
"""

import os
from urllib.parse import parse_qsl, urlsplit

from django.urls import Resolver404, resolve

WIDTHS = {"wide": 1280, "phone": 390}
HEIGHT = 900

# Collects Content Security Policy violations from the moment a document starts, before any
# of the page's own scripts run (Playwright injects init scripts outside the page's CSP).
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`);
});
"""

# Every visible table: the grid of its visible cells (rowspan and colspan counted), and each
# body cell's box compared with the box of the header cell of its column.
TABLE_ALIGNMENT = """
() => {
  const shown = (el) => el.getClientRects().length > 0
    && getComputedStyle(el).visibility !== 'hidden';
  const problems = [];
  document.querySelectorAll('main table').forEach((table, t) => {
    if (!shown(table) || !table.tHead || !shown(table.tHead)) return;
    const rows = Array.from(table.rows).filter(shown);
    const grid = rows.map(() => []);
    rows.forEach((row, r) => {
      let c = 0;
      for (const cell of row.cells) {
        if (!shown(cell)) continue;
        while (grid[r][c]) c++;
        for (let dr = 0; dr < Math.max(cell.rowSpan, 1) && r + dr < rows.length; dr++) {
          for (let dc = 0; dc < cell.colSpan; dc++) grid[r + dr][c + dc] = cell;
        }
        c += cell.colSpan;
      }
    });
    const headRows = rows.filter((row) => row.parentElement === table.tHead);
    if (!headRows.length) return;
    const h = rows.indexOf(headRows[headRows.length - 1]);
    const name = table.querySelector('caption')?.innerText.trim() || `table ${t + 1}`;
    rows.forEach((row, r) => {
      if (row.parentElement === table.tHead) return;
      grid[r].forEach((cell, c) => {
        const head = grid[h][c];
        if (!head || cell === head || cell.colSpan > 1 || head.colSpan > 1) return;
        if (cell.parentElement !== row) return;  // a rowspan cell is checked on its own row
        const a = cell.getBoundingClientRect(), b = head.getBoundingClientRect();
        if (Math.abs(a.left - b.left) > 2 || Math.abs(a.right - b.right) > 2) {
          problems.push(`${name}: "${cell.innerText.trim().slice(0, 30)}" (row ${r}) is at `
            + `x ${Math.round(a.left)}-${Math.round(a.right)}, its header `
            + `"${head.innerText.trim().slice(0, 30)}" at x `
            + `${Math.round(b.left)}-${Math.round(b.right)}`);
        }
      });
    });
  });
  return problems;
}
"""

PAGE_STATE = """
() => ({
  scrollWidth: document.documentElement.scrollWidth,
  clientWidth: document.documentElement.clientWidth,
  mainText: (document.querySelector('main')?.innerText || '').trim().length,
  csp: window.__cspViolations || [],
})
"""


def route_of(url):
    """A URL's pattern: the view's name and the names of its query parameters."""
    parts = urlsplit(url)
    try:
        name = resolve(parts.path).view_name
    except Resolver404:
        name = parts.path
    return name, tuple(sorted({key for key, _ in parse_qsl(parts.query)}))


class Watcher:
    """Listens to one browser page: console errors, failed responses, requests elsewhere."""

    def __init__(self, page, origin):
        self.page = page
        self.origin = origin
        self.problems = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"uncaught: {error}"))
        page.on("request", self._request)
        page.on("response", self._response)

    def _console(self, message):
        if message.type == "error":
            self.problems.append(f"console error: {message.text}")

    def _request(self, request):
        url = request.url
        if url.startswith(("data:", "blob:", "about:")):
            return
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != self.origin:
            self.problems.append(f"request to another host: {url}")

    def _response(self, response):
        if response.status >= 400:
            self.problems.append(f"{response.status} for {response.url}")

    def take(self):
        problems, self.problems = self.problems, []
        return problems


def inspect(page, watcher, path):
    """Load ``path`` and return what is wrong with it as a person would see it."""
    response = page.goto(path)
    problems = []
    if response is None or response.status != 200:
        problems.append(f"status {response.status if response else 'none'}")
    state = page.evaluate(PAGE_STATE)
    if state["mainText"] == 0:
        problems.append("the main content is empty")
    if state["scrollWidth"] > state["clientWidth"] + 1:
        problems.append(
            f"the page scrolls sideways: {state['scrollWidth']} px wide in a "
            f"{state['clientWidth']} px window"
        )
    problems += [f"CSP violation: {v}" for v in state["csp"]]
    problems += page.evaluate(TABLE_ALIGNMENT)
    problems += watcher.take()
    return problems


def full_page_screenshot(page, path):
    """The whole page as an image, for a person to look at. Chromium now and then answers
    "Unable to capture screenshot" for a page it has just drawn (once in CI, a 5,937 px page
    it captured at once when tried alone): one more try, then the error."""
    from playwright.sync_api import Error

    try:
        page.screenshot(path=path, full_page=True)
    except Error as error:
        if "Unable to capture screenshot" not in str(error):
            raise
        page.wait_for_timeout(500)
        page.screenshot(path=path, full_page=True)


def screenshots_dir(tmp_path_factory):
    """Where the suite keeps its screenshots: ``OCPO_SCREENSHOTS_DIR`` or pytest's tmp."""
    where = os.environ.get("OCPO_SCREENSHOTS_DIR")
    if where:
        os.makedirs(where, exist_ok=True)
        return where
    return str(tmp_path_factory.mktemp("screenshots"))
