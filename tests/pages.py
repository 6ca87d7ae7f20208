"""Helpers for the portal page tests: a world that grows, and query counts at two sizes.

``grow(size)`` adds ``size`` linked records of every kind (``make_world``) and links the
first mission, country, document and measure to all of them, so every detail page (and
its history) has more to show at the larger size. ``assert_constant_queries`` loads a page
at two sizes and requires the same number of queries at both, within a bound.
"""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from interfaces.models import Finding, IllicitActivity
from measures.models import Measure, MeasureApplication
from missions.models import Country, Document, Mission
from ocpo.revisions import recorded

from .factories import make_application, make_world

# Links made in tests are the paper's (sources.models.LinkBasis).
PAPER = {"basis": "paper"}


def first(model):
    return model.objects.order_by("pk").first()


def grow(size):
    """``size`` more records of every kind, recorded as one revision (as an editor's
    write would be), so each record's history grows too."""
    with recorded("Grown by a test."):
        return _grow(size)


def _grow(size):
    world = make_world(size)
    mission, country, document = first(Mission), first(Country), first(Document)
    findings = Finding.objects.all()
    mission.findings.set(findings, through_defaults=PAPER)
    country.findings.set(findings, through_defaults=PAPER)
    document.findings.set(findings, through_defaults=PAPER)
    mission.documents.set(Document.objects.all(), through_defaults=PAPER)
    country.documents.set(Document.objects.all(), through_defaults=PAPER)
    measure = first(Measure)
    for other in Measure.objects.exclude(applications__mission=mission):
        make_application(measure=other, mission=mission, country=country, label="Also")
    make_application(measure=measure, mission=mission, country=country, label="Again")
    # Examples given for all missions show on every mission page, and the first measure's
    # police functions and interfaces on its page: they grow too.
    make_application(measure=measure, mission=None, all_missions=True, label="Everywhere")
    first(IllicitActivity).findings.set(findings, through_defaults=PAPER)
    return world


def count_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured.captured_queries)


def assert_constant_queries(client, url, bound, django_assert_max_num_queries):
    """``url()`` runs as many queries at size 2 as at size 10, and at most ``bound``."""
    grow(2)
    small = count_queries(client, url())
    grow(8)
    with django_assert_max_num_queries(bound):
        client.get(url())
    large = count_queries(client, url())
    assert small == large, f"{url()}: {small} queries at size 2, {large} at size 10"
    assert MeasureApplication.objects.count() > 10  # the world really grew
    return large
