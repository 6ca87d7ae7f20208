"""Who may write what, generated from the URL configuration and the API router.

The suite's one write-permission matrix: every unsafe method on every resource, for each
kind of client. (It used to be repeated in tests/test_api.py and in each app's API cases.)

Portal pages are read-only for everyone, editors included: every unsafe method on every
portal URL is refused (405, or 403 from CSRF) and changes nothing. In the API, anonymous
clients get 401/403, a logged-in user outside the editors group 403, and an editor (a
member of the ``editors`` group that migrate creates, no permission of their own) 2xx.
"""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from ocpo.api import router
from tests.api_cases import detail_url, editor_for, make_pair
from tests.interfaces.cases import ACTIVITY, FINDING, INTERFACE, QUESTION
from tests.measures.cases import APPLICATION, AREA, MEASURE, POLICE_FUNCTION
from tests.missions.cases import COUNTRY, DOCUMENT, MISSION
from tests.routes import REDIRECTS, url_for
from tests.security.conftest import kb_snapshot
from tests.sources.cases import SOURCE

pytestmark = pytest.mark.django_db

UNSAFE = ["post", "put", "patch", "delete"]
SKIPPED_NAMESPACES = {"admin", "api"}


def portal_patterns(resolver=None, prefix="", namespace=None):
    """(route, name, pattern) of every portal URL pattern, outside the admin and the API."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in SKIPPED_NAMESPACES or entry.app_name in SKIPPED_NAMESPACES:
                continue
            inner = entry.namespace or namespace
            yield from portal_patterns(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield prefix + str(entry.pattern), name, entry


PATTERNS = list(portal_patterns())


def fill(route, name, pattern):
    """The route with its keywords taken from a real record (``tests.routes``)."""
    if not pattern.pattern.regex.groupindex:
        return "/" + route
    return url_for(name, pattern)


@pytest.fixture
def pair(db):
    return make_pair()


def test_the_walk_finds_the_portal_and_skips_admin_and_api():
    routes = {route for route, _, _ in PATTERNS}
    assert {"", "search/", "matrix/", "compare/", "missions/<str:acronym>/"} <= routes
    assert not any(route.startswith(("admin/", "api/")) for route in routes)


@pytest.fixture
def clients(editor, plain_user):
    anonymous = Client()
    plain = Client()
    plain.force_login(plain_user)
    editing = Client()
    editing.force_login(editor)
    return {"anonymous": anonymous, "plain": plain, "editor": editing}


@pytest.mark.parametrize(
    ("route", "name", "pattern"), PATTERNS, ids=[p[0] or "/" for p in PATTERNS]
)
def test_no_unsafe_method_succeeds_on_a_portal_page(pair, clients, route, name, pattern):
    url = fill(route, name, pattern)
    expected = 302 if name in REDIRECTS else 200
    assert clients["anonymous"].get(url).status_code == expected, url
    before = kb_snapshot()
    for who, client in clients.items():
        for method in UNSAFE:
            response = getattr(client, method)(url, {"name": "x", "acronym": "UNMIL"})
            assert response.status_code in (403, 405), (who, method, url, response.status_code)
    csrf = Client(enforce_csrf_checks=True)
    csrf.force_login(User.objects.get(username="editor"))
    assert csrf.post(url, {"x": "y"}).status_code in (403, 405)
    assert kb_snapshot() == before


CASES = {
    case.basename: case
    for case in (
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
    )
}
REGISTRY = [(prefix, basename) for prefix, _, basename in router.registry]


def test_every_router_route_is_in_the_matrix():
    assert {basename for _, basename in REGISTRY} == set(CASES)


def api_request(client, method, prefix, case, obj, body=None):
    url = f"/api/v1/{prefix}/" if method == "post" else detail_url(case, obj)
    return getattr(client, method)(url, body or {}, format="json")


@pytest.mark.parametrize("method", UNSAFE)
@pytest.mark.parametrize(("prefix", "basename"), REGISTRY)
def test_anonymous_and_plain_users_cannot_write_through_the_api(
    pair, plain_user, prefix, basename, method
):
    case = CASES[basename]
    body = case.payload(pair)
    plain = APIClient()
    plain.force_authenticate(plain_user)
    token_plain = APIClient()
    token_plain.credentials(HTTP_AUTHORIZATION=f"Token {_token(plain_user)}")
    other_model = APIClient()  # holds every permission, but on another model
    other = QUESTION if basename != "question" else COUNTRY
    other_model.force_authenticate(editor_for(type(pair[other.basename][0])))
    before = kb_snapshot()
    for who, client, expected in (
        ("anonymous", APIClient(), (401, 403)),
        ("plain", plain, (403,)),
        ("plain by token", token_plain, (403,)),
        ("editor of another model", other_model, (403,)),
    ):
        response = api_request(client, method, prefix, case, pair[basename][1], body)
        assert response.status_code in expected, (who, method, prefix, response.status_code)
    assert kb_snapshot() == before


def _token(user):
    from rest_framework.authtoken.models import Token

    return Token.objects.get_or_create(user=user)[0].key


@pytest.mark.parametrize(("prefix", "basename"), REGISTRY)
def test_an_editor_may_post_put_patch_and_delete_through_the_api(pair, editor, prefix, basename):
    case = CASES[basename]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {_token(editor)}")
    assert not editor.user_permissions.exists()  # only through the group
    created = client.post(f"/api/v1/{prefix}/", case.payload(pair), format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    url = body["url"]
    put = client.put(url, body, format="json")
    assert put.status_code == 200, put.content
    assert put.json() == body  # what was sent back is what is stored
    assert client.patch(url, {}, format="json").status_code == 200
    assert client.delete(url).status_code == 204
    assert client.get(url).status_code == 404
