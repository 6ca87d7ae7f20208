"""Bad input to the API: refused with 400 (413 for a body over the bound), never a 500,
and the database left exactly as it was."""

import json

import pytest
from django.conf import settings

from missions.models import Mission
from tests.api_cases import make_pair, problem_errors
from tests.interfaces.cases import ACTIVITY, FINDING, INTERFACE, QUESTION
from tests.measures.cases import APPLICATION, AREA, MEASURE, POLICE_FUNCTION
from tests.missions.cases import COUNTRY, DOCUMENT, MISSION
from tests.security.conftest import kb_snapshot
from tests.sources.cases import SOURCE

pytestmark = pytest.mark.django_db

CASES = [
    COUNTRY,
    DOCUMENT,
    MISSION,
    INTERFACE,
    FINDING,
    ACTIVITY,
    QUESTION,
    AREA,
    MEASURE,
    APPLICATION,
    POLICE_FUNCTION,
    SOURCE,
]
ROUTES = {
    "country": "countries",
    "document": "documents",
    "mission": "missions",
    "interface": "interfaces",
    "finding": "findings",
    "activity": "activities",
    "question": "questions",
    "area": "measure-areas",
    "measure": "measures",
    "application": "applications",
    "police-function": "police-functions",
    "source": "sources",
}
ids = [case.basename for case in CASES]


@pytest.fixture
def pair(db):
    return make_pair()


def url_of(case):
    return f"/api/v1/{ROUTES[case.basename]}/"


def refused(client, method, url, body, *, status=400, **extra):
    before = kb_snapshot()
    if isinstance(body, (dict, list)):
        response = getattr(client, method)(url, body, format="json", **extra)
    else:
        response = client.generic(method.upper(), url, body, content_type="application/json")
    assert response.status_code == status, (method, url, response.status_code, response.content)
    assert kb_snapshot() == before, "the database changed"
    return problem_errors(response)


@pytest.mark.parametrize("body", ['{"name": ', "[1, 2", "{'single': 'quotes'}", "\x00", "nul"])
@pytest.mark.parametrize("method", ["post", "put", "patch"])
def test_malformed_json_is_400(pair, editor_api, method, body):
    url = url_of(MISSION) if method == "post" else f"{url_of(MISSION)}UNMIL/"
    errors = refused(editor_api, method, url, body)
    assert "JSON parse error" in errors["detail"]


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_a_body_that_is_not_an_object_is_400(pair, editor_api, case):
    for body in ([], [case.payload(pair)], "12", '"text"', "null"):
        refused(editor_api, "post", url_of(case), body)


WRONG_TYPES = [{"x": 1}, ["a"], 12.5, True]


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_wrong_types_are_field_errors(pair, editor_api, case):
    payload = case.payload(pair)
    for name, value in payload.items():
        for wrong in WRONG_TYPES:
            if isinstance(value, bool) and isinstance(wrong, bool):
                continue
            if isinstance(value, list) and isinstance(wrong, list):
                wrong = [{"x": 1}]
            errors = refused(editor_api, "post", url_of(case), {**payload, name: wrong})
            assert name in errors, (name, wrong, errors)


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_over_long_text_is_a_field_error(pair, editor_api, case):
    payload = case.payload(pair)
    texts = [name for name, value in payload.items() if isinstance(value, str)]
    model = type(pair[case.basename][0])
    bounded = [
        name
        for name in texts
        if getattr(model._meta.get_field(name), "max_length", None)
        and not model._meta.get_field(name).is_relation
    ]
    assert bounded, "every record has a bounded text field"
    for name in bounded:
        errors = refused(editor_api, "post", url_of(case), {**payload, name: "x" * 10_001})
        assert name in errors, name


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_unknown_natural_keys_are_field_errors(pair, editor_api, case):
    payload = case.payload(pair)
    relations = {
        "interface",
        "area",
        "measure",
        "mission",
        "country",
        "establishing_document",
        "countries",
        "missions",
        "documents",
        "activities",
        "interfaces",
        "measures",
    }
    for name in relations & set(payload):
        bad = ["NO-SUCH-KEY"] if isinstance(payload[name], list) else "NO-SUCH-KEY"
        errors = refused(editor_api, "post", url_of(case), {**payload, name: bad})
        assert name in errors
        assert "does not exist" in json.dumps(errors[name])


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_nul_bytes_in_text_are_field_errors(pair, editor_api, case):
    payload = case.payload(pair)
    for name, value in payload.items():
        if isinstance(value, str):
            errors = refused(editor_api, "post", url_of(case), {**payload, name: "a\x00b"})
            assert name in errors, name


def test_nul_bytes_in_a_patch_change_nothing(pair, editor_api):
    errors = refused(editor_api, "patch", f"{url_of(MISSION)}UNMIL/", {"summary": "\x00"})
    assert "summary" in errors


def test_unknown_fields_are_ignored_not_stored(pair, editor_api):
    response = editor_api.patch(
        f"{url_of(MISSION)}UNMIL/", {"no_such_field": "x", "id": 999}, format="json"
    )
    assert response.status_code == 200
    assert "no_such_field" not in response.json()


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_invalid_filters_are_400_naming_the_field(pair, client, case):
    for name, value in {**case.invalid, "limit": "many", "offset": "-1"}.items():
        response = client.get(url_of(case), {name: value})
        assert response.status_code == 400, (name, value)
        assert name in problem_errors(response)


def test_the_body_bound_is_set():
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 1024 * 1024


@pytest.mark.parametrize("method", ["post", "put", "patch"])
def test_a_body_over_the_bound_is_refused_not_a_500(pair, editor_api, method):
    big = json.dumps({"summary": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})
    url = url_of(MISSION) if method == "post" else f"{url_of(MISSION)}UNMIL/"
    before = kb_snapshot()
    response = editor_api.generic(method.upper(), url, big, content_type="application/json")
    assert response.status_code == 413
    assert kb_snapshot() == before


def test_a_body_over_the_bound_is_refused_by_the_portal_too(pair, client):
    big = "q=" + "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = client.generic(
        "POST", "/search/", big, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 405  # the portal's pages take no bodies at all
    assert response["Allow"] == "GET, HEAD"


def test_a_body_just_under_the_bound_is_read(pair, editor_api):
    # A long summary is allowed (a text field), so the bound is what refuses the big body.
    text = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE - 100)
    response = editor_api.patch(f"{url_of(MISSION)}UNMIL/", {"summary": text}, format="json")
    assert response.status_code == 200
    assert Mission.objects.get(acronym="UNMIL").summary == text
