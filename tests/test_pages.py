"""The cross-app pages: home, matrix, compare, search, and the error pages."""

import pytest
from django.db import connection
from django.template.loader import render_to_string

from interfaces.models import FindingCountry, Interface
from ocpo import selectors
from ocpo.templatetags.portal import highlight
from tests.factories import (
    make_application,
    make_area,
    make_country,
    make_document,
    make_finding,
    make_interface,
    make_measure,
    make_mission,
)
from tests.pages import assert_constant_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_missions():
    fuels = make_interface(
        number=1, slug="oc-fuels-conflict", title="Organized Crime fuels conflict"
    )
    security = make_interface(
        number=2, slug="oc-undermines-security", title="Organized Crime undermines security"
    )
    liberia = make_country(iso3="LBR", name="Liberia")
    kosovo = make_country(iso3="XKX", name="Kosovo")
    unmil = make_mission(acronym="UNMIL", name="UN Mission in Liberia", countries=[liberia])
    unmik = make_mission(
        acronym="UNMIK", name="UN Interim Administration Mission in Kosovo", countries=[kosovo]
    )
    panel = make_document(
        slug="s-2002-470", symbol="S/2002/470", title="Panel on Liberia", missions=[unmil]
    )
    for n in range(3):
        make_finding(
            interface=fuels,
            slug=f"liberia-{n}",
            title=f"Diamonds and rubber smuggling {n}",
            summary="Armed groups traded diamonds <for> weapons.",
            missions=[unmil],
            documents=[panel],
        )
    make_finding(
        interface=security, slug="kosovo-1", title="Criminal networks in Kosovo", missions=[unmik]
    )
    make_finding(interface=security, slug="both", title="Shared", missions=[unmik, unmil])
    area = make_area(number=7, slug="border-control", name="Support to border control")
    ports = make_measure(area=area, slug="control-ports", name="Control ports and airports")
    make_application(measure=ports, mission=unmil, label="Monrovia Freeport")
    make_application(
        measure=make_measure(area=area, slug="presence", name="Establish presence at borders"),
        mission=unmik,
        label="UNMIK Kosovo",
    )
    return {"unmil": unmil, "unmik": unmik}


def test_home(client, two_missions):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<cite>Interfaces between Peace Operations and Organized Crime</cite>" in html
    assert "Organized Crime fuels conflict" in html
    assert 'href="/findings/?interface=oc-fuels-conflict"' in html
    fuels = response.context["interfaces"][0]
    assert (fuels.finding_count, fuels.mission_count) == (3, 1)
    assert 'href="/findings/?interface=oc-fuels-conflict&amp;mission=UNMIL"' in html  # the matrix
    assert 'role="search"' in html and 'name="q"' in html
    assert response.context["data_version"] in html
    assert 'href="/api/v1/docs/"' in html and 'href="/admin/"' in html
    assert 'class="skip-link" href="#main"' in html and '<main id="main"' in html


def test_matrix_cells_link_to_the_list_they_count(client, two_missions):
    response = client.get("/matrix/")
    assert response.status_code == 200
    rows = response.context["interface_matrix"]["rows"]
    cell = next(c for c in rows[0]["cells"] if c["column"].acronym == "UNMIL")
    assert cell["count"] == 3
    assert cell["url"] == "/findings/?interface=oc-fuels-conflict&mission=UNMIL"
    assert client.get(cell["url"]).context["result_count"] == 3
    html = response.content.decode()
    assert 'data-count="3"' in html and "shade-4" in html
    # A screen reader hears what the cell counts: the interface and the mission, by name.
    interface = rows[0]["head"].title
    assert f'aria-label="3 findings: {interface}, UN Mission in Liberia"' in html
    area_rows = response.context["area_matrix"]["rows"]
    area_cell = next(c for c in area_rows[0]["cells"] if c["column"].acronym == "UNMIL")
    assert area_cell["count"] == 1
    assert area_cell["url"] == "/measures/?area=border-control&mission=UNMIL"
    assert client.get(area_cell["url"]).context["result_count"] == 1


def test_area_matrix_on_the_papers_word_counts_and_chooses_only_what_the_annex_names(
    client, monkeypatch
):
    """``?basis=paper``: an example counts for a mission only where the Annex names the
    mission (not the editors) in an example of the paper's; the missions shown are the ones
    with the most such examples, and each cell links to the list so limited."""
    monkeypatch.setattr("ocpo.selectors.MATRIX_MAX_MISSIONS", 1)
    area = make_area(slug="border-control", name="Border control")
    measure = make_measure(area=area)
    named, inferred, editors = (make_mission(acronym=a) for a in ("MNAMED", "MINFER", "MOWN"))
    make_application(measure=measure, mission=named)
    # The mission shown also has an example whose place the editors inferred, and one of
    # the editors' own: neither counts on the paper's word.
    make_application(measure=measure, mission=named, mission_basis="editors", mission_reason="W.")
    make_application(measure=measure, mission=named, source="editors", editorial_note="Ours.")
    for _ in range(2):
        make_application(
            measure=measure, mission=inferred, mission_basis="editors", mission_reason="Why."
        )
    for _ in range(4):
        make_application(measure=measure, mission=editors, source="editors", editorial_note="Ours.")

    def cells(matrix):
        return [(c["column"].acronym, c["count"], c["url"]) for c in matrix["rows"][0]["cells"]]

    everything = selectors.area_mission_matrix()
    assert cells(everything) == [
        ("MOWN", 4, "/measures/?area=border-control&mission=MOWN"),
    ]
    paper = selectors.area_mission_matrix("paper")
    assert cells(paper) == [
        ("MNAMED", 1, "/measures/?area=border-control&mission=MNAMED&basis=paper"),
    ]
    assert paper["left_out"] == 2 and paper["max"] == 1
    assert client.get(paper["rows"][0]["cells"][0]["url"]).context["result_count"] == 1
    page = client.get("/matrix/", {"basis": "paper"}).content.decode()
    # The interface matrix's note and the Annex matrix's (the country matrix has none).
    assert page.count("The 1 missions with the most evidence are shown; 2 more") == 2


def test_country_matrix_on_the_papers_word_counts_and_chooses_only_what_the_paper_ties(
    client, monkeypatch
):
    """The country matrix with ``basis=paper``: a finding counts for a country only where
    the paper ties them in a finding of the paper's, the countries shown are those with the
    most such findings, and each cell links to the findings list so limited."""
    monkeypatch.setattr("ocpo.selectors.MATRIX_MAX_MISSIONS", 1)
    interface = make_interface(slug="oc-fuels-conflict")
    tied, inferred, editors = (make_country(iso3=iso3, name=iso3) for iso3 in ("AAA", "BBB", "CCC"))
    for country in (tied, tied, inferred, inferred, inferred):
        make_finding(interface=interface, countries=[country])
    FindingCountry.objects.filter(country=inferred).update(basis="editors", reason="Why.")
    inferred_link = FindingCountry.objects.filter(country=tied).latest("pk")
    FindingCountry.objects.filter(pk=inferred_link.pk).update(basis="editors", reason="Why.")
    for _ in range(4):
        make_finding(
            interface=interface, countries=[editors], source="editors", editorial_note="Ours."
        )

    def cells(matrix):
        return [(c["column"].iso3, c["count"], c["url"]) for c in matrix["rows"][0]["cells"]]

    assert cells(selectors.interface_country_matrix()) == [
        ("CCC", 4, "/findings/?interface=oc-fuels-conflict&country=CCC"),
    ]
    paper = selectors.interface_country_matrix("paper")
    assert cells(paper) == [
        ("AAA", 1, "/findings/?interface=oc-fuels-conflict&country=AAA&basis=paper"),
    ]
    assert paper["left_out"] == 2 and paper["column_noun"] == "countries"
    assert client.get(paper["rows"][0]["cells"][0]["url"]).context["result_count"] == 1
    page = client.get("/matrix/", {"basis": "paper"}).content.decode()
    assert "The 1 countries with the most evidence are shown; 2 more" in page
    # Each row is headed by its interface, in the mission matrix and the country matrix.
    assert page.count(f"{interface.number}. {interface.title}</a></th>") == 2


def test_compare_two_missions(client, two_missions):
    response = client.get("/compare/?missions=UNMIK,UNMIL")
    assert response.status_code == 200
    comparison = response.context["comparison"]
    assert [m.acronym for m in comparison["missions"]] == ["UNMIK", "UNMIL"]
    rows = {r["item"].slug: r for r in comparison["interfaces"]}
    assert rows["oc-fuels-conflict"]["differs"] is True  # UNMIL only
    assert rows["oc-undermines-security"]["differs"] is False  # both
    assert [len(c) for c in rows["oc-fuels-conflict"]["cells"]] == [0, 3]
    assert {r["item"].slug for r in comparison["measures"]} == {"control-ports", "presence"}
    html = response.content.decode()
    assert 'class="differs"' in html and "Monrovia Freeport" in html and "S/2002/470" in html


def test_compare_says_what_each_mission_has_that_the_others_lack(client, two_missions):
    response = client.get("/compare/?missions=UNMIK,UNMIL")
    only = {
        entry["mission"].acronym: {
            kind: [item.slug for item in entry[kind]]
            for kind in ("interfaces", "measures", "documents")
        }
        for entry in response.context["comparison"]["only"]
    }
    assert only == {
        "UNMIK": {"interfaces": [], "measures": ["presence"], "documents": []},
        "UNMIL": {
            "interfaces": ["oc-fuels-conflict"],  # both have "undermines security"
            "measures": ["control-ports"],
            "documents": ["s-2002-470"],
        },
    }
    summary = " ".join(response.content.decode().split())
    assert "UNMIL</a></strong> only: interface <a" in summary
    assert "1. Organized Crime fuels conflict</a>; 1 measure, 1 document." in summary
    assert "UNMIK</a></strong> only: 1 measure, 0 documents." in summary


def test_compare_of_missions_none_of_which_exists_names_each(client, two_missions):
    html = client.get("/compare/?missions=FOO,bar").content.decode()
    assert "No mission “FOO” exists" in html and "No mission “bar” exists" in html
    assert "Choose at least two missions." in html


def test_compare_accepts_repeated_parameters_and_ignores_unknown(client, two_missions):
    response = client.get("/compare/?missions=UNMIL&missions=UNMIK&missions=NOPE")
    assert [m.acronym for m in response.context["comparison"]["missions"]] == ["UNMIL", "UNMIK"]
    response = client.get("/compare/")
    assert (
        response.status_code == 200 and "Choose at least two missions" in response.content.decode()
    )


def test_search_groups_results_by_type_and_highlights(client, two_missions):
    response = client.get("/search/?q=diamonds")
    assert response.status_code == 200
    groups = {g["key"]: g for g in response.context["groups"]}
    assert len(groups["findings"]["results"]) == 3
    html = response.content.decode()
    assert "<mark>diamonds</mark>" in html.lower() or "<mark>Diamonds</mark>" in html
    assert "&lt;for&gt;" in html  # escaped before marking
    response = client.get("/search/?q=Monrovia Freeport")
    assert [
        m.slug for m in {g["key"]: g for g in response.context["groups"]}["measures"]["results"]
    ] == ["control-ports"]
    response = client.get("/search/?q=UNMIK")
    assert [
        m.acronym for m in {g["key"]: g for g in response.context["groups"]}["missions"]["results"]
    ] == ["UNMIK"]


def test_search_without_a_query_and_with_a_long_one(client, two_missions):
    assert client.get("/search/").context["groups"] == []
    response = client.get("/search/?q=" + "diamonds " * 100)
    assert response.status_code == 200
    assert len(response.context["q"]) <= 200


@pytest.mark.postgres
def test_search_ranks_with_postgres_full_text(client, two_missions):
    assert connection.vendor == "postgresql"
    response = client.get("/search/?q=smuggled")  # stemming: smuggled ~ smuggling
    findings = {g["key"]: g for g in response.context["groups"]}["findings"]["results"]
    assert len(findings) == 3
    assert all(hasattr(f, "search_rank") for f in findings)


def test_highlight_escapes_first_then_marks():
    assert highlight("<b>Diamond</b> & amp", "diamond amp") == (
        "&lt;b&gt;<mark>Diamond</mark>&lt;/b&gt; &amp; <mark>amp</mark>"
    )
    assert highlight("plain", "") == "plain"


def test_404_and_500_pages_use_the_layout(client, db):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    html = render_to_string("500.html")  # no request, no database
    assert "Something went wrong" in html and "ocpo.css" in html


@pytest.mark.parametrize(
    "url, bound",
    [
        pytest.param(lambda: "/", 14, id="home"),
        pytest.param(lambda: "/matrix/", 12, id="matrix"),
        pytest.param(
            lambda: "/compare/?missions=" + ",".join(m for m in _acronyms()), 16, id="compare"
        ),
        pytest.param(lambda: "/search/?q=evidence", 13, id="search"),
    ],
)
def test_query_count_does_not_grow_with_the_data(client, url, bound, django_assert_max_num_queries):
    assert_constant_queries(client, url, bound, django_assert_max_num_queries)


def _acronyms():
    from missions.models import Mission

    return list(Mission.objects.order_by("pk").values_list("acronym", flat=True)[:2])


def test_kb_home_and_matrix(client, kb):
    response = client.get("/")
    assert [i.number for i in response.context["interfaces"]] == [1, 2, 3, 4, 5, 6, 7]
    assert Interface.objects.count() == 7
    response = client.get("/compare/?missions=UNMIK,MINUSTAH")
    assert response.status_code == 200
    assert len(response.context["comparison"]["missions"]) == 2
    response = client.get("/search/?q=Haiti")
    missions = {g["key"]: g for g in response.context["groups"]}["missions"]["results"]
    assert "MINUSTAH" in [m.acronym for m in missions]


def test_country_matrix_shows_evidence_no_mission_names(client, kb):
    """Issue 10, item 4: findings tied to a country alone (interface 6 in Haiti) show per
    country, on the home page and the matrix, each count the size of the list it links."""
    from interfaces.models import Finding

    for url in ("/", "/matrix/"):
        response = client.get(url)
        matrix = response.context["country_matrix"]
        elites = next(r for r in matrix["rows"] if r["head"].number == 6)
        assert elites["total"] > 0, f"{url}: interface 6 is empty per country"
        for row in matrix["rows"]:
            for cell in row["cells"]:
                expected = Finding.objects.filter(
                    interface=row["head"], countries=cell["column"]
                ).count()
                assert cell["count"] == expected
                assert cell["url"].endswith(
                    f"?interface={row['head'].slug}&country={cell['column'].iso3}"
                )
        assert "Findings per interface and country" in response.content.decode()


def test_compare_says_which_missions_do_not_exist(client, kb):
    response = client.get("/compare/?missions=unmil,FOO")
    html = response.content.decode()
    assert "No mission “FOO” exists" in html
    assert [m.acronym for m in response.context["comparison"]["missions"]] == ["UNMIL"]
    assert 'value="UNMIL" checked' in html  # lower case still ticks the mission
    assert "No mission" not in client.get("/compare/?missions=UNMIL,UNMIK").content.decode()


def test_home_has_one_search_box(client, kb):
    html = client.get("/").content.decode()
    assert html.count('role="search"') == 1
    assert client.get("/missions/").content.decode().count('role="search"') == 1


def test_compare_offers_the_missions_with_most_findings_and_the_ones_chosen(client, monkeypatch):
    """The form ticks from the missions with the most findings (a cap lowered to 3 so that a
    few show it) and the ones already chosen; the others can be typed in."""
    from ocpo import selectors

    monkeypatch.setattr(selectors, "COMPARE_MAX_CHOICES", 3)
    interface = make_interface(number=1)
    busy = [make_mission(acronym=f"BUSY{k}") for k in range(3)]
    for k, mission in enumerate(busy):
        for _ in range(k + 1):
            make_finding(interface=interface, missions=[mission])
    make_mission(acronym="AAQUIET1")  # no findings; sorts first
    make_mission(acronym="AAQUIET2")
    response = client.get("/compare/")
    assert [m.acronym for m in response.context["choices"]] == ["BUSY0", "BUSY1", "BUSY2"]
    assert 'id="more-missions"' in response.content.decode()
    response = client.get("/compare/?missions=AAQUIET2,BUSY1")
    offered = [m.acronym for m in response.context["choices"]]
    assert offered == ["AAQUIET2", "BUSY0", "BUSY1", "BUSY2"]
    assert 'id="more-missions"' in response.content.decode()  # AAQUIET1 is not offered
    monkeypatch.setattr(selectors, "COMPARE_MAX_CHOICES", 5)
    response = client.get("/compare/")
    assert len(response.context["choices"]) == 5
    assert 'id="more-missions"' not in response.content.decode()


def test_compare_takes_the_first_six_missions_and_says_so(client):
    acronyms = [make_mission(acronym=f"CMP{k}").acronym for k in range(7)]
    response = client.get("/compare/?missions=" + ",".join(acronyms))
    assert [m.acronym for m in response.context["comparison"]["missions"]] == acronyms[:6]
    assert "Only the first six missions are compared." in response.content.decode()
    six = client.get("/compare/?missions=" + ",".join(acronyms[:6])).content.decode()
    assert "Only the first six" not in six


def test_home_and_about_count_each_kind_of_record(client, two_missions):
    """Each figure is its own kind's count: 2 missions, and records added so that no two
    kinds have as many (3 countries, 5 findings, 4 documents, 6 measures)."""
    make_country()
    for _ in range(3):
        make_document()
    for _ in range(4):
        make_measure()
    home = client.get("/").content.decode()
    for count, noun, url in [
        (2, "missions", "/missions/"),
        (3, "countries", "/countries/"),
        (5, "findings", "/findings/"),
        (4, "documents", "/documents/"),
        (6, "measures", "/measures/"),
    ]:
        assert f'<a href="{url}"><strong>{count}</strong> {noun}</a>' in home, noun
    about = client.get("/about/").content.decode()
    assert (
        "5 findings, 2 missions, 3 countries and territories, 4 documents and 6 measures" in about
    )
