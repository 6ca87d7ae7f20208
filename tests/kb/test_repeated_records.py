"""Findings that only repeat other records link to them: the Annex examples a finding
gathers, the Box 2 item a finding quotes. Each link carries its basis, end to end: the
fixtures, the database, the API, the pages, the history and the release."""

import re
import shutil

import pytest
import yaml
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from interfaces.models import Finding
from measures.models import ApplicationFinding, MeasureApplication, PoliceFunctionFinding
from ocpo import kb as knowledge_base
from sources.serializers import API_LINK_REASON

pytestmark = pytest.mark.django_db

RESOURCES = "liberia-sierra-leone-resource-measures"
BOX_2 = "un-police-functions-box-2"
SERIOUS_CRIME = "support-against-serious-organized-crime"
# The Annex cell the finding quotes ("Diamond fields UNAMSIL, UNMIL; Rubber smuggling UNMIL").
QUOTED = {
    ("monitoring-control-smuggling", 1),
    ("monitoring-control-smuggling", 2),
    ("monitoring-control-smuggling", 3),
}
# What only its summary restates: the grouping is the editors'.
RESTATED = {
    ("joint-committees-mechanisms", 1),  # Rubber Task Force, Liberia
    ("cadaster-systems", 1),  # UNAMSIL
    ("security-presence-resource-areas", 1),  # rubber plantations, UNMIL
    ("diamond-certification-kimberley-process", 1),  # certification centers, Liberia
    ("support-expert-panels", 1),  # UNMIL
    ("support-expert-panels", 2),  # UNAMSIL
}


def _links_of(slug):
    rows = ApplicationFinding.objects.filter(finding__slug=slug).select_related(
        "application__measure"
    )
    return {(r.application.measure.slug, r.application.position): r for r in rows}


def test_the_resource_finding_links_the_nine_annex_examples_it_repeats(kb):
    links = _links_of(RESOURCES)
    assert set(links) == QUOTED | RESTATED
    for key in QUOTED:
        assert (links[key].basis, links[key].reason) == ("paper", ""), key
    for key in RESTATED:
        assert links[key].basis == "editors", key
        assert "editors' grouping" in links[key].reason, key


def test_the_box_2_finding_links_the_item_it_quotes(kb):
    link = PoliceFunctionFinding.objects.select_related("police_function", "finding").get()
    assert (link.police_function.slug, link.finding.slug, link.basis) == (
        SERIOUS_CRIME,
        BOX_2,
        "paper",
    )
    assert link.finding.quotation == link.police_function.name
    # No other finding repeats a record.
    assert set(ApplicationFinding.objects.values_list("finding__slug", flat=True)) == {RESOURCES}


def test_the_finding_page_lists_what_it_repeats_with_the_editors_marked(client, kb):
    html = client.get(f"/findings/{RESOURCES}/").content.decode()
    start = html.index('<h2 id="elsewhere">What the paper records elsewhere</h2>')
    section = html[start : html.index("</section>", start)]
    items = re.findall(r"<li><a (.*?)</li>", section, re.S)
    assert len(items) == 9
    for example in MeasureApplication.objects.filter(finding_links__finding__slug=RESOURCES):
        assert f'href="{example.get_absolute_url()}"' in section
    editors = [item for item in items if "(editors)" in item]
    assert len(editors) == 6
    assert all("title=\"The editors' inference: " in item for item in editors)
    assert "Annex example: Rubber Task Force, Liberia" in section
    # The reason is spelled out below the list, not only on hover.
    assert escape(_links_of(RESOURCES)[("cadaster-systems", 1)].reason) in section
    assert section.count('<span class="link-basis-label">Editors</span>') == 6

    box = client.get(f"/findings/{BOX_2}/").content.decode()
    start = box.index('id="elsewhere"')
    section = box[start : box.index("</section>", start)]
    assert f'href="/police-functions/#{SERIOUS_CRIME}"' in section
    assert "(editors)" not in section and "Box 2, UN Police activity" in section


def test_a_finding_repeating_nothing_has_no_such_section(client, kb):
    html = client.get("/findings/haiti-police-cocaine-trade/").content.decode()
    assert "What the paper records elsewhere" not in html


def test_the_measure_and_box_2_pages_name_the_repeating_finding(client, kb):
    finding = Finding.objects.get(slug=RESOURCES)
    html = client.get("/measures/cadaster-systems/").content.decode()
    assert re.search(
        rf'Repeated in: <a class=" link-editors" href="{finding.get_absolute_url()}"[^>]*>'
        rf"{re.escape(escape(finding.title))}<span class=\"link-basis\"> \(editors\)",
        html,
    )
    html = client.get("/measures/monitoring-control-smuggling/").content.decode()
    assert html.count(f'href="{finding.get_absolute_url()}"') == 3
    html = client.get("/police-functions/").content.decode()
    item = html[html.index(f'id="{SERIOUS_CRIME}"') :]
    item = item[: item.index("</li>")]
    assert f'href="/findings/{BOX_2}/"' in item


def test_the_api_gives_each_link_with_its_basis(client, kb):
    cadaster = MeasureApplication.objects.get(measure__slug="cadaster-systems", position=1)
    body = client.get(f"/api/v1/applications/{cadaster.pk}/").json()
    assert [f["slug"] for f in body["repeated_in"]] == [RESOURCES]
    [link] = body["links"]["repeated_in"]
    assert (link["key"], link["basis"]) == (RESOURCES, "editors") and link["reason"]
    listed = client.get("/api/v1/applications/?finding=" + RESOURCES).json()
    assert listed["count"] == 9
    assert client.get(f"/api/v1/applications/?finding={RESOURCES}&basis=paper").json()[
        "count"
    ] == len(QUOTED)

    body = client.get(f"/api/v1/police-functions/{SERIOUS_CRIME}/").json()
    assert [f["slug"] for f in body["repeated_in"]] == [BOX_2]
    assert body["links"] == {"repeated_in": [{"key": BOX_2, "basis": "paper"}]}

    # The reverse on the finding, read-only, in the Annex's order.
    repeats = client.get(f"/api/v1/findings/{RESOURCES}/").json()["repeats"]
    assert repeats["police_functions"] == []
    ids = [link["key"] for link in repeats["applications"]]
    assert ids == list(
        MeasureApplication.objects.filter(finding_links__finding__slug=RESOURCES).values_list(
            "pk", flat=True
        )
    )
    assert [link["basis"] for link in repeats["applications"]].count("editors") == 6
    repeats = client.get(f"/api/v1/findings/{BOX_2}/").json()["repeats"]
    assert repeats["police_functions"] == [{"key": SERIOUS_CRIME, "basis": "paper"}]


@pytest.fixture
def editor(client):
    user = User.objects.create_user(username="ed", is_staff=True)
    user.groups.add(Group.objects.get(name="editors"))
    client.force_login(user)
    return user


def test_a_link_written_through_the_api_is_the_editors_and_shows_in_the_history(client, kb, editor):
    url = "/api/v1/police-functions/training/"
    before = client.get(url).json()["modified"]
    response = client.patch(url, {"repeated_in": [BOX_2]}, content_type="application/json")
    assert response.status_code == 200, response.content
    link = PoliceFunctionFinding.objects.get(police_function__slug="training")
    assert (link.basis, link.reason) == ("editors", API_LINK_REASON)
    assert response.json()["modified"] > before  # the link moves its owner
    history = client.get(f"{url}history/").json()
    [change] = history["results"][0]["changes"]
    assert change["field"] == "Findings"
    assert change["new"].startswith(Finding.objects.get(slug=BOX_2).title + " (the editors")


def test_deleting_a_finding_moves_the_records_that_linked_to_it(kb):
    example = MeasureApplication.objects.get(measure__slug="cadaster-systems", position=1)
    Finding.objects.get(slug=RESOURCES).delete()
    moved = MeasureApplication.objects.get(pk=example.pk)
    assert moved.modified > example.modified
    assert not ApplicationFinding.objects.exists()


def test_the_links_load_from_the_files_and_export_as_they_were(kb, tmp_path):
    copy = tmp_path / "fixtures"
    shutil.copytree(settings.KB_FIXTURES_DIR, copy)
    path = copy / "measures/police_functions.yaml"
    records = yaml.safe_load(path.read_text())
    [function] = [r for r in records if r["slug"] == SERIOUS_CRIME]
    function["repeated_in"] = [{"key": BOX_2, "basis": "editors", "reason": "A test's reason."}]
    path.write_text(knowledge_base.file_text(records))
    call_command("load_kb", "--dir", str(copy), verbosity=0)
    link = PoliceFunctionFinding.objects.get()
    assert (link.basis, link.reason) == ("editors", "A test's reason.")

    out = tmp_path / "out"
    knowledge_base.export(out)
    assert (out / "measures/police_functions.yaml").read_bytes() == path.read_bytes()
    assert (out / "measures/applications.yaml").read_bytes() == (
        settings.KB_FIXTURES_DIR / "measures/applications.yaml"
    ).read_bytes()


def test_the_finding_lists_them_in_the_annexs_order_whatever_order_they_were_linked(client, kb):
    first_example = MeasureApplication.objects.first()  # the Annex's first row, linked last
    first_example.repeated_in.add(
        Finding.objects.get(slug=RESOURCES), through_defaults={"basis": "paper"}
    )
    in_annex_order = list(
        MeasureApplication.objects.filter(finding_links__finding__slug=RESOURCES).values_list(
            "pk", flat=True
        )
    )
    assert in_annex_order[0] == first_example.pk
    repeats = client.get(f"/api/v1/findings/{RESOURCES}/").json()["repeats"]
    assert [link["key"] for link in repeats["applications"]] == in_annex_order
    html = client.get(f"/findings/{RESOURCES}/").content.decode()
    section = html[html.index('id="elsewhere"') :]
    assert section.index(first_example.measure.name) < section.index("Diamond fields")


def test_the_page_reads_the_repeated_records_in_constant_queries(client, kb):
    """Nine examples cost what one police function costs: read in one query per kind."""
    counts = []
    for slug in (BOX_2, RESOURCES):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/findings/{slug}/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
