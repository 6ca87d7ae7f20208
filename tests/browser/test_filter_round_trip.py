"""Every list page and every filter, clicked through in the browser (issue 10, item 3).

For each list page found in the URLconf and each filter of its FilterSet, in each spelling
the API accepts (``tests/filter_spellings.py``: the key, another case, the number, two
values repeated and comma-separated): load the list, open the filter form, press "Apply
filters" without changing anything, and the list must be the same records, the count the
FilterSet gives, and the new address free of empty parameters.
"""

from urllib.parse import parse_qsl, urlsplit

import pytest
from django.http import QueryDict

from tests.filter_spellings import list_pages, spellings

pytestmark = pytest.mark.browser

PAGES = list_pages()

RECORD_LINKS = """
() => Array.from(document.querySelectorAll('main a[href]'))
  .filter((a) => !a.closest('details.filters, .list-status, .pagination, .note, .cite-this'))
  .map((a) => a.getAttribute('href'))
"""


def shown(page):
    return int(page.get_by_test_id("result-count").inner_text()), page.evaluate(RECORD_LINKS)


@pytest.mark.parametrize("path, view", PAGES, ids=[path for path, _ in PAGES])
def test_submitting_each_filter_unchanged_keeps_the_list(page, path, view):
    problems = []
    for queries in spellings(view).values():
        for query in queries:
            url = f"{path}?{query}"
            filterset = view.filterset_class(QueryDict(query), queryset=view.queryset)
            expected = filterset.qs.count()
            page.goto(url)
            before = shown(page)
            if before[0] != expected:
                problems.append(f"{url}: shows {before[0]}, the FilterSet selects {expected}")
            page.locator("details.filters > summary").click()
            with page.expect_navigation():
                page.get_by_role("button", name="Apply filters").click()
            after = shown(page)
            if after != before:
                problems.append(f"{url}: {before[0]} records, then {page.url}: {after[0]}")
            empty = [key for key, value in parse_qsl(urlsplit(page.url).query, True) if not value]
            if empty:
                problems.append(f"{url}: submitted with empty parameters {empty}")
    assert page.console_errors == []
    assert problems == [], "\n".join(problems)
