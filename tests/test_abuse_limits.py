"""Abuse limits: anonymous API reads are rate-limited, logins throttled, bodies bounded."""

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_a_minute(settings):
    settings.OCPO_API_ANON_RATE = "3/minute"
    cache.clear()


def test_anonymous_api_reads_are_rate_limited(client, three_a_minute):
    statuses = [client.get("/api/v1/missions/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_forwarded_for_header_does_not_reset_the_count(client, three_a_minute):
    """With no trusted proxy, X-Forwarded-For is the client's word and is not believed."""
    for n in range(3):
        client.get("/api/v1/missions/", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    response = client.get("/api/v1/missions/", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert response.status_code == 429


def test_editors_are_not_limited_by_the_anonymous_rate(client, three_a_minute):
    client.force_login(User.objects.create_user("ed"))
    statuses = {client.get("/api/v1/missions/").status_code for _ in range(5)}
    assert statuses == {200}


def test_repeated_failed_logins_lock_the_account_out(client, settings):
    User.objects.create_superuser("admin", password="the-right-password-1")
    statuses = [
        client.post(
            "/admin/login/", {"username": "admin", "password": "wrong"}, REMOTE_ADDR="10.0.0.9"
        ).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    # The form again, with an error, until the limit; the failure that reaches it locks.
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    response = client.post(
        "/admin/login/",
        {"username": "admin", "password": "the-right-password-1"},
        REMOTE_ADDR="10.0.0.9",
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_successful_login_is_not_throttled(client):
    User.objects.create_superuser("admin", password="the-right-password-1")
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "admin", "password": "the-right-password-1"}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"]


def test_request_bodies_are_bounded(client):
    User.objects.create_superuser("admin", password="x")
    client.force_login(User.objects.get(username="admin"))
    body = "{" + '"text": "' + "x" * (2 * 1024 * 1024) + '"}'
    response = client.post("/api/v1/questions/", body, content_type="application/json")
    assert response.status_code == 413
