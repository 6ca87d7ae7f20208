"""One error format for the whole API: RFC 9457 problem details, for every kind of error.

Each kind of error the API can answer is provoked here once, and its answer must be an
``application/problem+json`` document that names what was wrong; the schema must say so.
"""

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import override_settings
from rest_framework.test import APIClient

from missions.api import CountryViewSet
from missions.models import Document
from tests.api_cases import editor_for, make_pair, problem_errors

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


@pytest.fixture
def pair(db):
    return make_pair()


@pytest.fixture
def api():
    return APIClient()


def problem_of(response, status):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith(PROBLEM), response["Content-Type"]
    body = response.json()
    assert set(body) >= {"type", "title", "status", "detail", "code"}
    assert body["status"] == status
    return body


@pytest.mark.parametrize("debug", [False, True])
def test_an_unknown_route_is_a_problem_not_an_html_page(api, settings, debug):
    settings.DEBUG = debug
    for url in ("/api/v1/nope/", "/api/v1/countries/XXX/nope/", "/api/v2/", "/api/"):
        body = problem_of(api.get(url, HTTP_ACCEPT="text/html"), 404)
        assert "/api/v1/" in body["detail"]


def test_an_unknown_parameter_is_400_naming_it_and_the_accepted_ones(pair, api):
    response = api.get("/api/v1/findings/", {"contry": "HTI"})
    body = problem_of(response, 400)
    assert "results" not in body  # never the whole data set
    (error,) = body["errors"]
    assert error == {**error, "name": "contry", "in": "query", "code": "unknown_parameter"}
    assert {"country", "interface", "limit", "offset", "search", "ordering"} <= set(
        body["accepted"]
    )
    assert "country" in error["detail"]
    # The old page parameter of the portal is unknown here too, in JSON and in CSV.
    for params in ({"page": "abc"}, {"page": "3", "format": "csv"}):
        assert "page" in problem_errors(api.get("/api/v1/findings/", params))
    # A detail takes only ?format=.
    assert "country" in problem_errors(api.get("/api/v1/missions/UNMIL/", {"country": "LBR"}))


def test_an_unknown_format_is_406_naming_the_formats(pair, api):
    body = problem_of(api.get("/api/v1/countries/", {"format": "xml"}), 406)
    assert body["accepted"] == ["json", "csv"]
    assert "json, csv" in body["detail"]
    assert body["errors"][0]["name"] == "format"
    detail = problem_of(api.get("/api/v1/countries/LBR/", {"format": "csv"}), 406)
    assert detail["accepted"] == ["json"]


def test_page_errors_are_problems(pair, api):
    body = problem_of(api.get("/api/v1/countries/", {"limit": "abc"}), 400)
    assert body["errors"][0]["name"] == "limit" and body["errors"][0]["in"] == "query"
    past = problem_of(api.get("/api/v1/countries/", {"offset": 2}), 404)
    assert "2 records" in past["detail"]
    assert api.get("/api/v1/countries/", {"offset": 1}).status_code == 200


def test_validation_errors_name_each_field_with_a_pointer(pair):
    client = APIClient()
    client.force_authenticate(editor_for(CountryViewSet.queryset.model))
    response = client.post("/api/v1/countries/", {"iso3": "AAA", "name": 5}, format="json")
    body = problem_of(response, 400)
    by_name = {error["name"]: error for error in body["errors"]}
    assert {"name", "region"} <= set(by_name)
    assert by_name["name"]["in"] == "body" and by_name["name"]["pointer"] == "#/name"
    assert body["code"] == "invalid"


def test_401_says_how_to_authenticate(pair, api):
    anonymous = api.post("/api/v1/countries/", {"iso3": "AAA"}, format="json")
    assert problem_of(anonymous, 401)["code"] == "not_authenticated"
    assert anonymous["WWW-Authenticate"] == "Token"
    bad = api.post(
        "/api/v1/countries/", {}, format="json", HTTP_AUTHORIZATION="Token not-a-real-token"
    )
    assert problem_of(bad, 401)["code"] == "authentication_failed"
    assert bad["WWW-Authenticate"] == "Token"


def test_other_client_errors_are_problems(pair, api):
    reader = APIClient()
    reader.force_authenticate(User.objects.create_user("reader", password="x"))
    assert problem_of(reader.post("/api/v1/countries/", {}, format="json"), 403)
    assert problem_of(api.put("/api/v1/countries/", {}, format="json"), 401)
    editor = APIClient()
    editor.force_authenticate(editor_for(CountryViewSet.queryset.model))
    assert problem_of(editor.put("/api/v1/countries/", {}, format="json"), 405)
    assert problem_of(editor.post("/api/v1/countries/", "x", content_type="text/plain"), 415)
    assert problem_of(editor.post("/api/v1/countries/", "{", content_type="application/json"), 400)
    stale = editor.patch("/api/v1/countries/LBR/", {}, format="json", HTTP_IF_MATCH='"x"')
    assert problem_of(stale, 412)["code"] == "precondition_failed"
    documents = APIClient()
    documents.force_authenticate(editor_for(Document))
    # UNMIL's establishing resolution: protected while the mission names it.
    conflict = problem_of(documents.delete("/api/v1/documents/s-res-1509/"), 409)
    assert conflict["blocking"]


def test_429_and_500_are_problems(pair, api, settings, monkeypatch):
    cache.clear()
    settings.OCPO_API_ANON_RATE = "1/day"  # fixed windows: a minute's edge would reset it
    settings.OCPO_ANONYMOUS_CACHE = False
    assert api.get("/api/v1/countries/").status_code == 200
    throttled = api.get("/api/v1/countries/")
    assert problem_of(throttled, 429)["code"] == "throttled"
    assert throttled["Retry-After"]
    cache.clear()
    settings.OCPO_API_ANON_RATE = None

    def crash(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(CountryViewSet, "list", crash)
    crasher = APIClient(raise_request_exception=False)
    for debug in (False, True):
        with override_settings(DEBUG=debug):
            body = problem_of(crasher.get("/api/v1/countries/"), 500)
            assert "boom" not in body["detail"]


def test_errors_outside_drf_are_problems(pair, api):
    # A Host that ALLOWED_HOSTS refuses: Django answers 400 before any view runs.
    refused = api.get("/api/v1/countries/", HTTP_HOST="evil.example")
    assert problem_of(refused, 400)


def test_the_schema_documents_the_problem_format(api):
    schema = api.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    problem = schema["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail"}
    assert "errors" in problem["properties"]
    for path, operations in schema["paths"].items():
        if not path.startswith("/api/v1/") or "schema" in path:
            continue
        for method, operation in operations.items():
            if method == "parameters":
                continue
            responses = operation["responses"]
            errors = {code: r for code, r in responses.items() if not code.startswith(("2", "3"))}
            assert "default" in errors and ("400" in errors or "404" in errors), (path, method)
            for code, response in errors.items():
                assert list(response["content"]) == [PROBLEM], (path, method, code)
                ref = response["content"][PROBLEM]["schema"]["$ref"]
                assert ref == "#/components/schemas/Problem"
            if method in ("post", "put", "patch", "delete"):
                assert "401" in errors, (path, method)


def test_text_longer_than_the_schema_allows_is_refused_even_with_spaces_around_it(pair):
    """The schema's maxLength is of what is sent; trimming must not make room for more."""
    client = APIClient()
    client.force_authenticate(editor_for(CountryViewSet.queryset.model))
    limit = CountryViewSet.queryset.model._meta.get_field("name").max_length
    padded = {"iso3": "AAB", "region": "Europe", "name": "\x1c " + "x" * limit}
    body = problem_of(client.post("/api/v1/countries/", padded, format="json"), 400)
    assert [error["name"] for error in body["errors"]] == ["name"]
    assert f"no more than {limit} characters" in body["errors"][0]["detail"]
    padded["name"] = "  " + "x" * (limit - 2)
    assert client.post("/api/v1/countries/", padded, format="json").status_code == 201
