"""Portal pages of the measures app: the Annex table, a measure, Box 2."""

import pytest

from measures.models import Measure
from tests.factories import (
    make_application,
    make_area,
    make_country,
    make_interface,
    make_measure,
    make_mission,
    make_police_function,
)
from tests.pages import assert_constant_queries, first

pytestmark = pytest.mark.django_db


@pytest.fixture
def annex():
    liberia = make_country(iso3="LBR", name="Liberia")
    unmil = make_mission(acronym="UNMIL", countries=[liberia])
    unmik = make_mission(acronym="UNMIK", countries=[make_country(iso3="XKX", name="Kosovo")])
    fuels = make_interface(number=1, slug="oc-fuels-conflict")
    border = make_area(number=7, slug="border-control", name="Support to border control")
    reducing = make_area(number=15, slug="reducing-demand", name="Reducing demand")
    ports = make_measure(
        area=border,
        position=4,
        slug="control-ports",
        name="Control ports and airports",
        interfaces=[fuels],
    )
    make_application(measure=ports, position=1, mission=unmil, label="Monrovia Freeport")
    offlimits = make_measure(
        area=reducing, position=3, slug="off-limits", name="'Off-limits' lists"
    )
    make_application(measure=offlimits, position=1, mission=unmik, label="UNMIK Kosovo")
    zero = make_measure(
        area=reducing, position=1, slug="zero-tolerance", name="Zero-tolerance policy"
    )
    make_application(measure=zero, position=1, all_missions=True)
    make_police_function(kind="core_function", name="Operational support", measures=[ports])
    make_police_function(kind="activity", name="Support against serious and organized crime")


def test_measure_list_is_the_annex(client, annex):
    response = client.get("/measures/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("7. Support to border control") < html.index("15. Reducing demand")
    assert html.index("Zero-tolerance policy") < html.index("&#x27;Off-limits&#x27; lists")
    assert "Monrovia Freeport" in html and "All missions" in html
    assert 'href="/missions/UNMIL/"' in html and 'href="/missions/UNMIK/"' in html


@pytest.mark.parametrize(
    "query, expected",
    [
        ("mission=UNMIL", ["control-ports"]),
        ("country=XKX", ["off-limits"]),
        ("interface=oc-fuels-conflict", ["control-ports"]),
        ("area=reducing-demand", ["zero-tolerance", "off-limits"]),
    ],
)
def test_measure_filters(client, annex, query, expected):
    response = client.get(f"/measures/?{query}")
    assert [m.slug for m in response.context["object_list"]] == expected
    assert f'href="/api/v1/measures/?{query}"' in response.content.decode()


def test_measure_detail(client, annex):
    response = client.get("/measures/control-ports/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Monrovia Freeport" in html and "Operational support" in html
    assert client.get("/measures/nothing/").status_code == 404


def test_police_functions(client, annex):
    html = client.get("/police-functions/").content.decode()
    assert "Core function" in html and "Support against serious and organized crime" in html


# A list page's bound includes one query per filter select it counts (ocpo/facets.py).
@pytest.mark.parametrize(
    "url, bound",
    [
        pytest.param(lambda: "/measures/", 17, id="measure-list"),
        pytest.param(lambda: f"/measures/{first(Measure).slug}/", 8, id="measure-detail"),
        # One query more for the findings repeating the functions (their link rows).
        pytest.param(lambda: "/police-functions/", 5, id="police-functions"),
    ],
)
def test_query_count_does_not_grow_with_the_data(client, url, bound, django_assert_max_num_queries):
    assert_constant_queries(client, url, bound, django_assert_max_num_queries)


def test_kb_annex_shows_monrovia_freeport(client, kb):
    html = client.get("/measures/").content.decode()
    assert "Monrovia Freeport" in html
    assert client.get("/measures/?mission=UNMIL").context["result_count"] > 0


def test_police_functions_filter_by_kind(client, annex):
    response = client.get("/police-functions/?kind=core_function")
    assert [p.name for p in response.context["object_list"]] == ["Operational support"]
    assert "1</strong> police function matching" in response.content.decode()


def test_a_filter_on_examples_filters_the_examples_shown(client, kb):
    """Issue 10, item 6: /measures/?country=XKX shows, inside each measure, Kosovo's examples
    only (not MINUSTAH's in Haiti); the measure's page still lists them all."""
    response = client.get("/measures/?country=XKX")
    measures = list(response.context["object_list"])
    assert measures
    for measure in measures:
        examples = list(measure.applications.all())
        assert examples, measure.slug
        for example in examples:
            places = {example.country.iso3} if example.country else set()
            if example.mission:
                places |= {c.iso3 for c in example.mission.countries.all()}
            assert "XKX" in places, f"{measure.slug}: {example} is not in Kosovo"
    html = response.content.decode()
    assert "MINUSTAH" not in html.split("<table")[1]
    assert "Only the examples matching" in html


def test_annex_wording(client, kb):
    """Issue 10, item 9: plural headings, no doubled label, interfaces by title."""
    html = client.get("/police-functions/").content.decode()
    assert "Activitys" not in html and ">Activities</h2>" in html
    html = client.get("/measures/patrolling-coasts/").content.decode()
    assert "Editorial judgement." not in html
    assert "Every measure in the Annex is a case of interface 7" in html
    response = client.get("/measures/")
    measure = next(m for m in response.context["object_list"] if m.interfaces.all())
    interface = measure.interfaces.all()[0]
    assert f"{interface.number}. {interface.title}</a>" in response.content.decode()
