"""What every list page shares (ocpo/portal.py): the filter form shows the filters in force.

The round trip here runs without a browser on every test run: each list page and each
filter of its FilterSet (``tests/filter_spellings.py``), in every accepted spelling; the
form as rendered is submitted unchanged, as a browser would, and must give the same list.
The browser suite repeats it by clicking (``tests/browser/test_filter_round_trip.py``).
"""

from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from django.test import RequestFactory

from tests.filter_spellings import list_pages, spellings

pytestmark = pytest.mark.django_db


class FilterForm(HTMLParser):
    """The fields a browser would submit from the page's filter form (class ``filter-form``)."""

    def __init__(self):
        super().__init__()
        self.inside = False
        self.select = None
        self.pairs = []
        self.selected_labels = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and "filter-form" in (attrs.get("class") or ""):
            self.inside = True
        if not self.inside:
            return
        if tag == "select":
            self.select = attrs["name"]
        elif tag == "option" and self.select and "selected" in attrs:
            self.pairs.append((self.select, attrs.get("value", "")))
        elif tag == "input" and attrs.get("type", "text") not in ("checkbox", "submit"):
            self.pairs.append((attrs["name"], attrs.get("value", "")))

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "form":
            self.inside = False


def submitted(html):
    form = FilterForm()
    form.feed(html)
    return form.pairs


def filter_state(view, path, query):
    """The records a list selects for ``query`` and the fields its form would submit."""
    request = RequestFactory().get(f"{path}?{query}")
    instance = view()
    instance.setup(request)
    filterset = instance.get_filterset(view.filterset_class)
    html = "".join(str(field) for field in filterset.form)
    pairs = submitted(f'<form class="filter-form">{html}</form>')
    return [obj.pk for obj in filterset.qs], [(k, v) for k, v in pairs if v.strip()]


def test_submitting_the_form_unchanged_gives_the_same_list(kb):
    """Every list page, every filter, every accepted spelling (generated, not listed)."""
    problems, checked = [], 0
    for path, view in list_pages():
        for queries in spellings(view).values():
            for query in queries:
                expected, pairs = filter_state(view, path, query)
                assert expected, f"{path}?{query} selects nothing: it would prove nothing"
                again, _ = filter_state(view, path, urlencode(pairs))
                checked += 1
                if again != expected:
                    problems.append(
                        f"{path}?{query}: {len(expected)} records; the form shows {pairs} "
                        f"and gives {len(again)}"
                    )
    assert checked > 50
    assert problems == [], "\n".join(problems)


def test_the_issue_example_shows_both_filters_selected(client, kb):
    response = client.get("/findings/?interface=2&country=HTI")
    html = response.content.decode()
    assert response.context["result_count"] == 3
    assert '<option value="oc-undermines-security" selected>' in html
    assert '<option value="HTI" selected>' in html
    chips = [(c["label"], c["value"]) for c in response.context["active_filters"]]
    assert chips == [("Interface", "2. Organized Crime undermines security"), ("Country", "Haiti")]


def test_empty_parameters_are_dropped_by_a_redirect(client, kb):
    response = client.get("/documents/?kind=resolution&symbol=&date_after=&page=")
    assert response.status_code == 302
    assert response["Location"] == "/documents/?kind=resolution"
    assert client.get("/documents/?symbol=")["Location"] == "/documents/"


def test_an_unknown_key_is_named_and_stays_in_the_form(client, kb):
    response = client.get("/findings/?mission=XXXX")
    html = response.content.decode()
    assert response.context["result_count"] == 0
    assert "No mission “XXXX” exists." in html
    assert '<option value="XXXX" selected>XXXX (no such mission)</option>' in html
    assert "No mission" not in client.get("/findings/?mission=unmil").content.decode()
