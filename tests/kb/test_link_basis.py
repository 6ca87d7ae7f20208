"""Every link carries its basis: the paper's statement or the editors' inference (with why)."""

import io
import shutil

import pytest
import yaml
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from rest_framework.test import APIClient

from interfaces.models import Finding, FindingCountry, FindingMission
from measures.models import ApplicationFinding, MeasureApplication, PoliceFunctionFinding
from missions.models import Document, Mission
from ocpo import kb as knowledge_base
from ocpo import selectors
from ocpo.editors import EDITORS_GROUP
from ocpo.lint import link_models

pytestmark = pytest.mark.django_db

FIXTURES = settings.KB_FIXTURES_DIR


def _copy(tmp_path):
    copy = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, copy)
    return copy


def _rewrite(copy, path, change):
    target = copy / path
    records = yaml.safe_load(target.read_text())
    change({r.get("slug"): r for r in records})
    target.write_text(knowledge_base.file_text(records))


def test_audited_links_carry_their_basis(kb):
    robust = Finding.objects.get(slug="haiti-robust-action")
    link = robust.mission_links.get()
    assert (link.mission.acronym, link.basis) == ("MINUSTAH", "editors")
    assert "missions" in link.reason
    assert robust.country_links.get().basis == "paper"
    gemap = Finding.objects.get(slug="gemap-international-oversight").mission_links.get()
    assert (gemap.basis, "Annex" in gemap.reason) == ("paper", True)
    unmil = Document.objects.get(slug="s-res-2066").mission_links.get()
    assert unmil.basis == "editors"
    kocb = MeasureApplication.objects.get(
        measure__slug="increase-information-gathering", position=1
    )
    assert (kocb.mission_basis, kocb.country_basis) == ("paper", "editors")


def test_every_editors_link_gives_a_reason(kb):
    for through in link_models():
        assert through.objects.count(), through
        assert not through.objects.filter(basis="editors", reason="").exists(), through
    assert not MeasureApplication.objects.filter(country_basis="editors", country_reason="")


def test_the_database_refuses_an_editors_link_without_reason(kb):
    finding, mission = Finding.objects.first(), Mission.objects.get(acronym="EULEX")
    with pytest.raises(IntegrityError), transaction.atomic():
        FindingMission.objects.create(finding=finding, mission=mission, basis="editors")
    with pytest.raises(IntegrityError), transaction.atomic():
        FindingMission.objects.create(finding=finding, mission=mission, basis="")


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"key": "HTI"}, "has no valid basis"),
        ({"key": "HTI", "basis": "editors"}, "must give a reason"),
        ({"key": "HTI", "basis": "guess", "reason": "x"}, "has no valid basis"),
    ],
)
def test_load_and_check_kb_refuse_a_link_without_basis_or_reason(kb, tmp_path, item, message):
    copy = _copy(tmp_path)
    _rewrite(
        copy,
        "interfaces/findings.yaml",
        lambda by: by["haiti-drug-trade-gangs"].update(countries=[item]),
    )
    with pytest.raises(CommandError, match=message) as refused:
        call_command("load_kb", dir=str(copy), verbosity=0)
    assert "interfaces/findings.yaml" in str(refused.value)
    assert "haiti-drug-trade-gangs" in str(refused.value)
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("check_kb", dir=str(copy), stdout=io.StringIO(), stderr=err)
    assert message in err.getvalue() and "haiti-drug-trade-gangs" in err.getvalue()


def test_a_changed_basis_loads_and_round_trips(kb, tmp_path):
    copy = _copy(tmp_path)
    reason = "A test reason."
    _rewrite(
        copy,
        "interfaces/findings.yaml",
        lambda by: by["haiti-drug-trade-gangs"].update(
            countries=[{"key": "HTI", "basis": "editors", "reason": reason}]
        ),
    )
    call_command("load_kb", dir=str(copy), verbosity=0)
    link = FindingCountry.objects.get(finding__slug="haiti-drug-trade-gangs")
    assert (link.basis, link.reason) == ("editors", reason)
    out = tmp_path / "out"
    knowledge_base.export(out)
    path = "interfaces/findings.yaml"
    assert (out / path).read_text() == (copy / path).read_text()


def test_api_returns_each_links_basis(kb):
    client = APIClient()
    data = client.get(reverse("api:finding-detail", args=["haiti-robust-action"])).json()
    assert data["links"]["missions"][0]["key"] == "MINUSTAH"
    assert data["links"]["missions"][0]["basis"] == "editors"
    assert data["links"]["countries"] == [{"key": "HTI", "basis": "paper"}]
    listed = client.get(reverse("api:finding-list"), {"limit": 500}).json()["results"]
    assert all("links" in row for row in listed)


def test_basis_paper_leaves_out_the_editors_links(kb):
    client = APIClient()
    url = reverse("api:finding-list")

    def slugs(params):
        return {row["slug"] for row in client.get(url, params).json()["results"]}

    everything = slugs({"mission": "MINUSTAH", "limit": 500})
    paper = slugs({"mission": "MINUSTAH", "basis": "paper", "limit": 500})
    assert "haiti-robust-action" in everything - paper
    assert "sc-minustah-gang-violence" in paper
    assert client.get(url, {"basis": "nonsense"}).status_code == 400
    countries = reverse("api:document-list")
    mali = {
        r["slug"]
        for r in client.get(countries, {"country": "MLI", "basis": "paper"}).json()["results"]
    }
    assert "s-res-2071" in mali and "s-res-2100" not in mali
    missions = {
        r["acronym"]
        for r in client.get(reverse("api:mission-list"), {"basis": "paper"}).json()["results"]
    }
    assert "UNAMA" not in missions and "UNMIL" in missions


def test_the_matrix_can_count_only_what_the_paper_states(kb, client):
    def cell(matrix, interface, acronym):
        row = next(r for r in matrix["rows"] if r["head"].slug == interface)
        return next((c["count"] for c in row["cells"] if c["column"].acronym == acronym), 0)

    everything = selectors.interface_mission_matrix()
    paper = selectors.interface_mission_matrix("paper")
    assert cell(everything, "oc-undermines-security", "MINUSTAH") == 1
    assert cell(paper, "oc-undermines-security", "MINUSTAH") == 0
    page = client.get(reverse("matrix"), {"basis": "paper"})
    assert page.status_code == 200 and "basis=paper" in page.content.decode()
    assert client.get(reverse("matrix"), {"basis": "x"}).status_code == 200


def test_pages_mark_the_editors_links_and_say_why(kb, client):
    finding = Finding.objects.get(slug="haiti-robust-action")
    html = client.get(finding.get_absolute_url()).content.decode()
    assert "link-editors" in html and "(editors)" in html
    assert "The editors' inference: The paper speaks of" in html
    document = client.get(Document.objects.get(slug="s-res-2066").get_absolute_url())
    assert "link-editors" in document.content.decode()


@pytest.fixture
def editor_client(db):
    user = User.objects.create_user("link-editor")
    user.groups.add(Group.objects.get(name=EDITORS_GROUP))
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_link_added_through_the_api_is_the_editors_until_checked(kb, editor_client):
    url = reverse("api:finding-detail", args=["haiti-drug-trade-gangs"])
    response = editor_client.patch(url, {"missions": ["MINUSTAH"]}, format="json")
    assert response.status_code == 200, response.json()
    link = FindingMission.objects.get(finding__slug="haiti-drug-trade-gangs")
    assert link.basis == "editors" and "API" in link.reason


@pytest.mark.migrations
@pytest.mark.django_db(transaction=True)
def test_migrating_back_and_forth_keeps_every_link(tmp_path):
    """The links of the first edition (no basis) become the paper's; nothing is lost."""
    call_command("load_kb", verbosity=0)
    # The first edition had no document of a kind added since (a Council text of unknown form).
    Finding.objects.filter(quoted_document__kind="council_text").update(quoted_document=None)
    Document.objects.filter(kind="council_text").delete()
    # The links of findings repeating examples and Box 2 functions came later (measures
    # 0010): migrating back to the first edition drops them with their tables.
    later = {ApplicationFinding, PoliceFunctionFinding}
    counts = {through: through.objects.count() for through in link_models() if through not in later}
    placed = MeasureApplication.objects.filter(country__isnull=False).count()
    executor = MigrationExecutor(connection)
    before = [
        ("missions", "0005_key_upper_indexes"),
        ("interfaces", "0005_key_upper_indexes"),
        ("measures", "0004_key_upper_indexes"),
    ]
    executor.migrate(before)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    for through, count in counts.items():
        assert through.objects.count() == count, through
        assert set(through.objects.values_list("basis", flat=True)) == {"paper"}
    assert MeasureApplication.objects.filter(country_basis="paper").count() == placed
    # The first edition's files (bare keys only) are what the migrated database exports.
    knowledge_base.export(tmp_path)
    text = (tmp_path / "interfaces/findings.yaml").read_text()
    assert "basis:" not in text
