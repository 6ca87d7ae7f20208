"""What a proxy or CDN may keep: anonymous reads public and short, editors' answers never."""

import pytest
from django.contrib.auth.models import User

from tests.factories import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def world():
    make_world(1)


@pytest.mark.parametrize("path", ["/missions/", "/api/v1/missions/", "/matrix/"])
def test_anonymous_reads_are_public_for_the_configured_max_age(client, settings, path):
    settings.OCPO_PUBLIC_MAX_AGE = 17
    response = client.get(path)
    assert response.status_code == 200
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert directives == {"public", "max-age=17"}


def test_a_logged_in_editors_pages_are_private_and_never_stored(client):
    client.force_login(User.objects.create_user("ed", is_staff=True))
    response = client.get("/missions/")
    assert response.status_code == 200
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives
    assert "public" not in directives


def test_an_api_token_answer_is_private(client):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=User.objects.create_user("reader"))
    response = client.get("/api/v1/missions/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]


def test_a_view_that_decides_its_own_caching_keeps_it(client):
    response = client.get("/healthz/live")
    assert "public" not in response["Cache-Control"]
    assert "no-cache" in response["Cache-Control"]
