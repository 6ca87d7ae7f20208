"""CSV export read in bulk (ocpo.csv_export): the same rows as the serializer gives, fewer queries.

Every list's CSV must equal its JSON list (every row, serialized record by record with its
prefetches) written as CSV: the bulk reading is a way to read, never a second definition
of the columns.
"""

from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from interfaces.models import Finding
from interfaces.serializers import FindingSerializer
from ocpo import csv_export
from ocpo.api import router

pytestmark = pytest.mark.django_db

REGISTRY = [(prefix, viewset) for prefix, viewset, _ in router.registry]


@pytest.fixture
def world(kb):
    """The bundled records and synthetic ones beside them: many links per record."""
    call_command("generate_scale_data", factor=1, seed=3, verbosity=0)


def _export(client, prefix):
    response = client.get(f"/api/v1/{prefix}/", {"format": "csv"})
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode()


@pytest.mark.parametrize("prefix, viewset", REGISTRY, ids=[p for p, _ in REGISTRY])
def test_csv_rows_equal_the_serialized_list(world, client, monkeypatch, prefix, viewset):
    exported = _export(client, prefix)

    def unsupported(field, *args):
        raise csv_export.Unsupported(field)

    monkeypatch.setattr(csv_export, "_column", unsupported)  # record by record, as before
    serialized = _export(client, prefix)
    assert serialized.count("\n") >= 3  # a header and at least two records
    assert exported == serialized


def _request():
    return Request(APIRequestFactory().get("/api/v1/findings/", HTTP_HOST="testserver"))


def test_findings_are_read_in_bulk_with_queries_independent_of_the_rows(world, monkeypatch):
    serializer = FindingSerializer(context={"request": _request()})

    def record_by_record(instance):
        raise AssertionError("serialized record by record")

    monkeypatch.setattr(serializer, "to_representation", record_by_record)
    queryset = Finding.objects.for_api_list()
    with CaptureQueriesContext(connection) as queries:
        fieldnames, rows = csv_export.csv_rows(serializer, queryset, "slug", chunk_size=50)
        rows = list(rows)
    assert len(rows) == Finding.objects.count() > 100
    # One query, one per relation and chunk for the links with their basis, and on a
    # database without arrays one per many-to-many link and chunk; never the serializer's
    # prefetches (8 per chunk) nor a query per row (``quotation_speaker`` reads the
    # quoted document joined in the main query).
    per_chunk = 4 if connection.vendor == "postgresql" else 8
    chunks = -(-len(rows) // 50)
    selects = [q["sql"] for q in queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    assert len(selects) == 1 + per_chunk * chunks, [sql[:80] for sql in selects][:10]


def test_a_key_with_reserved_characters_is_rendered_by_the_field_itself():
    serializer = FindingSerializer(context={"request": _request()})
    column = csv_export.IdentityUrl(serializer.fields["url"])
    odd = "a b+é"
    expected = serializer.fields["url"].to_representation(SimpleNamespace(slug=odd))
    assert column.value({"slug": odd}) == expected
    assert column.value({"slug": "plain-key"}) == "http://testserver/api/v1/findings/plain-key/"


def test_a_page_url_not_made_from_the_key_falls_back_to_the_serializer(world, client):
    """Measure applications link to their measure's page: the template check refuses it."""
    from measures.api import MeasureApplicationViewSet

    view = MeasureApplicationViewSet()
    serializer = view.serializer_class(context={"request": _request()})
    field = serializer.fields["html_url"]
    column = csv_export.RecordPageUrl(field, view.queryset.model, "pk")
    rows = list(view.queryset.values(*column.local)[:5])
    with pytest.raises(csv_export.Unsupported):
        column.prepare(rows, view.queryset.model)


def test_links_read_for_many_records_keep_each_records_order(world):
    """Link rows read for many findings at once (a page's prefetch, a CSV chunk) are
    ordered within each finding only (``in_owner_order``): each finding's rows must still
    come in the link model's own order, as the finding's page and its API record list them."""
    accessors = ("mission_links", "country_links", "document_links", "activity_links")
    findings = list(Finding.objects.for_list())
    compared = 0
    for finding in findings:
        for accessor in accessors:
            prefetched = [row.pk for row in getattr(finding, accessor).all()]
            if len(prefetched) > 1:
                own = getattr(finding, accessor).model.objects.filter(finding=finding)
                assert prefetched == list(own.values_list("pk", flat=True)), (finding, accessor)
                compared += 1
    assert compared > 20
