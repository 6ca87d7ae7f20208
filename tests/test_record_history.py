"""The History tab of a record page: its versions with the date and, field by field and
link by link, the old and the new value; never who made the change."""

import re

import pytest
from django.contrib.auth.models import Group, User
from django.utils.html import escape

from interfaces.models import Finding
from ocpo.history import LIMIT, history
from sources.serializers import API_LINK_REASON
from tests.routes import model_of, routes, url_for

pytestmark = pytest.mark.django_db

SLUG = "haiti-police-cocaine-trade"
EDITOR = {"username": "zorro.editor", "first_name": "Zacharias", "last_name": "Quillfeather"}


@pytest.fixture
def editor(client):
    user = User.objects.create_user(**EDITOR, email="zq@example.org", is_staff=True)
    user.groups.add(Group.objects.get(name="editors"))
    client.force_login(user)
    return user


def patch(client, slug, body):
    response = client.patch(f"/api/v1/findings/{slug}/", body, content_type="application/json")
    assert response.status_code == 200, response.content
    return response


def changes_of(html, number):
    """``{field: (old, new)}`` of version ``number`` on a history page."""
    start = html.index(f'id="version-{number}"')
    block = html[start : html.index("</article>", start)]
    pairs = re.findall(
        r"<dt>(.*?)</dt><dd>.*?<del>(.*?)</del>.*?<ins>(.*?)</ins></dd>", block, re.S
    )
    return {field: (old, new) for field, old, new in pairs}


def test_an_api_edit_shows_old_and_new_values_and_no_editor(client, kb, editor):
    finding = Finding.objects.get(slug=SLUG)
    old_summary = finding.summary
    assert [link.mission.acronym for link in finding.mission_links.all()] == []
    patch(client, SLUG, {"summary": "Rewritten: police & cocaine.", "page": "7-8"})
    patch(client, SLUG, {"missions": ["MINUSTAH"], "countries": []})

    client.logout()  # the public's view
    page = client.get(finding.get_absolute_url())
    assert f'href="{finding.get_absolute_url()}history/">History</a>' in page.content.decode()
    response = client.get(f"{finding.get_absolute_url()}history/")
    assert response.status_code == 200
    html = response.content.decode()
    # Three versions: as loaded, then the two edits, newest first, each dated.
    assert (
        html.index('id="version-3"') < html.index('id="version-2"') < html.index('id="version-1"')
    )
    assert "Loaded from the fixtures" in html
    assert len(re.findall(r'<time datetime="\d{4}-\d\d-\d\dT', html)) == 3
    first_edit = changes_of(html, 2)
    assert first_edit == {
        "Summary": (escape(old_summary), "Rewritten: police &amp; cocaine."),
        "Page": ("8", "7-8"),
    }
    second_edit = changes_of(html, 3)
    assert second_edit["Missions"] == (
        "\u2014",
        f"MINUSTAH (the editors&#x27; link: {escape(API_LINK_REASON)})",
    )
    assert second_edit["Countries"] == ("Haiti", "\u2014")
    assert set(second_edit) == {"Missions", "Countries"}
    # Nobody is named: not the username, the name or the address.
    for secret in (*EDITOR.values(), "zq@example.org"):
        assert secret not in html
    assert "Cite this finding" in html  # the history cites the record it belongs to


def test_every_record_page_has_its_history_tab(client, kb):
    pages = [
        (name, pattern)
        for name, pattern in routes()
        if name.endswith("_detail") and not name.startswith("api:")
    ]
    assert len(pages) == 7
    for name, pattern in pages:
        model = model_of(pattern)
        record = model.objects.order_by("pk").first()
        url = url_for(name, pattern, record)
        html = client.get(url).content.decode()
        assert f'<a href="{url}history/">History</a>' in html, name
        history_page = client.get(f"{url}history/")
        assert history_page.status_code == 200, name
        assert "Version 1" in history_page.content.decode(), name


def test_a_long_history_shows_the_newest_versions_and_says_how_many_are_not(client, kb, editor):
    for n in range(LIMIT + 2):
        patch(client, SLUG, {"actors": f"Actors {n}"})
    entries, older = history(Finding.objects.get(slug=SLUG))
    assert len(entries) == LIMIT
    assert older == 3  # the load's version and the two oldest edits
    assert entries[0].changes[0].new == f"Actors {LIMIT + 1}"
    # The oldest shown is still compared with the version before it.
    assert (entries[-1].changes[0].old, entries[-1].changes[0].new) == ("Actors 1", "Actors 2")
    html = client.get(f"/findings/{SLUG}/history/").content.decode()
    assert "3 older versions not shown." in html


def test_the_api_gives_the_same_history(client, kb, editor):
    finding = Finding.objects.get(slug=SLUG)
    old_summary = finding.summary
    patch(client, SLUG, {"summary": "Rewritten through the API."})
    client.logout()
    response = client.get(f"/api/v1/findings/{SLUG}/history/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["record"] == f"http://testserver/api/v1/findings/{SLUG}/"
    assert (body["count"], body["older"]) == (2, 0)
    latest, loaded = body["results"]
    assert latest["changes"] == [
        {"field": "Summary", "old": old_summary, "new": "Rewritten through the API."}
    ]
    assert latest["version"] == 2 and latest["date"].startswith("20")
    assert loaded["first"] and loaded["comment"].startswith("Loaded from the fixtures")
    for secret in (*EDITOR.values(), "zq@example.org"):
        assert secret not in response.content.decode()
    assert client.get("/api/v1/findings/no-such-finding/history/").status_code == 404


def test_the_schema_documents_every_history_route(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    routes_ = [path for path in schema["paths"] if path.endswith("/history/")]
    assert len(routes_) == 12
    operation = schema["paths"]["/api/v1/findings/{slug}/history/"]["get"]
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("/History")
