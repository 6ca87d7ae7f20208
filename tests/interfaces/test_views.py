"""Portal pages of the interfaces app: interfaces, findings and questions."""

import pytest
from django.utils.html import escape

from interfaces.models import Finding, Interface
from interfaces.views import InterfaceDetailView
from tests.factories import (
    make_activity,
    make_application,
    make_country,
    make_document,
    make_finding,
    make_interface,
    make_measure,
    make_mechanism,
    make_mission,
    make_question,
)
from tests.pages import assert_constant_queries, first

pytestmark = pytest.mark.django_db


@pytest.fixture
def fuels():
    interface = make_interface(
        number=1, slug="oc-fuels-conflict", title="Organized Crime fuels conflict"
    )
    make_mechanism(interface=interface, description="OC funds armed groups.")
    liberia = make_country(iso3="LBR", name="Liberia")
    unmil = make_mission(acronym="UNMIL", countries=[liberia])
    panel = make_document(slug="s-2002-470", symbol="S/2002/470", title="Panel report")
    diamonds = make_activity(slug="diamond-smuggling", name="Diamond smuggling")
    make_finding(
        interface=interface,
        slug="liberia-diamonds",
        title="Diamonds fund the war",
        quotation="blood diamonds",
        missions=[unmil],
        countries=[liberia],
        documents=[panel],
        activities=[diamonds],
        footnotes="30",
    )
    make_finding(interface=interface, slug="afghan-opium", title="Opium in Afghanistan")
    other = make_interface(number=2, slug="oc-undermines-security", title="OC undermines security")
    make_finding(interface=other, slug="haiti-gangs", title="Gangs in Haiti")
    measure = make_measure(name="Monitoring smuggling", interfaces=[interface])
    make_application(measure=measure, mission=unmil, label="Diamond fields")
    make_question(text="How can missions cut OC's funding of armed groups?", interfaces=[interface])
    return interface


def test_interface_list(client, fuels):
    response = client.get("/interfaces/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Organized Crime fuels conflict" in html and "OC funds armed groups." in html
    assert "2 findings" in html
    assert 'href="/api/v1/interfaces/"' in html


def test_interface_detail(client, fuels):
    response = client.get("/interfaces/oc-fuels-conflict/")
    html = response.content.decode()
    assert response.status_code == 200
    for text in (
        "OC funds armed groups.",
        "Diamonds fund the war",
        "<blockquote",
        "blood diamonds",
        "footnote 30",
        "Monitoring smuggling",
        "Diamond fields",
        "S/2002/470",
        "How can missions cut OC",
    ):
        assert text in html, text
    assert "Gangs in Haiti" not in html
    cases = [case for case, _ in response.context["findings_by_case"]]
    assert sorted(cases) == ["General", "UNMIL (Liberia)"]
    assert client.get("/interfaces/no-such-interface/").status_code == 404


def test_interface_page_shows_the_first_findings_and_measures_and_links_to_all(client, monkeypatch):
    """At a thousand times the paper's data an interface has thousands of findings and
    hundreds of measures: the page shows the first of each in the lists' order, says how
    many there are and links to the lists that page through them all."""
    monkeypatch.setattr("interfaces.models.DETAIL_MAX_FINDINGS", 2)
    monkeypatch.setattr("interfaces.models.DETAIL_MAX_MEASURES", 2)
    monkeypatch.setattr(InterfaceDetailView, "queryset", Interface.objects.for_detail())
    interface = make_interface(slug="oc-fuels-conflict")
    other = make_interface()
    for n in (3, 1, 2):
        make_finding(interface=interface, slug=f"finding-{n}", title=f"Finding number {n}")
        make_measure(interfaces=[interface], position=n, name=f"Measure {n}")
    make_measure(interfaces=[other], position=0, name="Measure of another interface")
    html = client.get("/interfaces/oc-fuels-conflict/").content.decode()
    assert "The first 2 of 3 findings" in html and "The first 2 of 3 measures" in html
    assert 'href="/findings/?interface=oc-fuels-conflict">all of them in the list' in html
    assert 'href="/measures/?interface=oc-fuels-conflict">all of them in the list' in html
    shown = [n for n in (1, 2, 3) if f"Measure {n}</a>" in html]
    assert shown == [1, 2]  # the Annex's order, the measures list's first page
    assert "Measure of another interface" not in html
    assert sum(f"Finding number {n}" in html for n in (1, 2, 3)) == 2

    make_measure(interfaces=[other], position=5, name="Measure 5")
    html = client.get(f"/interfaces/{other.slug}/").content.decode()
    assert "Measure of another interface" in html and "Measure 5" in html
    assert "measures; <a" not in html  # both shown: no note


def test_finding_list_and_filters(client, fuels):
    response = client.get("/findings/")
    assert response.status_code == 200
    assert response.context["result_count"] == 3
    for query, expected in [
        ("interface=oc-fuels-conflict", {"liberia-diamonds", "afghan-opium"}),
        ("interface=1&mission=UNMIL", {"liberia-diamonds"}),
        ("country=LBR", {"liberia-diamonds"}),
        ("document=s-2002-470", {"liberia-diamonds"}),
        ("activity=diamond-smuggling", {"liberia-diamonds"}),
        ("mission=NOPE", set()),
    ]:
        response = client.get(f"/findings/?{query}")
        assert {f.slug for f in response.context["object_list"]} == expected, query
        assert response.context["result_count"] == len(expected)


def test_finding_list_links_the_same_query_in_the_api(client, fuels):
    html = client.get("/findings/?interface=oc-fuels-conflict&mission=UNMIL").content.decode()
    assert 'href="/api/v1/findings/?interface=oc-fuels-conflict&amp;mission=UNMIL"' in html
    assert (
        'href="/api/v1/findings/?format=csv&amp;interface=oc-fuels-conflict&amp;mission=UNMIL"'
        in html
    )
    assert 'href="/findings/?mission=UNMIL"' in html  # the chip removing the interface filter
    assert "Organized Crime fuels conflict" in html  # the chip shows the label, not the key


def test_finding_list_paginates(client, fuels):
    for n in range(30):
        make_finding(interface=fuels, slug=f"extra-{n}")
    response = client.get("/findings/?interface=oc-fuels-conflict&page=2")
    assert response.status_code == 200
    assert len(response.context["object_list"]) == 7
    assert 'href="?interface=oc-fuels-conflict&amp;page=1"' in response.content.decode()


def test_finding_detail(client, fuels):
    response = client.get("/findings/liberia-diamonds/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Diamonds fund the war" in html and "UNMIL" in html and "Diamond smuggling" in html
    assert "The paper" in html  # provenance
    assert client.get("/findings/nothing-here/").status_code == 404


def test_question_list(client, fuels):
    response = client.get("/questions/")
    assert response.status_code == 200
    assert "How can missions cut OC" in response.content.decode()


# A list page's bound includes one query per filter select it counts (ocpo/facets.py).
@pytest.mark.parametrize(
    "url, bound",
    [
        pytest.param(lambda: "/interfaces/", 10, id="interface-list"),
        pytest.param(lambda: f"/interfaces/{first(Interface).slug}/", 14, id="interface-detail"),
        pytest.param(lambda: "/findings/", 19, id="finding-list"),
        pytest.param(
            lambda: f"/findings/?interface={first(Interface).slug}", 20, id="finding-filtered"
        ),
        # Two queries more for the records it repeats (examples' and functions' link rows).
        pytest.param(lambda: f"/findings/{first(Finding).slug}/", 9, id="finding-detail"),
        pytest.param(lambda: "/questions/", 5, id="question-list"),
    ],
)
def test_query_count_does_not_grow_with_the_data(client, url, bound, django_assert_max_num_queries):
    assert_constant_queries(client, url, bound, django_assert_max_num_queries)


def test_kb_interfaces_are_the_seven_of_box_1(client, kb):
    response = client.get("/interfaces/")
    assert [i.number for i in response.context["object_list"]] == [1, 2, 3, 4, 5, 6, 7]
    assert client.get("/interfaces/oc-fuels-conflict/").status_code == 200


def test_interface_and_question_lists_filter(client, fuels):
    response = client.get("/interfaces/?mission=UNMIL")
    assert [i.slug for i in response.context["object_list"]] == ["oc-fuels-conflict"]
    assert 'href="/api/v1/interfaces/?mission=UNMIL"' in response.content.decode()
    response = client.get("/questions/?interface=oc-undermines-security")
    assert list(response.context["object_list"]) == []
    assert "0</strong> questions" in response.content.decode()


def test_questions_show_a_shared_editors_note_once(client, kb):
    """Issue 10, item 9: one note shared by all the questions is said once, not 14 times."""
    response = client.get("/questions/")
    common = response.context["common_note"]
    assert common
    assert response.content.decode().count(escape(common)) == 1


def test_finding_cards_show_the_editors_judgement(client, kb):
    """Issue 10, item 7: a card says which of its statements are the editors' judgement."""
    from interfaces.models import Finding

    response = client.get("/findings/?page=1")
    html = response.content.decode()
    noted = [f for f in response.context["object_list"] if f.editorial_note]
    assert noted
    for finding in noted:
        card = html.split(f'id="{finding.slug}"')[1].split("</article>")[0]
        assert escape(finding.editorial_note) in card
        marker = "Added by the editors" if finding.source_id == "editors" else "Editors' note"
        assert marker in card.replace("&#x27;", "'")
    assert Finding.objects.filter(source="editors").exists() or noted


def test_unknown_mission_filter_says_so(client, kb):
    html = client.get("/findings/?mission=XXXX").content.decode()
    assert "0</strong> findings" in html and "No mission “XXXX” exists." in html
