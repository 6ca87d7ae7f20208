"""The OpenAPI schema: valid, without warnings, fully described, and equal to its snapshot.

The snapshot makes every change of the API contract visible in review. After an intended
change, regenerate it with ``make schema-snapshot`` (or
``python manage.py spectacular --file tests/snapshots/openapi.yaml``) and commit the diff.
"""

from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

SNAPSHOT = Path(__file__).parent / "snapshots" / "openapi.yaml"
UPDATE = "make schema-snapshot  (python manage.py spectacular --file tests/snapshots/openapi.yaml)"


@pytest.fixture(scope="module")
def schema_text(tmp_path_factory):
    path = tmp_path_factory.mktemp("schema") / "openapi.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def schema(schema_text):
    return yaml.safe_load(schema_text)


def test_schema_matches_the_snapshot(schema_text):
    assert SNAPSHOT.exists(), f"No schema snapshot yet: run {UPDATE}"
    assert schema_text == SNAPSHOT.read_text(encoding="utf-8"), (
        f"The API contract changed. If that is intended, run {UPDATE} and commit the diff."
    )


def test_every_parameter_is_described(schema):
    missing = [
        (path, method, parameter["name"])
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        for parameter in operation.get("parameters", [])
        if not parameter.get("description")
    ]
    assert missing == []


def test_every_field_is_described(schema):
    missing = [
        (name, field)
        for name, component in schema["components"]["schemas"].items()
        for field, spec in component.get("properties", {}).items()
        if not spec.get("description")
    ]
    assert missing == []


def test_lists_document_csv_and_details_do_not(schema):
    for path, operations in schema["paths"].items():
        if not path.startswith("/api/v1/") or "get" not in operations:
            continue
        content = operations["get"]["responses"]["200"].get("content", {})
        is_list = path.count("/") == 4  # /api/v1/<resource>/
        if path in ("/api/v1/schema/", "/api/v1/changes/") or path.endswith("/cite/"):
            continue  # citations: tests/test_citations.py; changes: tests/test_changes.py
        assert ("text/csv" in content) is is_list, path


def test_filters_are_documented_as_query_parameters(schema):
    parameters = {p["name"] for p in schema["paths"]["/api/v1/documents/"]["get"]["parameters"]}
    assert {
        "kind",
        "symbol",
        "country",
        "mission",
        "interface",
        "year",
        "date_after",
        "date_before",
        "search",
        "ordering",
        "limit",
        "offset",
        "format",
    } <= parameters


def test_documentation_is_served_without_a_cdn_or_inline_code(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "drf_spectacular_sidecar" in html
    assert "cdn." not in html and "unpkg" not in html and "googleapis" not in html
    assert "<style" not in html and "<script>" not in html  # the CSP allows neither
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


def test_redoc_is_not_offered(client):
    assert client.get("/api/v1/redoc/").status_code == 404
    assert "redoc" not in client.get("/api/v1/").json()


def test_schema_endpoint(client):
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    assert b"openapi: 3" in response.content
