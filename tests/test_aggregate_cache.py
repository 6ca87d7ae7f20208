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
