"""One test per change to production code that the suite once let through (issue 16).

Each was checked by making the change and watching the test fail: the country filter's
path through the mission, the matrix's choice of missions, the CSV formula guard, escaping
of editorial notes, the document-year constraint, ``active_in`` at a mission's last year,
the examples' joins on a mission page and the 413 for an oversized body. (The row lock of
If-Match is in tests/security/test_row_lock.py; it needs PostgreSQL.)
"""

import datetime
import json

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from measures.filters import MeasureApplicationFilterSet, MeasureFilterSet
from measures.models import Measure, MeasureApplication
from missions.filters import MissionFilterSet
from missions.models import Document, Mission
from ocpo import selectors
from ocpo.rest import csv_cell
from tests import factories as f
from tests.api_cases import count_queries, read_csv

pytestmark = pytest.mark.django_db


# 1. An Annex example is in a country when it names it, or names a mission hosted there.


def test_application_country_filter_follows_both_paths():
    pairs = f.make_place_pairs()
    found = MeasureApplicationFilterSet(
        {"country": "PTH"}, queryset=MeasureApplication.objects.all()
    ).qs
    assert set(found) == {pairs["mission_only"], pairs["country_only"]}


def test_application_country_filter_in_the_api(client):
    f.make_place_pairs()
    response = client.get("/api/v1/applications/", {"country": "PTH"})
    assert response.status_code == 200
    labels = sorted(row["label"] for row in response.json()["results"])
    assert labels == ["country only", "mission only"]


def test_measure_country_filter_follows_both_paths():
    pairs = f.make_place_pairs()
    through_mission = f.make_measure()
    f.make_application(measure=through_mission, mission=pairs["mission"])
    through_country = f.make_measure()
    f.make_application(measure=through_country, mission=None, country=pairs["country"])
    f.make_measure()  # applied nowhere
    found = MeasureFilterSet({"country": "PTH"}, queryset=Measure.objects.all()).qs
    assert set(found) == {pairs["measure"], through_mission, through_country}


# 2. The matrix keeps the missions with the most evidence.


@pytest.mark.parametrize(
    "build", [selectors.interface_mission_matrix, selectors.area_mission_matrix]
)
def test_matrix_keeps_the_missions_with_the_most_evidence(build):
    busy, empty = f.make_crowded_world(extra=3)
    matrix = build()
    assert [column["label"] for column in matrix["columns"]] == sorted(busy)
    assert matrix["left_out"] == len(empty)


def test_matrix_page_shows_the_busy_missions_and_says_how_many_are_left_out(client):
    busy, empty = f.make_crowded_world(extra=3)
    page = client.get("/matrix/").content.decode()
    assert all(f">{acronym}<" in page for acronym in busy)
    assert not any(acronym in page for acronym in empty)
    assert "The 30 missions with the most evidence are shown; 3 more" in page


# 3. The CSV formula guard covers every prefix a spreadsheet reads as a formula.


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_guards_every_formula_prefix(prefix):
    assert csv_cell(f"{prefix}SUM(A1)") == f"'{prefix}SUM(A1)"
    assert csv_cell(["x", f"{prefix}1"]) == f"x; {prefix}1"  # only the cell's start matters
    assert csv_cell(f"a{prefix}1") == f"a{prefix}1"


@pytest.mark.parametrize("prefix", ["\t", "\r"])
def test_csv_export_guards_tab_and_carriage_return(client, prefix):
    f.make_country(iso3="TAB", name=f"{prefix}=HYPERLINK(1)")
    rows = read_csv(client.get("/api/v1/countries/", {"format": "csv"}))
    assert [row["name"] for row in rows] == [f"'{prefix}=HYPERLINK(1)"]


# 4. An editorial note is text, never markup, on every page that shows provenance.

SCRIPT = '<script>alert("note")</script>'


def test_editorial_note_is_escaped_in_the_provenance_partial(client):
    mission = f.make_mission(acronym="NOTE", editorial_note=SCRIPT)
    document = f.make_document(editorial_note=SCRIPT)
    finding = f.make_finding(editorial_note=SCRIPT)
    for record in (mission, document, finding):
        page = client.get(record.get_absolute_url()).content.decode()
        assert "&lt;script&gt;alert(&quot;note&quot;)&lt;/script&gt;" in page, record
        assert SCRIPT not in page, record


# 5. A document's year is between 1945 and 2100, both included.


@pytest.mark.parametrize("year", [1945, 2100])
def test_document_year_limits_are_accepted(year):
    f.make_document(date=None, year=year)


@pytest.mark.parametrize("year", [1944, 2101])
def test_document_year_beyond_the_limits_is_rejected(year):
    with pytest.raises(IntegrityError), transaction.atomic():
        f.make_document(date=None, year=year)


@pytest.mark.parametrize(
    ("year", "valid"), [(1944, False), (1945, True), (2100, True), (2101, False)]
)
def test_document_year_limits_in_model_validation(year, valid):
    """The model's constraint (what the admin and the API validate) has the same limits as
    the database's (what the migration created)."""
    document = Document(slug="y", kind="resolution", title="T", year=year, section="I")
    try:
        document.validate_constraints()
    except ValidationError as error:
        assert not valid, error
        assert "document_year_plausible" in str(error)
    else:
        assert valid


# 7. active_in: a mission is active in its first and its last year, not a year outside.


@pytest.mark.parametrize(
    ("year", "active"), [(2002, False), (2003, True), (2018, True), (2019, False)]
)
def test_active_in_includes_the_first_and_last_year(year, active):
    f.make_mission(
        acronym="EDGE", start_date=datetime.date(2003, 12, 31), end_date=datetime.date(2018, 1, 1)
    )
    f.make_mission(acronym="OPEN", start_date=datetime.date(2000, 1, 1))
    by_method = set(Mission.objects.active_in(year).values_list("acronym", flat=True))
    by_filter = {
        m.acronym
        for m in MissionFilterSet({"active_in": str(year)}, queryset=Mission.objects.all()).qs
    }
    expected = {"OPEN", "EDGE"} if active else {"OPEN"}
    assert by_method == by_filter == expected


# 8. A mission page's queries do not grow with its Annex examples.


def _add_examples(mission, n):
    """``n`` examples of the mission and ``n`` for all missions, each with its own measure,
    area and country, so that a missing join costs a query per example."""
    for _ in range(n):
        f.make_application(
            measure=f.make_measure(area=f.make_area()), mission=mission, country=f.make_country()
        )
        f.make_application(
            measure=f.make_measure(area=f.make_area()), mission=None, all_missions=True
        )


def test_mission_page_queries_do_not_grow_with_its_examples(client):
    mission = f.make_mission(acronym="EXAMPLES", countries=[f.make_country()])
    _add_examples(mission, 1)
    count_queries(client, mission.get_absolute_url())  # warm per-process caches
    few = count_queries(client, mission.get_absolute_url())
    _add_examples(mission, 5)
    assert count_queries(client, mission.get_absolute_url()) == few


# 10. A body over 1 MiB is refused with 413 in the API's error format, before it is read.


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
def test_a_body_over_the_bound_is_413(client, django_user_model, method):
    from django.contrib.auth.models import Group

    from ocpo.editors import EDITORS_GROUP

    editor = django_user_model.objects.create_user("big-body")
    editor.groups.add(Group.objects.get(name=EDITORS_GROUP))
    client.force_login(editor)
    f.make_country(iso3="BIG", name="Big")
    big = json.dumps({"name": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})
    url = "/api/v1/countries/" if method == "POST" else "/api/v1/countries/BIG/"
    response = client.generic(method, url, big, content_type="application/json")
    assert response.status_code == 413
    assert "json" in response["Content-Type"]
    assert str(settings.DATA_UPLOAD_MAX_MEMORY_SIZE) in response.json()["detail"]
