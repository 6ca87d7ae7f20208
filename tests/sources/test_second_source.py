"""Room for more than one source: a second, made-up source in a temporary copy of the
fixtures stands beside the paper, on the pages, in the API, its filter and check_kb.

Nothing here is real content: the source, its text and its finding are invented for the
test, and live only in ``tmp_path``.
"""

import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from interfaces.models import Finding
from ocpo import kb
from sources.models import Source

pytestmark = pytest.mark.django_db

FIXTURES = Path(settings.KB_FIXTURES_DIR)
SLUG = "made-up-report"
TITLE = "A Made-up Report for the Tests"
FINDING = "made-up-lake-smuggling"
QUOTATION = "smuggling across the lake went on under the eyes of the patrols"
# One page, its number printed at its foot (how ocpo.paper numbers a text's pages).
TEXT = f"{TITLE}\nThe report says that {QUOTATION}.\n\n1\n"

SOURCE_RECORD = f"""- slug: {SLUG}
  title: {TITLE}
  licence: Made up for a test; no licence.
  text_path: made-up-report.txt
"""
SECTION_RECORD = f"""- source: {SLUG}
  code: A
  title: The lake
  position: 1
  pages: '1'
"""
FINDING_RECORD = f"""- slug: {FINDING}
  interface: oc-fuels-conflict
  position: 99
  title: 'Made up: smuggling across a lake'
  summary: A made-up case, to show a second source beside the paper.
  quotation: {QUOTATION}
  countries:
    - LBR
  source: {SLUG}
  section: A
  page: '1'
"""


def _append(path, text):
    body = path.read_text(encoding="utf-8")
    assert body.endswith(kb.END_OF_FILE + "\n")
    path.write_text(body[: -len(kb.END_OF_FILE) - 1] + text + kb.END_OF_FILE + "\n", "utf-8")


@pytest.fixture
def texts(tmp_path):
    """The folder of the texts: the paper's (a copy) and the made-up source's."""
    folder = tmp_path / "texts"
    folder.mkdir()
    paper = Path(settings.KB_PAPER_PATH)
    if not paper.is_file():
        if settings.KB_REQUIRE_PAPER:
            pytest.fail(f"the paper's text is not at {paper}; OCPO_REQUIRE_PAPER is set")
        pytest.skip(f"the paper's text is not at {paper} (set OCPO_PAPER)")
    shutil.copy(paper, folder / paper.name)
    (folder / "made-up-report.txt").write_text(TEXT, encoding="utf-8")
    return folder


@pytest.fixture
def two_sources(tmp_path):
    """A copy of fixtures/ with one more source, its section and one finding citing it."""
    copy = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, copy)
    _append(copy / "sources/sources.yaml", SOURCE_RECORD)
    _append(copy / "sources/sections.yaml", SECTION_RECORD)
    _append(copy / "interfaces/findings.yaml", FINDING_RECORD)
    call_command("load_kb", dir=str(copy), verbosity=0)
    return copy


def test_the_second_source_loads_beside_the_paper(two_sources):
    finding = Finding.objects.get(slug=FINDING)
    assert finding.source.title == TITLE
    assert finding.section == "A"
    assert Source.objects.filter(slug="paper").exists()
    assert Finding.objects.filter(source="paper").count() > 1


def test_the_findings_list_shows_both_and_the_filter_separates_them(client, two_sources):
    paper_finding = Finding.objects.filter(source="paper").first()  # the list's first
    html = client.get("/findings/").content.decode()
    assert FINDING in html and paper_finding.slug in html
    assert TITLE in html  # the other source named beside its finding
    only = client.get("/findings/", {"source": SLUG}).content.decode()
    assert f"/findings/{FINDING}/" in only
    assert f"/findings/{paper_finding.slug}/" not in only
    paper = client.get("/findings/", {"source": "paper"}).content.decode()
    assert f"/findings/{paper_finding.slug}/" in paper
    assert f"/findings/{FINDING}/" not in paper


def test_the_api_filters_by_source(client, two_sources):
    body = client.get("/api/v1/findings/", {"source": SLUG}).json()
    assert [r["slug"] for r in body["results"]] == [FINDING]
    record = body["results"][0]
    assert (record["source"], record["section"], record["paper_section"]) == (SLUG, "A", "A")
    assert record["cited_as"] == f"{TITLE}, section A, p. 1"
    both = client.get("/api/v1/findings/", {"source": f"paper,{SLUG}"}).json()["count"]
    assert both == Finding.objects.count()


def test_the_sources_pages_show_the_second_source(client, two_sources):
    listing = client.get("/sources/").content.decode()
    assert TITLE in listing and "Interfaces between Peace Operations and Organized Crime" in listing
    page = client.get(f"/sources/{SLUG}/").content.decode()
    assert "The lake" in page and f"/findings/{FINDING}/" in page
    record = client.get(f"/findings/{FINDING}/").content.decode()
    assert TITLE in record and "A, The lake" in record
    api = client.get(f"/api/v1/sources/{SLUG}/").json()
    assert api["sections"] == [{"code": "A", "title": "The lake", "position": 1, "pages": "1"}]


def test_check_kb_checks_the_quotation_against_the_second_sources_text(two_sources, texts):
    out = StringIO()
    paper = texts / Path(settings.KB_PAPER_PATH).name
    call_command("check_kb", paper=str(paper), dir=str(two_sources), stdout=out)
    assert "check_kb passed" in out.getvalue()
    # The same words missing from its text: named as not found in that source.
    (texts / "made-up-report.txt").write_text(TEXT.replace("lake", "river"), encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("check_kb", paper=str(paper), dir=str(two_sources), stdout=out, stderr=err)
    assert f"finding {FINDING}: quotation not found verbatim in source {SLUG}" in err.getvalue()


def test_a_source_without_its_text_is_named(two_sources, texts, settings):
    (texts / "made-up-report.txt").unlink()
    paper = texts / Path(settings.KB_PAPER_PATH).name
    settings.KB_REQUIRE_PAPER = False
    out = StringIO()
    call_command("check_kb", paper=str(paper), dir=str(two_sources), stdout=out)
    assert f"warning: source {SLUG}: its text is not found" in out.getvalue()
    settings.KB_REQUIRE_PAPER = True
    with pytest.raises(CommandError, match=f"source {SLUG}: its text is not found"):
        call_command("check_kb", paper=str(paper), dir=str(two_sources), stdout=StringIO())


def test_a_section_not_in_the_records_source_is_refused(tmp_path):
    copy = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, copy)
    _append(copy / "sources/sources.yaml", SOURCE_RECORD)
    _append(
        copy / "interfaces/findings.yaml", FINDING_RECORD.replace("section: A", "section: II.1")
    )
    with pytest.raises(CommandError, match=rf"findings.yaml, record \d+ \({FINDING}\): section"):
        call_command("load_kb", dir=str(copy), verbosity=0)
