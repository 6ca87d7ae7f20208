"""Database constraints reject records that would break the knowledge base."""

import datetime

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction

from missions.models import Source
from ocpo.keys import SLUG
from tests.factories import (
    make_activity,
    make_application,
    make_area,
    make_country,
    make_document,
    make_finding,
    make_interface,
    make_measure,
    make_mission,
    make_police_function,
    make_question,
    make_source,
)

pytestmark = pytest.mark.django_db


def _rejected(factory, **fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        factory(**fields)


def test_interface_number_is_in_box_1():
    make_interface(number=7)
    _rejected(make_interface, number=8)


def test_interface_number_is_unique():
    make_interface(number=1)
    _rejected(make_interface, number=1, slug="other", title="Other")


def test_country_code_is_upper_case_iso3():
    _rejected(make_country, iso3="hti")
    _rejected(make_country, iso3="HT")


def test_mission_cannot_end_before_it_starts():
    _rejected(
        make_mission, start_date=datetime.date(2010, 1, 1), end_date=datetime.date(2009, 1, 1)
    )


def test_mission_kind_is_a_known_kind():
    _rejected(make_mission, kind="militia")


def test_document_symbol_is_unique_but_optional():
    make_document(symbol="S/RES/2070")
    _rejected(make_document, symbol="S/RES/2070")
    make_document(symbol=None, kind="academic")
    make_document(symbol=None, kind="academic")


def test_document_year_is_plausible():
    _rejected(make_document, date=None, year=1066)


def test_paper_record_cites_a_section():
    _rejected(make_finding, source=Source.PAPER, section="")


def test_editors_record_explains_itself():
    _rejected(make_finding, source=Source.EDITORS, section="", editorial_note="")
    make_finding(source=Source.EDITORS, section="", editorial_note="Added from UN records.")


def test_footnotes_are_a_list_of_numbers():
    make_finding(footnotes="10, 11")
    _rejected(make_finding, footnotes="ten")


def test_application_names_a_place():
    _rejected(make_application, mission=None, country=None, all_missions=False)
    make_application(mission=None, all_missions=True)


def test_measure_positions_are_unique_within_an_area():
    measure = make_measure(position=1)
    _rejected(make_measure, area=measure.area, position=1)


SLUG_FACTORIES = [
    make_source,
    make_document,
    make_activity,
    make_interface,
    make_finding,
    make_question,
    make_area,
    make_measure,
    make_police_function,
]


def test_every_slug_checked_by_the_database_is_covered_here():
    checked = {
        model
        for model in apps.get_models()
        for constraint in model._meta.constraints
        if ("slug__regex", SLUG.regex) in getattr(constraint.condition, "children", ())
    }
    assert {factory().__class__ for factory in SLUG_FACTORIES} == checked


@pytest.mark.parametrize("factory", SLUG_FACTORIES, ids=lambda factory: factory.__name__)
def test_a_slug_is_not_an_api_route_word(factory):
    _rejected(factory, slug="cite")
    factory(slug="cite-x")
    factory(slug="recite")
