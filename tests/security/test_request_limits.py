"""One request must not break a page: NUL in URLs, a DELETE racing a PATCH, deep JSON,
long link lists and chunked bodies each get a clear 4xx, never a 500 or a silent no-op.
"""

import threading

import pytest
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from missions.models import Country, Mission
from ocpo.rest import MAX_JSON_DEPTH, MAX_LINKS
from tests import factories as f
from tests.api_cases import make_pair, problem_errors
from tests.security.conftest import kb_snapshot

pytestmark = pytest.mark.django_db

NUL_URLS = [
    "/compare/?missions=%00",
    "/missions/%00/",
    "/countries/%00/",
    "/findings/?country=%00",
    "/search/?q=a%00b",
    "/api/v1/missions/%00/",
    "/api/v1/countries/?region=%00",
    "/api/v1/findings/?mission=UNMIL%00",
]


@pytest.fixture
def pair(db):
    return make_pair()


@pytest.mark.postgres
@pytest.mark.parametrize("url", NUL_URLS)
def test_a_nul_in_the_url_is_404_or_400_on_postgresql(pair, url, client):
    response = client.get(url)
    assert response.status_code in (400, 404), (url, response.status_code)
    if url.startswith("/api/"):
        assert response["Content-Type"].startswith("application/problem+json")


def test_a_nul_in_a_query_names_the_parameter(pair):
    response = APIClient().get("/api/v1/countries/?region=%00")
    assert response.status_code == 400
    assert "region" in problem_errors(response)


def test_a_chunked_body_is_refused_with_411_and_changes_nothing(pair, editor_api):
    before = kb_snapshot()
    response = editor_api.generic(
        "PATCH",
        "/api/v1/missions/UNMIL/",
        b'{"summary": "chunked"}',
        content_type="application/json",
        HTTP_TRANSFER_ENCODING="chunked",
    )
    assert response.status_code == 411
    assert "Content-Length" in problem_errors(response)["detail"]
    assert kb_snapshot() == before


def nested(depth):
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 100_000])
def test_deeply_nested_json_is_a_400(pair, editor_api, depth):
    before = kb_snapshot()
    body = '{"summary": "x", "countries": ' + nested(depth) + "}"
    response = editor_api.generic(
        "PATCH", "/api/v1/missions/UNMIL/", body, content_type="application/json"
    )
    assert response.status_code == 400, response.content[:200]
    assert "nested" in problem_errors(response)["detail"]
    assert kb_snapshot() == before


def test_json_as_deep_as_allowed_is_read(pair, editor_api):
    body = '{"summary": "x", "countries": ' + nested(MAX_JSON_DEPTH - 1) + "}"
    response = editor_api.generic(
        "PATCH", "/api/v1/missions/UNMIL/", body, content_type="application/json"
    )
    assert response.status_code == 400  # read, then refused for what it says
    assert "countries" in problem_errors(response)


def test_a_link_list_is_bounded(pair, editor_api):
    keys = ["LBR"] * (MAX_LINKS + 1)
    response = editor_api.patch("/api/v1/missions/UNMIL/", {"countries": keys}, format="json")
    assert response.status_code == 400
    assert "1000" in str(problem_errors(response)["countries"])


def test_a_link_list_is_resolved_in_one_query(pair, editor_api):
    for k in range(60):
        f.make_country(iso3=f"Q{chr(65 + k // 26)}{chr(65 + k % 26)}")
    keys = list(Country.objects.values_list("iso3", flat=True))
    assert len(keys) > 50
    url = "/api/v1/missions/UNMIL/"
    with CaptureQueriesContext(connection) as few:
        assert editor_api.patch(url, {"countries": keys[:2]}, format="json").status_code == 200
    with CaptureQueriesContext(connection) as many:
        assert editor_api.patch(url, {"countries": keys}, format="json").status_code == 200
    assert set(
        Mission.objects.get(acronym="UNMIL").countries.values_list("iso3", flat=True)
    ) == set(keys)
    # The same number of lookups for 2 keys and for 60 (the M2M write itself is a bulk one).
    assert len(many) <= len(few) + 2, (len(few), len(many))
    missing = editor_api.patch(url, {"countries": ["LBR", "NOPE", "NADA"]}, format="json")
    assert "NOPE" in str(problem_errors(missing)["countries"])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_delete_racing_a_patch_with_the_same_if_match_never_fails(editor):
    """Ten races on real connections: each PATCH and DELETE gets 2xx, 404 or 412, never 500."""
    seen = []
    for round_ in range(10):
        Mission.objects.filter(acronym="RACE").delete()
        f.make_mission(acronym="RACE")
        client = APIClient()
        client.force_authenticate(editor)
        url = "/api/v1/missions/RACE/"
        etag = client.get(url)["ETag"]
        barrier = threading.Barrier(2)
        answers = {}

        def run(method, body, answers=answers, barrier=barrier, url=url, etag=etag):
            api = APIClient(raise_request_exception=False)
            api.force_authenticate(editor)
            barrier.wait()
            try:
                answers[method] = getattr(api, method)(
                    url, body, format="json", HTTP_IF_MATCH=etag
                ).status_code
            finally:
                close_old_connections()
                connection.close()

        threads = [
            threading.Thread(target=run, args=("patch", {"summary": f"round {round_}"})),
            threading.Thread(target=run, args=("delete", None)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert answers["patch"] in (200, 404, 412), answers
        assert answers["delete"] in (204, 412), answers
        seen.append((answers["patch"], answers["delete"]))
    # Exactly one of the two wins each race.
    for patch, delete in seen:
        assert (patch == 200) != (delete == 204), seen
