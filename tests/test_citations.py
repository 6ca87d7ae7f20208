"""Cite this: every record, every filtered list and the knowledge base, in five formats,
each naming the editors, the version, its release date, a permanent URL with the version
and the access date; BibTeX parsed by pybtex, RIS checked against the RIS tag format."""

import json
import re

import pytest
import rispy
from django.utils import timezone
from pybtex.database import parse_string

from interfaces.models import Finding
from ocpo import releases
from tests.api_cases import problem_errors

pytestmark = pytest.mark.django_db


@pytest.fixture
def finding(kb):
    return Finding.objects.exclude(footnotes="").order_by("slug").first()


def cite(client, path, style, **filters):
    response = client.get(path, {**filters, "style": style})
    assert response.status_code == 200, response.content
    return response


def test_csl_json_names_editors_version_release_date_permanent_url_and_access(client, finding):
    item = json.loads(cite(client, f"/api/v1/findings/{finding.slug}/cite/", "csl-json").content)[0]
    version = releases.kb.data_version()
    assert item["author"] == [{"literal": "The ocpo editors"}]
    assert item["version"] == version
    released = releases.release_date(version)
    assert item["issued"]["date-parts"][0] == [int(p) for p in released.split("-")]
    assert item["URL"] == f"http://testserver/v/{version}/findings/{finding.slug}/"
    today = timezone.localdate()
    assert item["accessed"]["date-parts"][0] == [today.year, today.month, today.day]
    assert finding.title in item["title"]
    assert f"section {finding.section}" in item["note"]
    assert finding.footnotes in item["note"]


def test_bibtex_parses_with_pybtex(client, finding):
    text = cite(client, f"/api/v1/findings/{finding.slug}/cite/", "bibtex").content.decode()
    entry = next(iter(parse_string(text, "bibtex").entries.values()))
    assert entry.type == "misc"
    assert entry.fields["version"] == releases.kb.data_version()
    assert entry.fields["url"].endswith(f"/findings/{finding.slug}/")
    assert entry.fields["urldate"] == timezone.localdate().isoformat()
    assert str(entry.persons["author"][0]) == "{The ocpo editors}"


def test_ris_follows_the_tag_format_and_reads_back(client, finding):
    text = cite(client, f"/api/v1/findings/{finding.slug}/cite/", "ris").content.decode()
    lines = [line for line in text.splitlines() if line]
    assert lines[0] == "TY  - DATA" and lines[-1].rstrip() == "ER  -"
    assert all(re.fullmatch(r"[A-Z][A-Z0-9]  - .*", line) for line in lines)
    record = rispy.loads(text)[0]
    assert record["edition"] == releases.kb.data_version()
    assert record["urls"][0].endswith(f"/findings/{finding.slug}/")
    assert record["access_date"] == timezone.localdate().strftime("%Y/%m/%d")


@pytest.mark.parametrize("style,accessed", [("apa", "Retrieved"), ("chicago", "Accessed")])
def test_formatted_text_carries_version_url_and_access_date(client, finding, style, accessed):
    text = cite(client, f"/api/v1/findings/{finding.slug}/cite/", style).content.decode()
    version = releases.kb.data_version()
    assert "The ocpo editors" in text
    assert version in text
    assert f"/v/{version}/findings/{finding.slug}/" in text
    assert f"{accessed} {timezone.localdate().strftime('%-d %B %Y')}" in text
    assert f"section {finding.section}" in text


def test_a_filtered_list_is_cited_with_its_filters(client, kb):
    item = json.loads(
        cite(client, "/api/v1/findings/cite/", "csl-json", country="HTI", interface="2").content
    )[0]
    assert "country HTI" in item["title"] and "interface 2" in item["title"]
    assert item["URL"].endswith("/api/v1/findings/?country=HTI&interface=2")


def test_the_knowledge_base_as_a_whole(client, kb):
    item = json.loads(cite(client, "/api/v1/cite/", "csl-json").content)[0]
    assert item["title"] == releases.TITLE
    assert item["URL"] == f"http://testserver/v/{releases.kb.data_version()}/"


@pytest.mark.parametrize("style", ["apa", "chicago", "bibtex", "ris", "csl-json"])
def test_citations_are_never_served_as_html(client, finding, style):
    response = cite(client, f"/api/v1/findings/{finding.slug}/cite/", style)
    assert not response["Content-Type"].startswith("text/html")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_bad_citation_requests_say_what_was_wrong(client, kb):
    """Each refusal is a problem naming the parameter and what it may be."""
    style = problem_errors(client.get("/api/v1/missions/UNMIL/cite/", {"style": "xml"}))
    assert list(style) == ["detail", "style"]
    assert all(name in style["style"][0] for name in ("apa", "bibtex", "ris", "csl-json"))
    typo = problem_errors(client.get("/api/v1/missions/cite/", {"contry": "HTI"}))
    assert list(typo) == ["detail", "contry"]
    assert "country" in typo["contry"][0]
    bad_value = problem_errors(client.get("/api/v1/missions/cite/", {"active_in": "soon"}))
    assert "active_in" in bad_value
    missing = client.get("/api/v1/missions/NOPE/cite/")
    assert missing.status_code == 404
    assert problem_errors(missing)["detail"]


def test_pages_offer_cite_links_for_what_they_show(client, finding):
    page = client.get(f"/findings/{finding.slug}/").content.decode()
    assert f"/api/v1/findings/{finding.slug}/cite/?style=bibtex" in page
    page = client.get("/findings/?country=HTI").content.decode()
    assert "/api/v1/findings/cite/?country=HTI&amp;style=ris" in page
    page = client.get("/").content.decode()
    assert "/api/v1/cite/?style=apa" in page


def test_a_permanent_url_leads_to_the_page_while_its_version_is_served(client, kb):
    version = releases.kb.data_version()
    response = client.get(f"/v/{version}/missions/UNMIL/")
    assert response.status_code == 302 and response["Location"] == "/missions/UNMIL/"
    response = client.get("/v/0.0.9/missions/UNMIL/")
    assert response.status_code == 404
    assert b"No version 0.0.9" in response.content


def test_the_schema_documents_every_citation_route_and_its_styles(client):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    cite_paths = [path for path in schema["paths"] if path.endswith("/cite/")]
    assert "/api/v1/cite/" in cite_paths
    assert "/api/v1/findings/{slug}/cite/" in cite_paths
    assert "/api/v1/findings/cite/" in cite_paths
    for path in cite_paths:
        operation = schema["paths"][path]["get"]
        style = next(p for p in operation["parameters"] if p["name"] == "style")
        assert sorted(style["schema"]["enum"]) == sorted(
            ["apa", "chicago", "bibtex", "ris", "csl-json"]
        )
        assert "application/x-bibtex" in operation["responses"]["200"]["content"]


def test_the_locator_names_the_source_by_its_records_title(client, finding):
    """The title in a citation is the Source record's: renamed there, cited so."""
    from sources.models import Source

    Source.objects.filter(slug="paper").update(title="A Renamed Paper")
    item = json.loads(cite(client, f"/api/v1/findings/{finding.slug}/cite/", "csl-json").content)[0]
    assert item["note"].startswith(f"A Renamed Paper, section {finding.section}")
    assert "Interfaces between Peace Operations" not in item["note"]


def test_the_editors_records_cite_no_source(client, kb):
    from missions.models import Document

    document = Document.objects.filter(source="editors").order_by("slug").first()
    item = json.loads(cite(client, f"/api/v1/documents/{document.slug}/cite/", "csl-json").content)[
        0
    ]
    assert "note" not in item
