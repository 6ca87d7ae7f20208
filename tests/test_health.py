"""Liveness and readiness per dependency, and a database outage answered 503, not 500."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import OperationalError, connection

from ocpo.kb import data_version

ROOT = Path(__file__).resolve().parents[1]


def test_liveness_asks_no_dependency(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/healthz", "/healthz/ready"])
def test_readiness_reports_each_dependency(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "data_version": data_version(),
    }
    assert "no-cache" in response.headers["Cache-Control"]


def _refuse_queries(execute, sql, params, many, context):
    raise OperationalError("server closed the connection unexpectedly")


@pytest.fixture
def database_down(db, client):
    """Every query fails as it does when PostgreSQL has gone away."""
    client.raise_request_exception = False
    with connection.execute_wrapper(_refuse_queries):
        yield


def test_readiness_says_unavailable_without_the_database(client, database_down):
    response = client.get("/healthz/ready")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"
    assert response.json()["status"] == "unavailable"
    assert client.get("/healthz/live").status_code == 200


@pytest.mark.parametrize(
    "url", ["/api/v1/missions/", "/api/v1/missions/UNMIL/", "/api/v1/findings/?format=json"]
)
def test_api_clients_get_a_json_503_with_retry_after_during_a_database_outage(
    client, database_down, url
):
    response = client.get(url)
    assert response.status_code == 503
    assert response.headers["Content-Type"] == "application/problem+json"
    assert int(response.headers["Retry-After"]) > 0
    body = response.json()
    assert body["status"] == 503
    assert "database" in body["detail"]


def test_readers_get_a_503_page_during_a_database_outage(client, database_down):
    response = client.get("/missions/")
    assert response.status_code == 503
    assert response.headers["Content-Type"].startswith("text/html")
    assert "Temporarily unavailable" in response.content.decode()
    assert int(response.headers["Retry-After"]) > 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_refused_postgresql_connection_answers_503(client):
    """The real failure: the server's port refuses connections."""
    client.raise_request_exception = False
    connection.close()
    port = connection.settings_dict["PORT"]
    connection.settings_dict["PORT"] = "1"  # nothing listens there
    try:
        response = client.get("/api/v1/missions/")
        ready = client.get("/healthz/ready")
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port
    assert response.status_code == 503
    assert response.headers["Content-Type"] == "application/problem+json"
    assert ready.status_code == 503


def _fail_queries(execute, sql, params, many, context):
    raise ValueError("a bug, not an outage")


def test_other_errors_are_still_500(client, db):
    client.raise_request_exception = False
    with connection.execute_wrapper(_fail_queries):
        response = client.get("/missions/")
        api = client.get("/api/v1/missions/")
    assert response.status_code == 500
    assert "Retry-After" not in response.headers
    assert api.status_code == 500


def test_the_health_check_is_not_redirected_to_https_in_production(client, db, settings):
    """A load balancer probes over plain HTTP: a 301 reads as down."""
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "OCPO_ENV": "production",
        "SECRET_KEY": "s" * 60,
    }
    code = "import ocpo.settings as s, json; print(json.dumps(s.SECURE_REDIRECT_EXEMPT))"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = json.loads(out)
    for url in ("/healthz", "/healthz/ready", "/healthz/live"):
        assert client.get(url).status_code == 200, url
    assert client.get("/missions/").status_code == 301
