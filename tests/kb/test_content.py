"""Spot checks a reader can verify in the paper."""

import datetime

import pytest

from interfaces.models import Finding, Interface, Question
from measures.models import ActivityArea, Measure, MeasureApplication, PoliceFunction
from missions.models import Document, Mission, Source

pytestmark = pytest.mark.django_db

BOX_1 = [
    "Organized Crime fuels conflict",
    "Organized Crime undermines security",
    "Peacekeepers participate in Organized Crime",
    "Peace Operations fuel Organized Crime",
    "Peace Operations co-opt Organized Crime",
    "Organized Crime corrupts elites",
    "Peace Operations combat Organized Crime",
]


def test_seven_interfaces_in_box_1_order(kb):
    assert list(Interface.objects.values_list("number", "title")) == list(enumerate(BOX_1, 1))


def test_every_interface_has_findings_and_mechanisms(kb):
    for interface in Interface.objects.all():
        assert interface.findings.exists(), interface
        assert interface.mechanisms.exists(), interface


def test_annex_areas_and_measures(kb):
    assert ActivityArea.objects.count() == 15
    assert ActivityArea.objects.first().name == "Operations against OC"
    assert Measure.objects.count() == 33
    assert Measure.objects.first().name == "Law enforcement, operations, arrests"
    assert not Measure.objects.filter(applications__isnull=True).exists()


def test_unmil_controls_ports_at_monrovia_freeport(kb):
    application = MeasureApplication.objects.get(
        measure__name="Control ports and airports", mission__acronym="UNMIL"
    )
    assert application.label == "Monrovia Freeport"
    assert application.country.iso3 == "LBR"


def test_zero_tolerance_applies_to_all_missions(kb):
    application = MeasureApplication.objects.get(measure__name="Zero-tolerance policy")
    assert application.all_missions
    assert application.mission is None


def test_resolution_2070_on_haiti(kb):
    document = Document.objects.get(symbol="S/RES/2070")
    assert document.date == datetime.date(2012, 10, 12)
    assert document.countries.filter(iso3="HTI").exists()
    assert document.missions.filter(acronym="MINUSTAH").exists()
    assert 16 in document.footnote_numbers


def test_afghanistan_resolution_keeps_the_footnote_date(kb):
    document = Document.objects.get(symbol="S/RES/2096")
    assert document.date == datetime.date(2013, 3, 19)
    assert "2012" in document.editorial_note  # the body text's year, recorded as a discrepancy


def test_documents_the_paper_does_not_number_have_no_invented_symbol(kb):
    for document in Document.objects.filter(kind="academic"):
        assert document.symbol is None


def test_missions_named_in_the_paper(kb):
    named = {
        "UNMIK",
        "KFOR",
        "EULEX",
        "UNPROFOR",
        "MINUSTAH",
        "UNMIL",
        "UNAMSIL",
        "UNIPSIL",
        "UNOCI",
        "MINUSMA",
        "MONUSCO",
    }
    assert named <= set(Mission.objects.values_list("acronym", flat=True))
    assert Mission.objects.get(acronym="KFOR").lead_organization == "NATO"
    assert Mission.objects.get(acronym="EULEX").lead_organization == "EU"
    assert Mission.objects.get(acronym="UNMIK").countries.get().iso3 == "XKX"


def test_box_2_police_functions(kb):
    kinds = list(PoliceFunction.objects.values_list("kind", flat=True))
    assert kinds == ["core_function"] * 2 + ["activity"] * 13


def test_questions_for_discussion_are_linked(kb):
    assert Question.objects.count() == 14
    assert not Question.objects.filter(interfaces__isnull=True).exists()


def test_every_finding_is_traceable(kb):
    for finding in Finding.objects.all():
        if finding.source_id == Source.PAPER:
            assert finding.section, finding
        else:
            assert finding.editorial_note, finding
