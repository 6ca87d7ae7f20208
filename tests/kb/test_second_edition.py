"""The second edition's content: whose words each quotation is, the corrections, and the
paper's arguments that had no record (each checked against the paper where it is at hand)."""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from rest_framework.test import APIClient

from interfaces.models import Finding
from measures.models import ActivityArea, Measure, MeasureApplication
from missions.models import Document
from ocpo.lint import lint

pytestmark = pytest.mark.django_db

NEW_ARGUMENTS = {
    "actor-typology-motives": "III.a",
    "mission-critical-questions": "III.b",
    "peacekeeping-crime-fighting-discrepancies": "III.d",
    "fragility-threat-causal-link-criticized": "I.a",
    "threat-awareness-not-translated-into-guidance": "I.b",
}


def _normalise(text):
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("-\n", "")
    return re.sub(r"\s+", " ", text).strip().lower()


def test_each_quotation_names_its_speaker(kb, client):
    minustah = Finding.objects.get(slug="sc-minustah-gang-violence")
    assert minustah.quotation_speaker == "the paper, quoting S/RES/2070"
    own = Finding.objects.get(slug="self-financed-rebel-groups")
    assert own.quotation_speaker == "the paper's own words"
    drc = Finding.objects.get(slug="eastern-drc-armed-groups-resources")
    assert "last report on MONUSCO" in drc.quotation_speaker
    html = client.get(minustah.get_absolute_url()).content.decode()
    assert "The paper, quoting S/RES/2070" in html
    data = APIClient().get(reverse("api:finding-detail", args=[minustah.slug])).json()
    assert data["quoted_document"] == "s-res-2070"
    assert data["quotation_speaker"] == "the paper, quoting S/RES/2070"


def test_a_quoted_document_without_a_quotation_is_an_error(kb):
    finding = Finding.objects.get(slug="sc-unipsil-tackle-toc")
    finding.quoted_document = Document.objects.get(slug="s-res-2065")
    finding.save()
    assert any("quotes nothing" in e for e in lint().errors)


def test_s_res_2066_records_the_adoption_date_and_keeps_the_printed_one(kb):
    document = Document.objects.get(slug="s-res-2066")
    assert document.date == datetime.date(2012, 9, 17)
    assert "12 September 2012" in document.editorial_note
    assert "editors' correction" in document.editorial_note


def test_the_2010_statement_is_its_own_finding_with_an_uncertain_attribution(kb):
    split = Finding.objects.get(slug="sc-2010-evolving-challenges-threats")
    link = split.document_links.get()
    assert (link.document.slug, link.basis) == ("s-prst-2010-4", "editors")
    assert "Uncertain" in link.reason and "S/PRST/2010/18" in link.reason
    region = Finding.objects.get(slug="sc-west-africa-sahel-focus")
    assert region.quotation == ""
    assert not region.activities.exists()


def test_the_same_situation_is_the_same_record(kb):
    planning = Finding.objects.get(slug="sc-oc-in-mission-planning")
    region = Finding.objects.get(slug="sc-west-africa-sahel-focus")
    assert set(planning.countries.values_list("iso3", flat=True)) == set(
        region.countries.values_list("iso3", flat=True)
    )
    for finding in (planning, region):
        assert set(finding.country_links.values_list("basis", flat=True)) == {"editors"}
    assert planning.documents.get().kind == "council_text"
    assert planning.quoted_document == planning.documents.get()


def test_wording_fixes(kb):
    assert (
        "executive mandate"
        not in Measure.objects.get(slug="law-enforcement-operations-arrests").description
    )
    area = ActivityArea.objects.get(slug="border-control")
    assert "costs" in area.name and "coasts" in area.editorial_note
    kocb = MeasureApplication.objects.get(
        measure__slug="increase-information-gathering", position=1
    )
    assert "Organized Crime Bureau" not in kocb.note
    assert "editors' reading" in kocb.editorial_note
    drc = Finding.objects.get(slug="eastern-drc-armed-groups-resources")
    assert "little interest" not in drc.summary
    unmil = Finding.objects.get(slug="gemap-international-oversight").mission_links.get()
    assert unmil.basis == "paper"


def test_the_papers_missing_arguments_have_records(kb):
    for slug, section in NEW_ARGUMENTS.items():
        finding = Finding.objects.get(slug=slug)
        assert finding.section == section, slug
        assert finding.quotation and finding.quotation_speaker == "the paper's own words"
    assert Finding.objects.get(slug="threat-awareness-not-translated-into-guidance").footnotes == (
        "21, 22"
    )


def test_new_quotations_are_verbatim(kb):
    path = Path(settings.KB_PAPER_PATH)
    if not path.exists():
        pytest.skip("the paper's text is not beside the project")
    paper = _normalise(path.read_text(encoding="utf-8"))
    for slug in [*NEW_ARGUMENTS, "sc-2010-evolving-challenges-threats"]:
        assert _normalise(Finding.objects.get(slug=slug).quotation) in paper, slug
