"""API v1 as a whole: every route of the router, generated from its registry.

The permission matrix and the query-count bounds run for every registered viewset, so a
resource added to the router is covered without a line here.
"""

import json

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from interfaces.models import Finding
from ocpo.api import router
from ocpo.kb import data_version
from ocpo.middleware import DATA_VERSION_HEADER
from ocpo.rest import csv_cell, csv_filename
from tests import factories as f
from tests.api_cases import count_queries, detail_url, editor_for, make_pair, read_csv
from tests.interfaces.cases import ACTIVITY, FINDING, INTERFACE, QUESTION
from tests.measures.cases import APPLICATION, AREA, MEASURE, POLICE_FUNCTION
from tests.missions.cases import COUNTRY, DOCUMENT, MISSION
from tests.security.conftest import kb_snapshot
from tests.sources.cases import SOURCE

pytestmark = pytest.mark.django_db

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
REGISTRY = [(basename, viewset) for _, viewset, basename in router.registry]

# Queries per request, whatever the number of rows (asserted equal at two sizes too). The
# findings' link rows, each with its basis, take a prefetch of their own per kind of link
# (a finding's detail two more: the examples and police functions it repeats);
# tests/query_counts.json holds the exact bound of every route.
MAX_LIST_QUERIES = 10
MAX_DETAIL_QUERIES = 11


def model_of(viewset):
    return viewset.queryset.model


def ids(value):
    return value if isinstance(value, str) else getattr(value, "__name__", None)


@pytest.fixture
def pair(db):
    return make_pair()


def test_every_route_has_cases():
    assert {basename for basename, _ in REGISTRY} == set(CASES)


def test_root_lists_every_resource_and_the_docs(client):
    response = client.get("/api/v1/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    for prefix, _, _ in router.registry:
        assert body[prefix] == f"http://testserver/api/v1/{prefix}/"
    assert {"schema", "docs"} <= set(body)
    assert response[DATA_VERSION_HEADER]


def test_html_pages_carry_the_data_version_too(client):
    response = client.get("/admin/login/")
    assert response[DATA_VERSION_HEADER]


def test_a_model_permission_allows_writing_that_model_only(pair):
    """The write-permission matrix itself is tests/security/test_permissions.py."""
    client = APIClient()
    client.force_authenticate(editor_for(model_of(dict(REGISTRY)["country"])))
    response = client.patch(detail_url(MISSION, pair["mission"][0]), {}, format="json")
    assert response.status_code == 403
    response = client.patch(detail_url(COUNTRY, pair["country"][0]), {"region": "Elsewhere"})
    assert response.status_code == 200
    assert response.json()["region"] == "Elsewhere"


def test_token_authentication(pair):
    user = editor_for(model_of(dict(REGISTRY)["country"]))
    token = Token.objects.create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = client.patch(detail_url(COUNTRY, pair["country"][0]), {"region": "Africa"})
    assert response.status_code == 200
    assert response.json()["region"] == "Africa"


def test_deleting_a_record_others_depend_on_is_409(pair):
    client = APIClient()
    client.force_authenticate(editor_for(model_of(dict(REGISTRY)["interface"])))
    response = client.delete(detail_url(INTERFACE, pair["interface"][0]))
    assert response.status_code == 409
    assert response.json()["blocking"]


def test_check_constraints_are_400_not_500(pair):
    client = APIClient()
    client.force_authenticate(editor_for(model_of(dict(REGISTRY)["mission"])))
    url = detail_url(MISSION, pair["mission"][0])
    before = kb_snapshot()
    response = client.patch(url, {"end_date": "1990-01-01"}, format="json")
    assert response.status_code == 400
    assert "end" in json.dumps(response.json()).lower()  # says what was wrong
    response = client.patch(url, {"source": "editors", "editorial_note": ""}, format="json")
    assert response.status_code == 400
    assert "editor" in json.dumps(response.json())  # the editors-explain rule is named
    assert kb_snapshot() == before


def _last(viewset):
    return model_of(viewset).objects.order_by("-pk").first()


@pytest.mark.parametrize(("basename", "viewset"), REGISTRY, ids=ids)
def test_list_queries_do_not_grow_with_the_rows(
    db, client, basename, viewset, django_assert_max_num_queries
):
    url = reverse(f"api:{basename}-list")
    counts = []
    for size in (2, 10):  # make_world(2), then 12 in all
        f.make_world(size)
        with django_assert_max_num_queries(MAX_LIST_QUERIES):
            counts.append(count_queries(client, url))
    csv_counts = [count_queries(client, f"{url}?format=csv")]
    f.make_world(10)
    csv_counts.append(count_queries(client, f"{url}?format=csv"))
    assert counts[0] == counts[1], counts
    assert csv_counts[0] == csv_counts[1], csv_counts


@pytest.mark.parametrize(("basename", "viewset"), REGISTRY, ids=ids)
def test_detail_queries_do_not_grow_with_the_links(
    db, client, basename, viewset, django_assert_max_num_queries
):
    case = CASES[basename]
    counts = []
    for size in (2, 12):
        f.make_world(size)
        url = detail_url(case, _last(viewset))
        with django_assert_max_num_queries(MAX_DETAIL_QUERIES):
            counts.append(count_queries(client, url))
    assert counts[0] == counts[1], counts


def test_a_big_limit_is_capped_at_500(db, client):
    interface = f.make_interface()
    Finding.objects.bulk_create(
        Finding(slug=f"bulk-{k}", interface=interface, title="t", summary="s", section="II")
        for k in range(510)
    )
    body = client.get("/api/v1/findings/", {"limit": 100000}).json()
    assert body["count"] == 510
    assert len(body["results"]) == 500
    assert "limit=500" in body["next"]


def test_csv_neutralises_formulas(db, client):
    f.make_country(iso3="AAA", name="=HYPERLINK(1)", region="+Region")
    f.make_country(iso3="BBB", name="@SUM(1)", region="-Region")
    response = client.get("/api/v1/countries/", {"format": "csv", "ordering": "iso3"})
    rows = read_csv(response)
    assert [(row["name"], row["region"]) for row in rows] == [
        ("'=HYPERLINK(1)", "'+Region"),
        ("'@SUM(1)", "'-Region"),
    ]
    name = f"ocpo-countries-v{data_version()}.csv"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'


def test_csv_url_column_is_the_records_url(db, client):
    country = f.make_country(iso3="AAA")
    rows = read_csv(client.get("/api/v1/countries/", {"format": "csv"}))
    assert rows[0]["url"] == f"http://testserver{detail_url(CASES['country'], country)}"
    assert rows[0]["html_url"] == f"http://testserver{country.get_absolute_url()}"


def test_csv_file_is_named_after_resource_filters_and_version(db, client):
    response = client.get(
        "/api/v1/findings/?format=csv&country=HTI&interface=2&ordering=slug&search=",
        HTTP_ACCEPT="text/csv",
    )
    name = f"ocpo-findings-country-HTI-interface-2-v{data_version()}.csv"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    several = client.get("/api/v1/findings/", {"format": "csv", "country": ["LBR", "HTI"]})
    assert "ocpo-findings-country-LBR+HTI-v" in several["Content-Disposition"]


def test_csv_file_name_is_sanitised():
    name = csv_filename("findings", [("search", ['a"b\r\n/../x' * 40])], "1.2.0")
    assert name.startswith("ocpo-findings-search-a_b_.._x")
    assert name.endswith("-v1.2.0.csv")
    assert len(name) < 200
    assert set(name) <= set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.+_-")


def test_csv_cells_are_flat():
    assert csv_cell(["LBR", "SLE"]) == "LBR; SLE"
    assert csv_cell(["=1", "b"]) == "'=1; b"
    assert csv_cell(None) == ""
    assert csv_cell(True) == "true"
    assert csv_cell(-3) == "-3"


def test_browsable_api_renders_the_filter_form(pair, client):
    response = client.get("/api/v1/missions/", {"country": "LBR"}, HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert b'name="country"' in response.content


HOSTILE = ["x" * 1000, "99999999999999999999999", "-1", "1.5", "%", "_", "'", "\x00", ",", " , "]


@pytest.mark.parametrize(("basename", "viewset"), REGISTRY, ids=ids)
def test_hostile_values_never_fail_the_server(pair, basename, viewset):
    client = APIClient()
    url = reverse(f"api:{basename}-list")
    names = [*viewset.filterset_class.base_filters, "search", "ordering", "limit", "offset"]
    for name in names:
        for value in HOSTILE:
            response = client.get(url, {name: value})
            # A large offset is past the end: 404, saying how many records there are.
            expected = (200, 400, 404) if name == "offset" else (200, 400)
            assert response.status_code in expected, (name, value, response.status_code)
    for value in HOSTILE:
        detail = reverse(f"api:{basename}-detail", args=[value.strip() or "x"])
        assert client.get(detail).status_code == 404, value
