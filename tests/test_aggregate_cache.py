"""Counts over the whole knowledge base are kept until the data changes (datastate.memoized)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from interfaces.models import Finding, Interface
from ocpo.datastate import bump_data_state
from tests import factories as f

pytestmark = pytest.mark.django_db


def _get(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(queries)


@pytest.mark.parametrize("url", ["/", "/matrix/"])
def test_counts_are_computed_once_per_data_state(kb, client, settings, url):
    settings.OCPO_AGGREGATE_CACHE = True
    _, first = _get(client, url)
    _, again = _get(client, url)
    assert again < first


def test_a_write_shows_at_once(kb, client, settings):
    settings.OCPO_AGGREGATE_CACHE = True
    before, first = _get(client, "/")
    total = Finding.objects.count()
    assert f"<strong>{total}</strong> findings" in before.content.decode()
    f.make_finding(interface=Interface.objects.first())
    bump_data_state()  # what the write's signal does once its transaction commits
    after, recount = _get(client, "/")
    assert f"<strong>{total + 1}</strong> findings" in after.content.decode()
    assert recount == first


def test_without_the_setting_every_request_counts(kb, client):
    _, first = _get(client, "/")
    _, again = _get(client, "/")
    assert again == first


def _cell_html(response, url):
    html = response.content.decode()
    start = html.index(f'href="{url.replace("&", "&amp;")}"')
    return html[start : html.index("</td>", start)]


def test_a_write_shows_in_the_matrix_tables_at_once(kb, client, settings):
    """The tables are rendered once per data state, with their counts (``matrix_with_table``):
    a new finding shows in its cell on the next request, not after the memo expires."""
    settings.OCPO_AGGREGATE_CACHE = True
    before, _ = _get(client, "/matrix/")
    row = before.context["interface_matrix"]["rows"][0]
    cell = next(c for c in row["cells"] if c["count"])
    assert f'data-count="{cell["count"]}"' in _cell_html(before, cell["url"])
    f.make_finding(interface=row["head"], missions=[cell["column"]])
    bump_data_state()
    after, _ = _get(client, "/matrix/")
    assert f'data-count="{cell["count"] + 1}"' in _cell_html(after, cell["url"])
