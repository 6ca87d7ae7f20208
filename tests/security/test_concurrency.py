"""Optimistic concurrency: a detail's ETag, and If-Match on PUT, PATCH and DELETE."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from missions.models import Mission
from tests import factories as f
from tests.api_cases import make_pair
from tests.security.conftest import kb_snapshot

pytestmark = pytest.mark.django_db

URL = "/api/v1/missions/UNMIL/"


@pytest.fixture
def pair(db):
    return make_pair()


def etag_of(client, url=URL):
    response = client.get(url)
    assert response.status_code == 200
    etag = response["ETag"]
    assert etag.startswith('"') and etag.endswith('"') and len(etag) == 66  # strong, sha256
    return etag


def test_a_detail_carries_a_stable_strong_etag(pair, client):
    assert etag_of(client) == etag_of(client)
    assert etag_of(client) != etag_of(client, "/api/v1/missions/EULEX/")
    # The same version read through another address has the same tag.
    other_host = client.get(URL, HTTP_HOST="localhost")
    assert other_host["ETag"] == etag_of(client)


def test_patch_with_the_current_etag_succeeds_and_returns_the_new_one(pair, editor_api):
    old = etag_of(editor_api)
    response = editor_api.patch(URL, {"summary": "Revised."}, format="json", HTTP_IF_MATCH=old)
    assert response.status_code == 200, response.content
    new = response["ETag"]
    assert new != old
    assert new == etag_of(editor_api)


def test_a_second_patch_with_the_old_etag_is_412_and_changes_nothing(pair, editor_api):
    old = etag_of(editor_api)
    first = editor_api.patch(URL, {"summary": "First."}, format="json", HTTP_IF_MATCH=old)
    assert first.status_code == 200
    before = kb_snapshot()
    second = editor_api.patch(URL, {"summary": "Second."}, format="json", HTTP_IF_MATCH=old)
    assert second.status_code == 412
    assert "changed" in second.json()["detail"]
    assert Mission.objects.get(acronym="UNMIL").summary == "First."
    assert kb_snapshot() == before


def test_put_with_a_stale_etag_is_412(pair, editor_api):
    old = etag_of(editor_api)
    body = editor_api.get("/api/v1/missions/", {"search": "Liberia"}).json()["results"][0]
    editor_api.patch(URL, {"summary": "Changed meanwhile."}, format="json")
    before = kb_snapshot()
    response = editor_api.put(URL, body, format="json", HTTP_IF_MATCH=old)
    assert response.status_code == 412
    assert kb_snapshot() == before


def test_delete_with_a_stale_etag_is_412_and_with_the_current_one_goes_ahead(pair, editor_api):
    url = "/api/v1/activities/drug-trafficking/"
    old = etag_of(editor_api, url)
    editor_api.patch(url, {"description": "Changed meanwhile."}, format="json")
    before = kb_snapshot()
    assert editor_api.delete(url, HTTP_IF_MATCH=old).status_code == 412
    assert kb_snapshot() == before
    current = etag_of(editor_api, url)
    assert editor_api.delete(url, HTTP_IF_MATCH=current).status_code == 204
    assert editor_api.get(url).status_code == 404


def test_star_or_no_if_match_writes_anyway(pair, editor_api):
    assert editor_api.patch(URL, {"summary": "A."}, format="json").status_code == 200
    assert Mission.objects.get(acronym="UNMIL").summary == "A."
    response = editor_api.patch(URL, {"summary": "B."}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 200
    assert Mission.objects.get(acronym="UNMIL").summary == "B."


@pytest.mark.parametrize("header", ['W/"{}"', "{}garbage", '"nope", "other"', ""])
def test_weak_malformed_or_other_tags_never_match(pair, editor_api, header):
    etag = etag_of(editor_api).strip('"')
    value = header.format(etag)
    before = kb_snapshot()
    response = editor_api.patch(URL, {"summary": "X."}, format="json", HTTP_IF_MATCH=value)
    assert response.status_code == 412
    assert kb_snapshot() == before


def test_one_of_several_tags_may_match(pair, editor_api):
    header = f'"stale", {etag_of(editor_api)}'
    response = editor_api.patch(URL, {"summary": "X."}, format="json", HTTP_IF_MATCH=header)
    assert response.status_code == 200
    assert Mission.objects.get(acronym="UNMIL").summary == "X."


def test_a_renamed_record_gets_the_etag_of_its_new_address(pair, editor_api):
    response = editor_api.patch(URL, {"acronym": "UNMIL2"}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 200
    assert response["ETag"] == etag_of(editor_api, "/api/v1/missions/UNMIL2/")


def test_permissions_and_404_come_before_the_precondition(pair, plain_user):
    anonymous = APIClient().patch(URL, {}, format="json", HTTP_IF_MATCH='"stale"')
    assert anonymous.status_code in (401, 403)
    client = APIClient()
    client.force_authenticate(plain_user)
    assert client.delete(URL, HTTP_IF_MATCH='"stale"').status_code == 403


def test_unknown_record_is_404_not_412(pair, editor_api):
    response = editor_api.patch("/api/v1/missions/NOPE/", {}, HTTP_IF_MATCH='"x"', format="json")
    assert response.status_code == 404


def conditional_patch_queries(client):
    etag = etag_of(client)
    with CaptureQueriesContext(connection) as captured:
        response = client.patch(URL, {"summary": "Y."}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_a_conditional_write_costs_the_same_queries_whatever_the_links(pair, editor_api):
    conditional_patch_queries(editor_api)  # warm the per-process caches (content types)
    few = conditional_patch_queries(editor_api)
    unmil = Mission.objects.get(acronym="UNMIL")
    for _ in range(10):
        f.make_finding(missions=[unmil], documents=[f.make_document(missions=[unmil])])
    assert conditional_patch_queries(editor_api) == few


def test_the_schema_documents_etag_if_match_and_412(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    detail = schema["paths"]["/api/v1/missions/{acronym}/"]
    assert "ETag" in detail["get"]["responses"]["200"]["headers"]
    for method in ("put", "patch", "delete"):
        names = {p["name"] for p in detail[method]["parameters"]}
        assert "If-Match" in names, method
        assert "412" in detail[method]["responses"], method
    assert "ETag" in detail["patch"]["responses"]["200"]["headers"]
