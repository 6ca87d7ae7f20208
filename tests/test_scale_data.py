"""Synthetic scale data: deterministic, marked synthetic, and query counts flat across factors."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from interfaces.models import Finding
from missions.models import Mission, Source

pytestmark = pytest.mark.django_db

SCENARIOS = [
    "/api/v1/findings/?interface=oc-fuels-conflict&mission=SYN3",
    "/api/v1/missions/SYN3/",
    "/api/v1/findings/?format=csv&mission=SYN3",
    "/search/?q=cocaine",
    "/matrix/",
    "/missions/SYN3/",
    "/findings/?interface=oc-fuels-conflict&mission=SYN3",
]


def _snapshot():
    return list(Finding.objects.order_by("slug").values_list("slug", "title", "interface__slug"))


def test_same_seed_same_records(kb):
    call_command("generate_scale_data", factor=1, seed=5, verbosity=0)
    first = _snapshot()
    call_command("generate_scale_data", factor=1, seed=5, flush=True, verbosity=0)
    assert _snapshot() == first
    call_command("generate_scale_data", factor=1, seed=6, flush=True, verbosity=0)
    assert _snapshot() != first


def test_synthetic_records_are_marked_and_sit_beside_the_real_ones(kb):
    real = Finding.objects.count()
    call_command("generate_scale_data", factor=2, verbosity=0)
    synthetic = Finding.objects.filter(slug__startswith="synthetic-")
    assert synthetic.count() == 200
    assert Finding.objects.count() == real + 200
    assert not synthetic.exclude(source=Source.EDITORS).exists()
    assert not synthetic.exclude(editorial_note__startswith="Synthetic record").exists()
    assert Mission.objects.filter(acronym__startswith="SYN").count() == 20


def test_refuses_to_add_synthetic_records_twice(kb):
    call_command("generate_scale_data", factor=1, verbosity=0)
    with pytest.raises(Exception, match="--flush"):
        call_command("generate_scale_data", factor=1, verbosity=0)


def _counts(client):
    counts = {}
    for url in SCENARIOS:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
            if response.streaming:
                b"".join(response.streaming_content)
        assert response.status_code == 200, url
        counts[url] = len(queries)
    return counts


def test_benchmark_scenarios_run_the_same_queries_at_two_factors(client, kb):
    call_command("generate_scale_data", factor=1, verbosity=0)
    small = _counts(client)
    call_command("generate_scale_data", factor=4, flush=True, verbosity=0)
    assert _counts(client) == small
