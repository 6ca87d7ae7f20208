"""Page numbers of quotations: located in the paper's text, stored on the finding, checked
by ``check_kb`` (a wrong or missing page names the file and the record), cited."""

import io
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from reversion.models import Version

from interfaces.models import Finding
from ocpo import citations
from ocpo.paper import PaperError, parse

pytestmark = pytest.mark.django_db

FINDINGS = "interfaces/findings.yaml"


def paper_path():
    path = Path(settings.KB_PAPER_PATH)
    if not path.is_file():
        if settings.KB_REQUIRE_PAPER:
            pytest.fail(f"the paper's text is not at {path}; OCPO_REQUIRE_PAPER is set")
        pytest.skip(f"the paper's text is not at {path} (set OCPO_PAPER)")
    return path


def check(paper):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("check_kb", paper=str(paper), stdout=out, stderr=err)
    except CommandError:
        return False, err.getvalue()
    return True, out.getvalue()


# The paper's text, page by page.

PAGED = "\n".join(
    [
        " First page opens here.",
        "Text of the first page",
        " Second page begins",
        "quoted words on two",
        "",
        "2",
        "RUNNING HEAD",
        "INTERFACES BETWEEN PEACE OPERATIONS AND ORGANIZED CRIME",
        "pages run on here.",
        " Fourth page",
        "9",
        "10",
        "",
        "4",
    ]
)


def test_printed_numbers_fix_the_numbering_of_every_page():
    paper = parse(PAGED)
    assert (paper.first, paper.last) == (1, 4)
    assert paper.pages_of("Text of the first") == ["1"]
    assert paper.pages_of("second page begins") == ["2"]
    # A quotation across a page break names both pages; footnote numbers are not pages.
    assert paper.pages_of("quoted words on two 2 running head pages run on") == ["2-3"]
    assert paper.pages_of("Fourth page") == ["4"]
    assert paper.pages_of("not in the text") == []


def test_printed_numbers_that_contradict_each_other_are_refused():
    with pytest.raises(PaperError, match="one numbering"):
        parse(PAGED.replace("\n4", "\n7"))


def test_the_papers_own_numbers_anchor_its_pages():
    paper = parse(paper_path().read_text(encoding="utf-8"))
    assert (paper.first, paper.last) == (1, 13)
    # Page 2 prints its number under footnotes 9-16; 11 and 12 close section IV's pages.
    assert paper.pages_of("S/RES/2070, 12 October 2012, p. 6.") == ["2"]
    assert paper.pages_of("Can previous experiences serve as starting point") == ["11"]
    assert paper.pages_of("What would the UN require to build capacity") == ["12"]
    assert paper.pages_of("Allegedly, this happens with the support") == ["8"]
    assert paper.pages_of("'Not for sale' campaign UNMIK") == ["13"]


# The bundled knowledge base.


def test_every_quotation_has_the_page_where_it_stands(kb):
    paper = parse(paper_path().read_text(encoding="utf-8"))
    quoting = Finding.objects.exclude(quotation="")
    assert quoting.count() >= 40
    for finding in quoting:
        assert [finding.page] == paper.pages_of(finding.quotation), finding.slug
    ok, out = check(paper_path())
    assert ok, out


def _fixtures_with(tmp_path, slug, old_line, new_line):
    directory = tmp_path / "fixtures"
    shutil.copytree(settings.KB_FIXTURES_DIR, directory)
    path = directory / FINDINGS
    text = path.read_text(encoding="utf-8")
    start = text.index(f"- slug: {slug}\n")
    end = text.index("\n- slug: ", start + 1)
    record = text[start:end]
    assert old_line in record
    path.write_text(text[:start] + record.replace(old_line, new_line) + text[end:], "utf-8")
    return directory


def _load(directory):
    call_command("load_kb", dir=str(directory), stdout=io.StringIO())


def test_a_wrong_page_in_a_fixture_is_an_error_naming_file_and_record(db, tmp_path):
    _load(_fixtures_with(tmp_path, "haiti-police-cocaine-trade", "page: '8'", "page: '9'"))
    ok, err = check(paper_path())
    assert not ok
    assert (
        f"{FINDINGS}, finding haiti-police-cocaine-trade: page 9 is wrong; "
        "the quotation stands on page 8"
    ) in err


def test_a_missing_page_is_an_error(db, tmp_path):
    _load(_fixtures_with(tmp_path, "haiti-police-cocaine-trade", "\n  page: '8'", ""))
    ok, err = check(paper_path())
    assert not ok
    assert f"{FINDINGS}, finding haiti-police-cocaine-trade: no page" in err


def test_a_page_the_paper_does_not_have_is_an_error(kb):
    finding = Finding.objects.filter(quotation="").first()
    finding.page = "14"
    finding.save()
    ok, err = check(paper_path())
    assert not ok
    assert f"{FINDINGS}, finding {finding.slug}: page '14' is not a page of the paper" in err


def test_locate_pages_fills_in_the_pages_in_one_revision(kb):
    Finding.objects.filter(slug="haiti-police-cocaine-trade").update(page="")
    Finding.objects.filter(slug="unmik-oc-bureau-late").update(page="3")
    out = io.StringIO()
    call_command("locate_pages", paper=str(paper_path()), stdout=out)
    assert "finding haiti-police-cocaine-trade: page - -> 8" in out.getvalue()
    assert "finding unmik-oc-bureau-late: page 3 -> 8" in out.getvalue()
    assert "2 pages changed" in out.getvalue()
    fixed = Finding.objects.get(slug="haiti-police-cocaine-trade")
    assert fixed.page == "8"
    latest = Version.objects.get_for_object(fixed).first()
    assert latest.revision.comment == "Pages located in the paper's text (locate_pages)."
    assert latest.field_dict["page"] == "8"
    recorded = latest.revision.version_set.filter(content_type__model="finding")
    assert recorded.count() == 2  # the two findings, in one revision
    assert check(paper_path())[0]


def test_locate_pages_dry_run_changes_nothing(kb):
    Finding.objects.filter(slug="haiti-police-cocaine-trade").update(page="")
    call_command("locate_pages", paper=str(paper_path()), dry_run=True, stdout=io.StringIO())
    assert Finding.objects.get(slug="haiti-police-cocaine-trade").page == ""


def test_a_page_is_a_page_or_a_range(kb, client):
    from django.contrib.auth.models import Group, User

    editor = User.objects.create_user("ed", is_staff=True)
    editor.groups.add(Group.objects.get(name="editors"))
    client.force_login(editor)
    url = "/api/v1/findings/haiti-police-cocaine-trade/"
    for bad in ("p. 8", "0", "8-", "<b>8</b>"):
        response = client.patch(url, {"page": bad}, content_type="application/json")
        assert response.status_code == 400, bad
        assert response.json()["errors"][0]["name"] == "page"
    response = client.patch(url, {"page": "7-8"}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["page"] == "7-8"


# Where the page shows.


@pytest.mark.parametrize("style", citations.STYLES)
def test_a_findings_citation_names_section_footnote_and_page(client, kb, style):
    finding = Finding.objects.get(slug="guinea-bissau-elites-drug-transit")
    assert (finding.section, finding.footnotes, finding.page) == ("II.6", "33", "8")
    response = client.get(f"/api/v1/findings/{finding.slug}/cite/", {"style": style})
    assert response.status_code == 200
    text = response.content.decode()
    assert "section II.6, footnote 33, p. 8" in text


def test_a_range_is_cited_as_pages(kb):
    finding = Finding.objects.get(slug="guinea-bissau-elites-drug-transit")
    finding.page = "7-8"
    assert citations.locator(finding).endswith("footnote 33, pp. 7\u20138")


def test_pages_show_the_page_beside_the_quotation(client, kb):
    finding = Finding.objects.get(slug="guinea-bissau-elites-drug-transit")
    html = client.get(finding.get_absolute_url()).content.decode()
    caption = html[html.index("<figcaption>") : html.index("</figcaption>")]
    assert '<span class="page">p. 8</span>' in caption
    assert "<dt>Page</dt><dd>p. 8 of the paper</dd>" in html
    listing = client.get("/findings/", {"interface": "6"}).content.decode()
    assert '<span class="page">p. 8</span>' in listing
