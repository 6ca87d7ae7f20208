"""Hostile text in the records: escaped in every page, kept verbatim in JSON, inert in CSV.

One linked set of records holds script tags, an attribute break-out, a 10,000-character
string, right-to-left override and zero-width characters, emoji and spreadsheet formulas.
"""

import csv
import io
import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import User
from django.urls import reverse

from ocpo.api import router
from ocpo.editors import KB_APPS
from tests import factories as f

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
BREAKOUT = '"><img src=x onerror=alert(1)>'
LONG = "L" * 9_990 + " long-end"
RTL = "abc\u202edcba\u202c"  # RIGHT-TO-LEFT OVERRIDE ... POP DIRECTIONAL FORMATTING
ZERO_WIDTH = "zero\u200bwidth\u200d\ufeff"
EMOJI = "🚁🕊️👩🏽‍⚖️"
FORMULAS = ['=HYPERLINK("http://evil.example","click")', "+1", "-1", "@SUM(A1:A9)"]
MIXED = f"{SCRIPT} {BREAKOUT} {RTL} {ZERO_WIDTH} {EMOJI}"
UNESCAPED = [SCRIPT, "<script>alert", "<img src=x", "onerror=alert(1)>"]
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.fixture
def hostile(db):
    country = f.make_country(iso3="HOS", name=f"{SCRIPT}{EMOJI}", region=FORMULAS[0])
    document = f.make_document(
        slug="hostile-doc",
        title=f"{SCRIPT} {RTL}",
        author=FORMULAS[3],
        description=MIXED,
        countries=[country],
    )
    # Keys cannot hold markup any more (ocpo.keys, tests/test_key_patterns.py): the hostile
    # text goes into the mission's other fields.
    mission = f.make_mission(
        acronym="HOSTILE1",
        name=f"{SCRIPT} mission",
        lead_organization=FORMULAS[1],
        summary=f"{MIXED} {LONG}",
        countries=[country],
        establishing_document=document,
    )
    other = f.make_mission(acronym="PLAIN", name=BREAKOUT, countries=[country])
    interface = f.make_interface(number=1, slug="hostile-interface", title=SCRIPT, summary=MIXED)
    activity = f.make_activity(slug="hostile-activity", name=BREAKOUT, description=MIXED)
    finding = f.make_finding(
        slug="hostile-finding",
        interface=interface,
        title=f"{SCRIPT} alert finding",
        summary=f"alert {MIXED} {LONG}",
        quotation=BREAKOUT,
        actors=FORMULAS[2],
        missions=[mission, other],
        countries=[country],
        documents=[document],
        activities=[activity],
    )
    f.make_question(slug="hostile-question", text=MIXED, interfaces=[interface])
    area = f.make_area(slug="hostile-area", name=SCRIPT)
    measure = f.make_measure(
        slug="hostile-measure",
        name=f"{SCRIPT} measure",
        description=MIXED,
        area=area,
        interfaces=[interface],
    )
    f.make_application(
        measure=measure, mission=mission, country=country, label=BREAKOUT, note=FORMULAS[0]
    )
    f.make_police_function(slug="hostile-function", name=SCRIPT, measures=[measure])
    return {"mission": mission, "other": other, "finding": finding, "country": country}


def assert_escaped(response, where):
    assert response.status_code == 200, (where, response.status_code)
    html = response.content.decode()
    for raw in UNESCAPED:
        assert raw not in html, (where, raw)
    return html


def portal_pages(hostile):
    mission = hostile["mission"]
    pages = [
        "/",
        *(
            reverse(name)
            for name in (
                "interfaces:interface_list",
                "interfaces:finding_list",
                "interfaces:question_list",
                "missions:mission_list",
                "missions:country_list",
                "missions:document_list",
                "measures:measure_list",
                "measures:police_function_list",
            )
        ),
        "/matrix/",
        f"/compare/?missions={mission.acronym},PLAIN",
        "/search/?q=alert",
        "/search/?q=script",
        "/search/?q=" + SCRIPT,
        "/findings/?activity=hostile-activity",
        "/missions/?country=HOS",
    ]
    for app in KB_APPS:
        for model in apps.get_app_config(app).get_models():
            for obj in model.objects.all():
                if hasattr(obj, "get_absolute_url"):
                    pages.append(obj.get_absolute_url())
    return list(dict.fromkeys(pages))


def test_every_portal_page_escapes_the_hostile_text(client, hostile):
    details = 0
    for url in portal_pages(hostile):
        html = assert_escaped(client.get(url), url)
        details += ESCAPED_SCRIPT in html
    assert details >= 10  # the text is there, escaped, not missing


def test_search_highlighting_escapes_before_marking(client, hostile):
    html = assert_escaped(client.get("/search/", {"q": "alert"}), "search")
    assert "<mark>alert</mark>" in html or "<mark>Alert</mark>" in html
    assert "&lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt;" in html
    html = assert_escaped(client.get("/search/", {"q": "script img"}), "search")
    assert "<mark><script" not in html


def test_the_long_rtl_zero_width_and_emoji_text_survive(client, hostile):
    html = assert_escaped(client.get(hostile["mission"].get_absolute_url()), "detail")
    for text in (RTL, ZERO_WIDTH, EMOJI, LONG):
        assert text in html


def test_the_admin_changelists_escape_it(client, hostile):
    client.force_login(User.objects.create_superuser("root", password=None))
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in KB_APPS:
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert_escaped(client.get(url), url)
        if model_admin.search_fields:
            assert_escaped(client.get(url, {"q": "alert"}), url)
    change = reverse("admin:missions_mission_change", args=[hostile["mission"].pk])
    assert_escaped(client.get(change), change)


def test_the_api_keeps_the_text_verbatim_as_json(client, hostile):
    response = client.get(f"/api/v1/findings/{hostile['finding'].slug}/")
    assert response["Content-Type"] == "application/json"
    assert response["X-Content-Type-Options"] == "nosniff"
    body = response.json()
    assert body["title"] == f"{SCRIPT} alert finding"
    assert body["summary"] == f"alert {MIXED} {LONG}"
    assert body["quotation"] == BREAKOUT


def test_the_browsable_api_escapes_it(client, hostile):
    for prefix, _, _ in router.registry:
        url = f"/api/v1/{prefix}/"
        assert_escaped(client.get(url, HTTP_ACCEPT="text/html"), url)
    detail = f"/api/v1/missions/{hostile['other'].acronym}/"
    assert_escaped(client.get(detail, HTTP_ACCEPT="text/html"), detail)


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def test_no_csv_cell_can_start_a_formula(client, hostile):
    seen = set()
    for prefix, _, _ in router.registry:
        response = client.get(f"/api/v1/{prefix}/", {"format": "csv"})
        assert response.status_code == 200
        text = b"".join(response.streaming_content).decode("utf-8")
        for row in csv.reader(io.StringIO(text)):
            for cell in row:
                if cell.startswith(FORMULA_START):
                    assert re.fullmatch(r"-\d+", cell), (prefix, cell)  # a number, not text
                for formula in FORMULAS:
                    if formula in cell:
                        seen.add(formula)
                        assert cell.startswith("'") or not cell.startswith(formula), cell
                if EMOJI in cell:
                    seen.add(EMOJI)
    assert seen >= {*FORMULAS, EMOJI}
