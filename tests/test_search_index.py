"""Full-text search on PostgreSQL runs on the GIN indexes the migrations create."""

import pytest
from django.db import connection

from interfaces.models import Finding
from missions.models import Document, Mission
from tests.factories import make_finding, make_world

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.mark.parametrize(
    ("model", "index"),
    [
        (Finding, "finding_search_idx"),
        (Document, "document_search_idx"),
        (Mission, "mission_search_idx"),
    ],
)
def test_search_uses_the_gin_index(model, index):
    make_world(3)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # small tables: show the index is usable
    plan = model.objects.search("cocaine trafficking").explain()
    assert index in plan, plan


def test_index_is_on_the_fields_search_uses():
    """The migration's fields and the QuerySet's own search fields must not drift apart."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'finding_search_idx'")
        (definition,) = cursor.fetchone()
    for field in Finding.objects.own_search_fields():
        assert f"COALESCE({field}," in definition


def test_ranked_results_put_title_matches_first():
    make_world(1)
    make_finding(title="Summary mentions it", summary="Cocaine smuggling by sea.")
    make_finding(title="Cocaine smuggling by sea", summary="Nothing else.")
    titles = [f.title for f in Finding.objects.search("cocaine")]
    assert titles[0] == "Cocaine smuggling by sea"
