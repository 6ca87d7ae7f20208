"""Query counts for every page and endpoint, generated from the URL configuration.

Every route the resolver knows is requested at two data sizes (``tests.pages.grow``: the
first mission, country, document, measure and activity are linked to everything, so
their pages have more to show at the larger size). The count must be the same at both
sizes and no higher than the committed baseline in ``tests/query_counts.json``, as
NetBox keeps its own. A new route without a baseline fails; after a deliberate change,
``UPDATE_QUERY_COUNTS=1 pytest tests/test_query_counts.py`` rewrites the baseline for the
database in use (run it on SQLite and on PostgreSQL).
"""

import json
import os
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from missions.models import Mission
from ocpo.facets import facet_names
from tests.pages import grow
from tests.routes import REDIRECTS, routes, sample_url

pytestmark = pytest.mark.django_db

BASELINE = Path(__file__).with_name("query_counts.json")

# Query strings that make a route do its real work (a search with words, a comparison).
QUERIES = {
    "search": ["q=Finding", "q=Finding&kind=finding"],
    "compare": ["missions={missions}"],
}
# API lists are also exported as CSV, and asked for with every facet; each is counted apart.
LIST_SUFFIX = "-list"


def requests():
    """``(key, url)`` for every request counted: each route, with its query strings and,
    for API lists, also as CSV."""
    missions = ",".join(Mission.objects.order_by("pk").values_list("acronym", flat=True)[:3])
    counted = []
    for name, pattern in routes():
        url = sample_url(name, pattern)
        counted.append((name, url))
        for query in QUERIES.get(name, []):
            counted.append((f"{name}?{query}", f"{url}?{query.format(missions=missions)}"))
        if name.startswith("api:") and name.endswith(LIST_SUFFIX):
            counted.append((f"{name}?format=csv", f"{url}?format=csv"))
            # Every facet at once: one query each, whatever the data size.
            filterset_class = getattr(
                getattr(pattern.callback, "cls", None), "filterset_class", None
            )
            names = facet_names(filterset_class) if filterset_class else []
            if names:
                counted.append((f"{name}?facets=all", f"{url}?facets={','.join(names)}"))
    return counted


def measure(client, key, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    expected = 302 if key in REDIRECTS else 200
    assert response.status_code == expected, (url, response.status_code)
    return len(captured.captured_queries)


def _load():
    return json.loads(BASELINE.read_text()) if BASELINE.exists() else {}


def test_every_route_is_counted_or_excused():
    """A new route needs a baseline (or a reason in ``NOT_COUNTED``)."""
    baseline = _load().get(connection.vendor, {})
    names = {name for name, _ in routes()}
    missing = sorted(names - {key.split("?")[0] for key in baseline})
    if os.environ.get("UPDATE_QUERY_COUNTS"):
        return
    assert not missing, (
        f"no committed query bound for {missing}: "
        "run UPDATE_QUERY_COUNTS=1 pytest tests/test_query_counts.py"
    )


def test_queries_are_bounded_and_do_not_grow_with_the_data(client):
    grow(2)
    small = {key: measure(client, key, url) for key, url in requests()}
    grow(8)
    large = {key: measure(client, key, url) for key, url in requests()}
    assert Mission.objects.count() >= 10  # the world really grew
    grew = {key: (small[key], large[key]) for key in small if large[key] != small[key]}
    assert not grew, f"queries grew with the data (small, large): {grew}"

    everything = _load()
    if os.environ.get("UPDATE_QUERY_COUNTS"):
        everything[connection.vendor] = dict(sorted(large.items()))
        BASELINE.write_text(json.dumps(everything, indent=2, sort_keys=True) + "\n")
        return
    baseline = everything.get(connection.vendor, {})
    unbounded = sorted(set(large) - set(baseline))
    assert not unbounded, f"no committed bound for {unbounded} (UPDATE_QUERY_COUNTS=1)"
    over = {key: (large[key], baseline[key]) for key in large if large[key] > baseline[key]}
    assert not over, f"more queries than the committed baseline (now, baseline): {over}"
