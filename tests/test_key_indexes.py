"""Natural keys are matched case-insensitively, through an index on UPPER(key).

Without it, a filter by mission or a record looked up by key read the whole table: at
factor 1000, a sequential scan of 10,000 missions in every filtered list's two queries.
"""

import pytest
from django.db import connection

from interfaces.models import Finding
from measures.models import Measure
from missions.models import Country, Document, Mission

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.mark.parametrize(
    "model, key, index",
    [
        (Mission, "acronym", "mission_acronym_upper_idx"),
        (Country, "iso3", "country_iso3_upper_idx"),
        (Document, "slug", "document_slug_upper_idx"),
        (Finding, "slug", "finding_slug_upper_idx"),
        (Measure, "slug", "measure_slug_upper_idx"),
    ],
)
def test_a_case_insensitive_key_lookup_can_use_an_index(model, key, index):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table: make the plan tell
        plan = model.objects.filter(**{f"{key}__iexact": "Some-Key"}).explain()
    assert index in plan, plan
