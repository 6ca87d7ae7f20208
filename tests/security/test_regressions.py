"""What the schemathesis fuzz found (``test_fuzz.py``), each as its minimal failing input.

Each test names the check that failed and the answer before the fix.
"""

import pytest
from rest_framework.test import APIClient

from missions.models import Mission
from tests.api_cases import make_pair, problem_errors
from tests.security.conftest import kb_snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(db):
    return make_pair()


@pytest.mark.parametrize(
    "query",
    ["offset=null", "limit=abc", "limit=0", "limit=-1", "offset=-5", "limit=1.5", "limit=%C2%B2"],
)
def test_unreadable_page_values_are_400_not_ignored(pair, client, query):
    # negative_data_rejection: ?offset=null answered 200 with the first page.
    for suffix in ("", "&format=csv"):
        response = client.get(f"/api/v1/missions/?{query}{suffix}")
        assert response.status_code == 400, (query, suffix)
        assert set(problem_errors(response)) & {"limit", "offset"}


def test_empty_page_values_are_as_if_not_given(pair, client):
    response = client.get("/api/v1/missions/?limit=&offset=")
    assert response.status_code == 200
    assert response.json() == client.get("/api/v1/missions/").json()


def test_undeclared_method_with_a_format_is_405_not_404(pair):
    # unsupported_method: TRACE /api/v1/activities/?format=csv answered 404.
    response = APIClient().generic("TRACE", "/api/v1/activities/?format=csv")
    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/problem+json")


@pytest.mark.parametrize("name", ["ordering", "search", "limit", "offset", "format", "active_in"])
def test_a_single_value_parameter_given_twice_is_400(pair, client, name):
    # negative_data_rejection: ?ordering=a&ordering=b silently used the last value.
    first, second = ("json", "csv") if name == "format" else ("1", "2")
    response = client.get(f"/api/v1/missions/?{name}={first}&{name}={second}")
    assert response.status_code == 400
    assert name in problem_errors(response)


def test_key_filters_still_take_repeated_values(pair, client):
    response = client.get("/api/v1/missions/?country=LBR&country=XKX")
    assert response.status_code == 200
    assert response.json()["count"] == 2


def test_an_empty_format_is_400(pair, client):
    # negative_data_rejection: ?format= is not one of json, csv, and answered 200.
    response = client.get("/api/v1/missions/?format=")
    assert response.status_code == 400
    assert "format" in problem_errors(response)


def test_an_unknown_choice_in_a_key_filter_matches_nothing(pair, client):
    # The schema listed the kinds as an enum, so ?kind=false was "invalid" data answered
    # 200; the contract is that an unknown key gives an empty list, so the schema says so.
    response = client.get("/api/v1/police-functions/?kind=false")
    assert response.status_code == 200
    assert response.json()["count"] == 0
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    (kind,) = [
        p
        for p in schema["paths"]["/api/v1/police-functions/"]["get"]["parameters"]
        if p["name"] == "kind"
    ]
    assert "enum" not in kind["schema"]["items"]
    assert "`core_function`" in kind["description"]


@pytest.mark.parametrize("url", ["/api/v1/measures/?interface=%C2%B2", "/measures/?interface=²"])
def test_a_superscript_digit_as_interface_number_is_not_a_server_error(pair, client, url):
    # not_a_server_error: '²'.isdigit() is true and int('²') raised ValueError (500).
    response = client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("key", ["²", "99999999999999999999999"])
def test_odd_numeric_keys_in_a_detail_url_are_404(pair, client, key):
    assert client.get(f"/api/v1/applications/{key}/").status_code == 404
    assert client.get(f"/api/v1/findings/{key}/").status_code == 404


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        # negative_data_rejection: a number for a text field was stored as "0".
        ("/api/v1/activities/", {"slug": "x0", "name": "X0", "description": 0}, "description"),
        ("/api/v1/activities/", {"slug": 5, "name": "X0"}, "slug"),
        ("/api/v1/questions/", {"number": 9, "slug": "q9", "text": True}, "text"),
        # negative_data_rejection: "" for a nullable link was stored as null.
        (
            "/api/v1/missions/",
            {
                "acronym": "X0",
                "name": "X",
                "kind": "un_pko",
                "countries": [],
                "establishing_document": "",
                "section": "I",
            },
            "establishing_document",
        ),
        (
            "/api/v1/findings/",
            {"slug": "f0", "interface": 1, "title": "t", "summary": "s"},
            "interface",
        ),
    ],
)
def test_text_and_keys_must_be_json_strings(pair, editor_api, url, body, field):
    before = kb_snapshot()
    response = editor_api.post(url, body, format="json")
    assert response.status_code == 400, response.content
    assert field in problem_errors(response)
    assert kb_snapshot() == before


@pytest.mark.parametrize(
    ("url", "body"),
    [
        # negative_data_rejection: an object for a list of keys was taken as its keys.
        ("/api/v1/questions/", {"number": 9, "slug": "q9", "text": "Q?", "interfaces": {}}),
        (
            "/api/v1/police-functions/",
            {"slug": "p9", "kind": "activity", "position": 9, "name": "P", "measures": {"x": 1}},
        ),
    ],
)
def test_a_list_of_keys_must_be_a_list(pair, editor_api, url, body):
    before = kb_snapshot()
    response = editor_api.post(url, body, format="json")
    assert response.status_code == 400
    assert set(problem_errors(response)) & {"interfaces", "measures"}
    assert kb_snapshot() == before


@pytest.mark.parametrize("format_", ["multipart", None])
def test_writes_are_json_only(pair, editor_api, format_):
    # negative_data_rejection: a multipart PATCH with slug="" was taken as "not given" (200).
    before = kb_snapshot()
    response = editor_api.patch(
        "/api/v1/interfaces/oc-fuels-conflict/", {"slug": ""}, format=format_
    )
    if format_ is None:  # urlencoded
        response = editor_api.generic(
            "PATCH",
            "/api/v1/interfaces/oc-fuels-conflict/",
            "slug=",
            content_type="application/x-www-form-urlencoded",
        )
    assert response.status_code == 415
    assert kb_snapshot() == before
    assert Mission.objects.filter(acronym="UNMIL").exists()


def test_reads_declare_that_credentials_are_optional(client):
    # ignored_auth: GETs declared cookie or token auth as required, yet answer anyone.
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method == "get" and "security" in operation:
                assert {} in operation["security"], path
            elif method in ("post", "put", "patch", "delete"):
                assert {} not in operation["security"], (path, method)


def test_error_answers_are_documented(client):
    # status_code_conformance: 400, 401, 403, 404 ... were answered but not documented.
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operations = schema["paths"]["/api/v1/missions/{acronym}/"]
    assert {"401", "403", "404", "409", "412"} <= set(operations["delete"]["responses"])
    assert {"400", "401", "403", "404", "412", "413", "415"} <= set(
        operations["patch"]["responses"]
    )
    assert {"400", "404"} <= set(schema["paths"]["/api/v1/missions/"]["get"]["responses"])


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/api/v1/measures/", {"slug": "m9", "name": "M", "area": "a\x00b"}, "area"),
        ("/api/v1/missions/UNMIL/", {"countries": ["L\x00BR"]}, "countries"),
    ],
)
def test_a_nul_byte_in_a_key_is_a_field_error_not_a_500(pair, editor_api, url, body, field):
    # not_a_server_error (PostgreSQL): looking the key up raised DataError.
    before = kb_snapshot()
    method = editor_api.post if url.endswith("s/") else editor_api.patch
    response = method(url, body, format="json")
    assert response.status_code == 400
    assert field in problem_errors(response)
    assert kb_snapshot() == before
