"""Anonymous answers carry an ETag, revalidate with 304 and are cached until data changes."""

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from interfaces.models import Finding
from tests.factories import make_finding, make_world

pytestmark = pytest.mark.django_db

URLS = ["/", "/findings/", "/api/v1/findings/", "/api/v1/missions/?format=json", "detail"]


@pytest.fixture
def world(settings):
    settings.OCPO_ANONYMOUS_CACHE = True
    make_world(2)


@pytest.mark.parametrize("url", URLS)
def test_revalidation_answers_304_without_queries(client, world, url):
    if url == "detail":  # an API detail keeps its record ETag (for If-Match), and still 304s
        url = f"/api/v1/findings/{Finding.objects.first().slug}/"
    first = client.get(url)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.headers["ETag"] == etag
    assert len(queries) == 0


def test_a_repeated_request_is_served_from_the_cache(client, world):
    client.get("/findings/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/findings/")
    assert response.status_code == 200
    assert len(queries) == 0
    assert "Content-Security-Policy" in response.headers
    assert "X-OCPO-Data-Version" in response.headers


def test_any_change_makes_cached_answers_and_etags_stale(client, world):
    first = client.get("/api/v1/findings/")
    make_finding(title="A finding added after the first read")
    again = client.get("/api/v1/findings/", HTTP_IF_NONE_MATCH=first.headers["ETag"])
    assert again.status_code == 200
    assert again.json()["count"] == first.json()["count"] + 1
    assert again.headers["ETag"] != first.headers["ETag"]


def test_a_link_change_makes_cached_answers_stale(client, world):
    finding = Finding.objects.first()
    client.get(f"/findings/{finding.slug}/")
    finding.missions.clear()
    response = client.get(f"/findings/{finding.slug}/")
    assert response.status_code == 200
    assert not response.context or response.context["object"].missions.count() == 0


def test_bulk_generation_makes_cached_answers_stale(client, world):
    before = client.get("/api/v1/findings/").json()["count"]
    call_command("generate_scale_data", factor=1, verbosity=0)
    assert client.get("/api/v1/findings/").json()["count"] > before


def test_json_and_csv_of_one_url_are_cached_apart(client, world):
    json_response = client.get("/api/v1/findings/")
    csv_response = client.get("/api/v1/findings/", HTTP_ACCEPT="text/csv")
    assert json_response.headers["Content-Type"].startswith("application/json")
    assert csv_response.headers["Content-Type"].startswith("text/csv")


def test_logged_in_users_are_never_served_from_the_cache(client, world):
    client.get("/findings/")
    client.force_login(User.objects.create_user("reader"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/findings/")
    assert response.status_code == 200
    assert len(queries) > 0
