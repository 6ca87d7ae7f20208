"""Following every change: ``modified`` moves with content only, ``?modified_since=``, the
changes feed (``/api/v1/changes/``) and its Atom twin, tested through API edits and deletes."""

import datetime
import shutil

import feedparser
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from rest_framework.test import APIClient

from interfaces.models import Finding, Interface, Mechanism, Question
from missions.models import Mission
from ocpo.filters import parse_moment
from ocpo.kb import data_version
from ocpo.models import Tombstone
from sources.models import Source
from tests.api_cases import editor_for
from tests.factories import (
    make_finding,
    make_interface,
    make_mechanism,
    make_mission,
    make_question,
)

pytestmark = pytest.mark.django_db

PAST = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)


def stamp(moment):
    return moment.isoformat().replace("+00:00", "Z")


@pytest.fixture
def world():
    """Three findings, two missions, all created and last changed long ago."""
    missions = [make_mission(), make_mission()]
    findings = [make_finding(missions=[missions[0]]) for _ in range(3)]
    for model in (Mission, Finding, Interface):
        model.objects.update(created=PAST, modified=PAST)
    return findings, missions


def editor(*models):
    client = APIClient()
    user = editor_for(models[0])
    for model in models[1:]:
        user.user_permissions.add(*editor_for_perms(model))
    client.force_authenticate(user)
    return client


def editor_for_perms(model):
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    return Permission.objects.filter(content_type=ContentType.objects.get_for_model(model))


def modified(obj):
    return type(obj).objects.values_list("modified", flat=True).get(pk=obj.pk)


# ------------------------------------------------------------------- modified and created


def test_an_api_edit_moves_modified_and_modified_since_returns_only_that_record(world):
    findings, _ = world
    mark = timezone.now()
    client = editor(Finding)
    response = client.patch(
        f"/api/v1/findings/{findings[1].slug}/", {"title": "Edited title"}, format="json"
    )
    assert response.status_code == 200
    assert parse_moment(response.json()["modified"]) >= mark
    assert parse_moment(response.json()["created"]) == PAST

    listed = APIClient().get("/api/v1/findings/", {"modified_since": stamp(mark)}).json()
    assert [f["slug"] for f in listed["results"]] == [findings[1].slug]
    everything = APIClient().get("/api/v1/findings/", {"modified_since": stamp(PAST)}).json()
    assert everything["count"] == 3  # inclusive: records changed at exactly that moment count


def test_a_patch_repeating_the_current_values_changes_nothing(world):
    finding = world[0][0]
    response = editor(Finding).patch(
        f"/api/v1/findings/{finding.slug}/",
        {"title": finding.title, "summary": finding.summary},
        format="json",
    )
    assert response.status_code == 200
    assert modified(finding) == PAST


def test_a_link_change_moves_the_record_owning_the_link_only(world):
    (finding, *_), (first, second) = world
    response = editor(Finding).patch(
        f"/api/v1/findings/{finding.slug}/",
        {"missions": [first.acronym, second.acronym]},
        format="json",
    )
    assert response.status_code == 200
    assert modified(finding) > PAST
    assert modified(first) == modified(second) == PAST


def test_a_record_created_with_links_is_listed_as_created(world):
    mission = world[1][0]
    response = editor(Finding).post(
        "/api/v1/findings/",
        {
            "slug": "new-finding",
            "interface": world[0][0].interface.slug,
            "position": 9,
            "title": "New",
            "summary": "New.",
            "section": "II.1",
            "missions": [mission.acronym],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    created = Finding.objects.get(slug="new-finding")
    assert created.modified == created.created
    assert response.json()["modified"] == APIClient().get(response.json()["url"]).json()["modified"]


def test_a_link_added_from_the_other_side_moves_its_owner():
    interface, question = make_interface(), make_question()
    Question.objects.update(modified=PAST)
    Interface.objects.update(modified=PAST)
    interface.questions.add(question)
    assert modified(question) > PAST
    assert modified(interface) == PAST


def test_a_mechanism_is_part_of_its_interface():
    mechanism = Mechanism.objects.get(pk=make_mechanism().pk)
    Interface.objects.update(modified=PAST)
    mechanism.description = "Another way it works."
    mechanism.save()
    assert modified(mechanism.interface) > PAST


def test_deleting_a_record_moves_the_records_linking_to_it_and_leaves_a_tombstone(world):
    findings, (mission, _) = world
    response = editor(Mission).delete(f"/api/v1/missions/{mission.acronym}/")
    assert response.status_code == 204
    assert all(modified(finding) > PAST for finding in findings)  # each lost a link
    tombstone = Tombstone.objects.get()
    assert (tombstone.model, tombstone.resource, tombstone.key) == (
        "missions.mission",
        "missions",
        mission.acronym,
    )
    assert tombstone.natural_key == f'["{mission.acronym}"]'
    assert tombstone.data_version == data_version()


# ----------------------------------------------------------------------- modified_since


def test_modified_since_reads_offsets_and_takes_a_naive_time_as_utc(world):
    findings, _ = world
    Finding.objects.filter(pk=findings[0].pk).update(
        modified=datetime.datetime(2024, 6, 1, 12, 0, tzinfo=datetime.UTC)
    )
    client = APIClient()

    def slugs(value):
        response = client.get("/api/v1/findings/", {"modified_since": value})
        assert response.status_code == 200, response.content
        return [f["slug"] for f in response.json()["results"]]

    assert slugs("2024-06-01T12:00:00") == [findings[0].slug]  # naive: UTC
    assert slugs("2024-06-01T12:00:01") == []
    assert slugs("2024-06-01T14:00:00+02:00") == [findings[0].slug]
    assert slugs("2024-06-01T14:00:01+02:00") == []
    # An unencoded + arrives as a space; read as the offset it was.
    assert (
        client.get("/api/v1/findings/?modified_since=2024-06-01T14:00:00+02:00").json()["count"]
        == 1
    )
    assert slugs("2024-06-01") == [findings[0].slug]  # a date: its midnight UTC


def test_any_offset_iso_8601_allows_is_read_on_every_database(world):
    """PostgreSQL refuses offsets beyond 15:59; ISO 8601 (and the fuzz) sends up to 23:59."""
    findings, _ = world
    count = len(findings)
    for moment in ("1065-01-24T20:45:04-18:10", "2001-01-01T00:00:00+23:59"):
        response = APIClient().get("/api/v1/findings/", {"modified_since": moment})
        assert response.status_code == 200, response.content[:200]
        assert response.json()["count"] == count
        assert APIClient().get("/api/v1/changes/", {"since": moment}).status_code == 200


@pytest.mark.parametrize(
    "value", ["yesterday", "2024-13-01T00:00:00Z", "2024-06-01T25:00", "9999-12-31T23:00-05:00"]
)
def test_a_malformed_modified_since_is_a_400_problem(value):
    response = APIClient().get("/api/v1/missions/", {"modified_since": value})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert [e["name"] for e in response.json()["errors"]] == ["modified_since"]


def test_every_api_list_and_html_list_filters_on_modified_since(world, client):
    findings, missions = world
    Mission.objects.filter(pk=missions[1].pk).update(modified=timezone.now())
    mark = stamp(timezone.now() - datetime.timedelta(minutes=1))
    response = APIClient().get("/api/v1/missions/", {"modified_since": mark})
    assert [m["acronym"] for m in response.json()["results"]] == [missions[1].acronym]
    page = client.get("/missions/", {"modified_since": mark})
    assert page.status_code == 200
    assert missions[1].acronym in page.content.decode()
    assert f">{missions[0].acronym}<" not in page.content.decode()


def test_a_malformed_modified_since_on_a_page_says_so():
    response = APIClient().get("/missions/", {"modified_since": "yesterday"})
    assert "is not an ISO 8601 date-time" in response.content.decode()


# ------------------------------------------------------------------------ the changes feed


def test_the_changes_feed_lists_an_edit_and_a_delete_in_order_with_links(world):
    findings, _ = world
    mark = timezone.now()
    client = editor(Finding)
    client.patch(f"/api/v1/findings/{findings[2].slug}/", {"title": "Edited"}, format="json")
    assert client.delete(f"/api/v1/findings/{findings[0].slug}/").status_code == 204
    new = make_finding()

    response = APIClient().get("/api/v1/changes/", {"since": stamp(mark)})
    assert response.status_code == 200
    body = response.json()
    changes = [(c["kind"], c["resource"], c["key"]) for c in body["results"]]
    assert changes == [
        ("modified", "findings", findings[2].slug),
        ("deleted", "findings", findings[0].slug),
        ("created", "findings", new.slug),
    ]
    assert body["count"] == 3
    times = [parse_moment(c["time"]) for c in body["results"]]
    assert times == sorted(times) and times[0] >= mark
    edited, deleted, created = body["results"]
    assert edited["url"] == f"http://testserver/api/v1/findings/{findings[2].slug}/"
    assert edited["html_url"] == f"http://testserver{findings[2].get_absolute_url()}"
    assert APIClient().get(edited["url"]).json()["title"] == "Edited"
    assert deleted["url"] is None and deleted["html_url"] is None
    assert deleted["data_version"] == data_version()
    assert created["data_version"] is None


def test_the_changes_feed_pages_and_starts_from_the_beginning_without_since(world):
    response = APIClient().get("/api/v1/changes/", {"limit": 2})
    body = response.json()
    # missions, findings, their interface; and the sources the migrations create
    assert body["count"] == 2 + 3 + 1 + Source.objects.count()
    assert len(body["results"]) == 2 and "offset=2" in body["next"]
    second = APIClient().get(body["next"]).json()["results"]
    keys = {c["key"] for c in body["results"]} | {c["key"] for c in second}
    assert len(keys) == 4


@pytest.mark.parametrize("query", ["since=last+week", "since=2024-02-30", "sinse=2024-01-01"])
def test_a_malformed_since_or_unknown_parameter_is_a_400_problem(query):
    response = APIClient().get(f"/api/v1/changes/?{query}")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert [e["name"] for e in response.json()["errors"]] == [query.split("=")[0]]


def test_the_atom_feed_parses_and_holds_the_edit_and_the_delete(world, client):
    findings, _ = world
    api = editor(Finding)
    api.patch(f"/api/v1/findings/{findings[2].slug}/", {"title": "Edited"}, format="json")
    api.delete(f"/api/v1/findings/{findings[0].slug}/")

    response = client.get("/changes.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    titles = [entry.title for entry in feed.entries]
    assert titles[:2] == [
        f"findings {findings[0].slug} deleted",
        f"findings {findings[2].slug} changed",
    ]
    changed = feed.entries[1]
    assert changed.link == f"http://testserver{findings[2].get_absolute_url()}"
    assert len({entry.id for entry in feed.entries}) == len(feed.entries)
    since = stamp(timezone.now())
    assert feedparser.parse(client.get(f"/changes.atom?since={since}").content).entries == []


def test_the_atom_feed_refuses_a_malformed_since_in_words(client):
    response = client.get("/changes.atom?since=soon")
    assert response.status_code == 400
    assert "is not an ISO 8601 date-time" in response.content.decode()


def test_pages_announce_the_feed(client):
    for url in ("/", "/about/", "/data/"):
        page = client.get(url).content.decode()
        assert 'rel="alternate" type="application/atom+xml"' in page
        assert 'href="/changes.atom"' in page


# ------------------------------------------------------------------- loading the fixtures


def timestamps():
    """{(model, natural key): (created, modified)} of every timestamped record."""
    from ocpo.changes import resources

    return {
        (model._meta.label, obj.natural_key()): (obj.created, obj.modified)
        for model in resources()
        for obj in model.objects.all()
    }


def test_loading_unchanged_fixtures_changes_no_timestamp(kb):
    before = timestamps()
    assert len(before) > 200
    # A first load creates: every record with its links and parts is listed as created.
    assert all(created == modified for created, modified in before.values())
    call_command("load_kb", verbosity=0)
    assert timestamps() == before
    assert not Tombstone.objects.exists()


def test_a_changed_fixture_record_moves_only_that_record(kb, tmp_path):
    folder = tmp_path / "fixtures"
    shutil.copytree(settings.KB_FIXTURES_DIR, folder)
    findings = folder / "interfaces" / "findings.yaml"
    text = findings.read_text(encoding="utf-8")
    # One finding's title, another's links (a link only: its fields stay as they were).
    text = text.replace(
        "title: 'Self-financed rebel groups: blood diamonds and the drug trade'",
        "title: 'Self-financed rebel groups: diamonds and drugs'",
    )
    text = text.replace(
        "  documents:\n    - a-59-565\n", "  documents:\n    - a-59-565\n    - cornell-2005\n", 1
    )
    findings.write_text(text, encoding="utf-8")
    before = timestamps()
    call_command("load_kb", "--dir", str(folder), verbosity=0)
    after = timestamps()
    moved = sorted(key for key in after if after[key][1] != before[key][1])
    assert moved == [
        ("interfaces.Finding", ("hlp-2004-oc-and-conflict",)),
        ("interfaces.Finding", ("self-financed-rebel-groups",)),
    ]
    assert all(after[key][0] == before[key][0] for key in after)  # created never moves


@pytest.mark.migrations
@pytest.mark.django_db(transaction=True)
def test_the_migration_stamps_existing_records_as_created_at_one_moment():
    call_command("load_kb", verbosity=0)
    executor = MigrationExecutor(connection)
    ours = [
        ("missions", "0008_record_timestamps"),
        ("interfaces", "0009_record_timestamps"),
        ("measures", "0008_record_timestamps"),
    ]
    # Back to just before them (whatever their number after a merge), then forward.
    executor.migrate(
        [
            parent.key
            for node in ours
            for parent in executor.loader.graph.node_map[node].parents
            if parent.key[0] == node[0]
        ]
    )
    executor.loader.build_graph()
    start = timezone.now()
    executor.migrate(executor.loader.graph.leaf_nodes())
    by_model = {}
    for (model, _), (created, modified) in timestamps().items():
        if model.startswith("sources."):
            continue  # created by sources 0002, which these migrations do not undo
        assert created == modified >= start  # listed as created, not as changed
        by_model.setdefault(model, set()).add(created)
    assert len(by_model) == 11
    assert all(len(moments) == 1 for moments in by_model.values())  # one moment per table
