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
from django.urls import URLPattern, URLResolver, get_resolver

from missions.models import Mission
from tests.pages import first, grow

pytestmark = pytest.mark.django_db

BASELINE = Path(__file__).with_name("query_counts.json")

# Routes this test does not request, and why. Anything else must have a baseline.
NOT_COUNTED = {
    "admin:": "Django's admin, for logged-in editors only, with its own query patterns",
}

# Query strings that make a route do its real work (a search with words, a comparison).
QUERIES = {
    "search": ["q=Finding", "q=Finding&kind=finding"],
    "compare": ["missions={missions}"],
}
# API lists are also exported as CSV; the two formats are counted apart.
LIST_SUFFIX = "-list"


def _walk(resolver, prefix="", namespace=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name}", prefix + str(pattern.pattern), pattern


def routes():
    """``(name, pattern)`` for every named route outside ``NOT_COUNTED``."""
    found = []
    for name, _route, pattern in _walk(get_resolver()):
        if any(name.startswith(prefix) for prefix in NOT_COUNTED):
            continue
        found.append((name, pattern))
    return found


def _model(pattern):
    """The model a detail route shows (a DRF viewset's or a Django view's)."""
    callback = pattern.callback
    view = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    queryset = getattr(view, "queryset", None)
    return queryset.model if queryset is not None else getattr(view, "model", None)


def sample_url(name, pattern):
    """The route with sample keywords: the natural key of the first (most linked) record."""
    from django.urls import reverse

    kwargs = {}
    if pattern.pattern.converters or getattr(pattern.pattern, "regex", None).groupindex:
        model = _model(pattern)
        assert model is not None, f"{name}: cannot tell which model its URL names"
        record = first(model)
        fields = {field.name for field in model._meta.fields}
        for keyword in pattern.pattern.regex.groupindex:
            if keyword == "pk":
                kwargs[keyword] = record.pk
            elif keyword in fields:
                kwargs[keyword] = getattr(record, keyword)
            else:
                kwargs[keyword] = record.natural_key()[0]
    return reverse(name, kwargs=kwargs)


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
    return counted


def measure(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200, (url, response.status_code)
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
    small = {key: measure(client, url) for key, url in requests()}
    grow(8)
    large = {key: measure(client, url) for key, url in requests()}
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
