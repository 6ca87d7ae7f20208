"""check_kb passes on the bundled knowledge base and fails on planted errors."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from interfaces.models import Finding
from measures.models import Measure
from missions.models import Document

pytestmark = pytest.mark.django_db


def _check(**options):
    out, err = io.StringIO(), io.StringIO()
    call_command("check_kb", stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def test_bundled_knowledge_base_is_clean(kb):
    out, err = _check()
    assert "check_kb passed: 0 errors" in out
    assert "interfaces/findings.yaml" in out  # the summary table


def _paper_path():
    """The paper's text: a missing one skips locally, and fails under OCPO_REQUIRE_PAPER."""
    path = Path(settings.KB_PAPER_PATH)
    if not path.is_file():
        reason = f"the paper's text is not at {path} (set OCPO_PAPER)"
        if settings.KB_REQUIRE_PAPER:
            pytest.fail(f"{reason}; OCPO_REQUIRE_PAPER is set")
        pytest.skip(reason)
    return path


def test_quotations_are_verbatim_from_the_paper(kb):
    out, _ = _check(paper=str(_paper_path()))
    assert "quotations not checked" not in out
    assert "check_kb passed: 0 errors" in out
    assert Finding.objects.exclude(quotation="").exists()


def test_a_missing_paper_is_an_error_when_required(kb, settings, tmp_path):
    settings.KB_REQUIRE_PAPER = True
    with pytest.raises(CommandError, match="paper's text is required .*absent.txt"):
        _check(paper=str(tmp_path / "absent.txt"))


def test_a_missing_paper_is_only_noted_when_not_required(kb, settings, tmp_path):
    settings.KB_REQUIRE_PAPER = False
    out, _ = _check(paper=str(tmp_path / "absent.txt"))
    assert "quotations not checked" in out


def test_the_tests_needing_the_paper_fail_without_it_when_required(settings, tmp_path):
    settings.KB_REQUIRE_PAPER = True
    settings.KB_PAPER_PATH = str(tmp_path / "absent.txt")
    with pytest.raises(pytest.fail.Exception, match="OCPO_REQUIRE_PAPER"):
        _paper_path()


def test_misquotation_fails(kb, tmp_path):
    paper = tmp_path / "paper.txt"
    paper.write_text("A paper that quotes nothing at all.")
    with pytest.raises(CommandError, match="check_kb failed"):
        _check(paper=str(paper))


def test_measure_without_application_fails(kb):
    measure = Measure.objects.first()
    measure.applications.all().delete()
    with pytest.raises(CommandError, match="check_kb failed"):
        _check()


def test_finding_without_place_or_citation_fails(kb):
    finding = Finding.objects.first()
    finding.missions.clear()
    finding.countries.clear()
    finding.documents.clear()
    finding.quotation = ""
    finding.save()
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("check_kb", stdout=io.StringIO(), stderr=err)
    assert f"finding {finding.slug}: names no mission and no country" in err.getvalue()


def test_general_finding_citing_a_document_is_a_warning(kb):
    finding = Finding.objects.filter(documents__isnull=False).first()
    finding.missions.clear()
    finding.countries.clear()
    out, _ = _check()
    assert f"warning: finding {finding.slug}: general" in out


def test_malformed_symbol_fails(kb):
    document = Document.objects.filter(kind="resolution").first()
    document.symbol = "S/RES/twenty"
    document.save()
    with pytest.raises(CommandError, match="check_kb failed"):
        _check()


def test_date_outside_its_year_fails(kb):
    document = Document.objects.exclude(date=None).first()
    document.year = document.date.year + 1
    document.save()
    with pytest.raises(CommandError, match="check_kb failed"):
        _check()
