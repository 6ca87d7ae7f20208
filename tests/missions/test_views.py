"""Portal pages of the missions app: missions, countries and documents."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from missions.models import Country, Document, Mission
from tests.factories import (
    make_application,
    make_country,
    make_document,
    make_finding,
    make_interface,
    make_mission,
)
from tests.pages import assert_constant_queries, first

# Links made in tests are the paper's (sources.models.LinkBasis).
PAPER = {"basis": "paper"}

pytestmark = pytest.mark.django_db


@pytest.fixture
def haiti():
    country = make_country(iso3="HTI", name="Haiti", region="Caribbean")
    resolution = make_document(
        slug="s-res-2070",
        symbol="S/RES/2070",
        title="Haiti",
        date=datetime.date(2012, 10, 12),
        countries=[country],
    )
    mission = make_mission(
        acronym="MINUSTAH",
        name="United Nations Stabilization Mission in Haiti",
        countries=[country],
        start_date=datetime.date(2004, 4, 30),
        end_date=datetime.date(2017, 10, 15),
        establishing_document=resolution,
        editorial_note="Dates added by the editors.",
    )
    resolution.missions.set([mission], through_defaults=PAPER)
    interface = make_interface(number=7, slug="po-combat-oc", title="Peace Operations combat OC")
    make_finding(
        interface=interface,
        slug="haiti-gangs",
        title="MINUSTAH against gangs",
        quotation="assist the Government in effectively tackling gang violence",
        missions=[mission],
        countries=[country],
        documents=[resolution],
        footnotes="16",
    )
    return mission


def test_mission_list_shows_missions_and_links(client, haiti):
    make_mission(acronym="UNMIL", lead_organization="UN")
    response = client.get("/missions/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "MINUSTAH" in html and "UNMIL" in html
    assert 'href="/api/v1/missions/"' in html
    assert 'href="/api/v1/missions/?format=csv"' in html
    assert '<nav class="breadcrumb' in html


@pytest.mark.parametrize(
    "query, present, absent",
    [
        ("country=HTI", "MINUSTAH", "UNMIL"),
        ("region=Caribbean", "MINUSTAH", "UNMIL"),
        ("kind=un_spm", "UNMIL", "MINUSTAH"),
        ("lead_organization=EU", "UNMIL", "MINUSTAH"),
        ("active_in=2020", "UNMIL", "MINUSTAH"),
        ("interface=po-combat-oc", "MINUSTAH", "UNMIL"),
    ],
)
def test_mission_filters_narrow_the_list(client, haiti, query, present, absent):
    make_mission(
        acronym="UNMIL",
        kind="un_spm",
        lead_organization="EU",
        start_date=datetime.date(2019, 1, 1),
        countries=[make_country(region="West Africa")],
    )
    response = client.get(f"/missions/?{query}")
    assert response.status_code == 200
    rows = [str(m) for m in response.context["object_list"]]
    assert present in rows and absent not in rows
    html = response.content.decode()
    assert f'href="/api/v1/missions/?{query}"' in html
    assert f'href="/api/v1/missions/?format=csv&amp;{query}"' in html


def test_active_filter_chip_removes_its_value(client, haiti):
    response = client.get("/missions/?country=HTI&kind=un_pko")
    chips = {c["label"]: c for c in response.context["active_filters"]}
    assert chips["Host country"]["value"] == "Haiti"
    assert chips["Host country"]["remove_url"] == "/missions/?kind=un_pko"
    assert chips["Kind"]["value"] == "UN peacekeeping operation"
    assert "Remove filter Host country: Haiti" in response.content.decode()


def test_comma_separated_values_each_get_a_chip(client, haiti):
    make_mission(acronym="UNMIL", countries=[make_country(iso3="LBR", name="Liberia")])
    response = client.get("/missions/?country=HTI,LBR")
    assert {m.acronym for m in response.context["object_list"]} == {"MINUSTAH", "UNMIL"}
    chips = response.context["active_filters"]
    assert [c["remove_url"] for c in chips] == ["/missions/?country=LBR", "/missions/?country=HTI"]


def test_mission_profile(client, haiti):
    response = client.get("/missions/MINUSTAH/")
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "United Nations Stabilization Mission in Haiti",
        "UN peacekeeping operation",
        "30 April 2004",
        "S/RES/2070",
        "Dates added by the editors.",
        "MINUSTAH against gangs",
        "<blockquote",
        "assist the Government in effectively tackling gang violence",
        "<svg",  # the documents' timeline
        "Documents concerning MINUSTAH over time",
    ):
        assert text in html, text


def test_mission_profile_lists_measures_with_labels(client, haiti):
    from tests.factories import make_application

    make_application(mission=haiti, label="QUIPs in slums")
    make_application(all_missions=True, label="")
    html = client.get("/missions/MINUSTAH/").content.decode()
    assert "QUIPs in slums" in html
    assert "All missions" in html


def test_unknown_mission_is_404_in_the_portal_layout(client, db):
    response = client.get("/missions/NOPE/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert "Data version" in response.content.decode()


def test_country_pages(client, haiti):
    response = client.get("/countries/")
    assert response.status_code == 200
    assert "Haiti" in response.content.decode()
    response = client.get("/countries/HTI/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "MINUSTAH" in html and "MINUSTAH against gangs" in html and "S/RES/2070" in html
    assert client.get("/countries/XXX/").status_code == 404


def test_mission_and_country_lists_count_each_record_once(client, db):
    """Each count in the lists is of its own relation: a finding tied to two of a country's
    missions counts once for the country, and a mission's examples do not multiply its
    findings. The paginator counts the records alone (no join, whatever the annotations)."""
    liberia = make_country(iso3="LBR", name="Liberia")
    sierra = make_country(iso3="SLE", name="Sierra Leone")
    unmil = make_mission(acronym="UNMIL", countries=[liberia])
    unamsil = make_mission(acronym="UNAMSIL", countries=[liberia, sierra])
    make_finding(missions=[unmil, unamsil], countries=[liberia])
    make_finding(missions=[unmil], countries=[liberia, sierra])
    make_application(mission=unmil)
    make_application(mission=unmil, country=liberia)
    with CaptureQueriesContext(connection) as queries:
        missions = client.get("/missions/").context["object_list"]
    assert {m.acronym: (m.finding_count, m.application_count) for m in missions} == {
        "UNMIL": (2, 2),
        "UNAMSIL": (1, 0),
    }
    assert 'SELECT COUNT(*) AS "__count" FROM "missions_mission"' in [q["sql"] for q in queries]
    countries = client.get("/countries/").context["object_list"]
    counts = {c.iso3: (c.mission_count, c.finding_count, c.application_count) for c in countries}
    assert counts == {"LBR": (2, 2, 1), "SLE": (1, 1, 0)}


def test_country_filter_by_region(client, haiti):
    make_country(name="Liberia", region="West Africa")
    names = [c.name for c in client.get("/countries/?region=Caribbean").context["object_list"]]
    assert names == ["Haiti"]


def test_document_list_with_chart(client, haiti):
    make_document(
        slug="cornell-2005", symbol=None, kind="academic", title="Narcotics", year=2005, date=None
    )
    response = client.get("/documents/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "S/RES/2070" in html and "Narcotics" in html
    assert '<svg role="img"' in html and "Documents per year" in html
    assert [row["year"] for row in response.context["per_year"]] == [2005, 2012]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("kind=academic", ["cornell-2005"]),
        ("year=2005", ["cornell-2005"]),
        ("country=HTI", ["s-res-2070"]),
        ("mission=MINUSTAH", ["s-res-2070"]),
        ("interface=po-combat-oc", ["s-res-2070"]),
    ],
)
def test_document_filters(client, haiti, query, expected):
    make_document(
        slug="cornell-2005", symbol=None, kind="academic", title="Narcotics", year=2005, date=None
    )
    response = client.get(f"/documents/?{query}")
    assert [d.slug for d in response.context["object_list"]] == expected
    assert sum(row["count"] for row in response.context["per_year"]) == len(expected)


def test_document_detail_shows_what_cites_it(client, haiti):
    response = client.get("/documents/s-res-2070/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Missions it established" in html
    assert "MINUSTAH against gangs" in html
    assert "Haiti" in html
    assert client.get("/documents/no-such-document/").status_code == 404


# A list page's bound includes one query per filter select it counts (ocpo/facets.py).
@pytest.mark.parametrize(
    "url, bound",
    [
        pytest.param(lambda: "/missions/", 16, id="mission-list"),
        pytest.param(
            lambda: f"/missions/?country={first(Country).iso3}", 17, id="mission-filtered"
        ),
        pytest.param(lambda: f"/missions/{first(Mission).acronym}/", 19, id="mission-profile"),
        pytest.param(lambda: "/countries/", 9, id="country-list"),
        pytest.param(lambda: f"/countries/{first(Country).iso3}/", 15, id="country-detail"),
        pytest.param(lambda: "/documents/", 18, id="document-list"),
        pytest.param(lambda: f"/documents/{first(Document).slug}/", 14, id="document-detail"),
    ],
)
def test_query_count_does_not_grow_with_the_data(client, url, bound, django_assert_max_num_queries):
    assert_constant_queries(client, url, bound, django_assert_max_num_queries)


def test_kb_haiti_lists_minustah(client, kb):
    html = client.get("/countries/HTI/").content.decode()
    assert "MINUSTAH" in html
    html = client.get("/missions/MINUSTAH/").content.decode()
    assert "S/RES/2070" in html


def test_mission_page_shows_its_host_countries_evidence_marked_as_such(client, kb):
    """Issue 10, item 4: /missions/MINUSTAH/ shows Haiti's findings that name no MINUSTAH,
    apart from its own and linked to the country's list."""
    from interfaces.models import Finding

    response = client.get("/missions/MINUSTAH/")
    html = response.content.decode()
    groups = response.context["host_findings_by_interface"]
    shown = {f.slug for _, findings in groups for f in findings}
    expected = set(
        Finding.objects.filter(countries__iso3="HTI")
        .exclude(missions__acronym="MINUSTAH")
        .values_list("slug", flat=True)
    )
    assert shown == expected and expected
    assert "without naming MINUSTAH" in html
    assert 'href="/findings/?country=HTI"' in html
    for slug in expected:
        assert f'href="/findings/{slug}/"' in html
