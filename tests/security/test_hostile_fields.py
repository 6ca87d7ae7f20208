"""Hostile text in every text field of every model, rendered by every route: inert.

Generated from the models (``apps.get_models()``) and the URL configuration, so a new
field or page is covered without anyone remembering it. Each field of each record gets
markup, a script, attribute breakers, a spreadsheet formula prefix (one of =+-@ tab CR,
in turn), right-to-left and zero-width characters, and a marker naming the field. A field
that refuses the text (choices, a validator or a database constraint) is reported as
guarded; every other field must be written, shown by some page, the JSON API and the
CSV export, and come out escaped in HTML, verbatim in JSON and formula-guarded in CSV.
"""

import csv
import io
import re

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from ocpo.editors import KB_APPS
from ocpo.revisions import recorded
from tests.pages import grow
from tests.routes import REDIRECTS, model_of, routes, url_for

pytestmark = pytest.mark.django_db

PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# No "/": a field that is a URL keyword must still give a URL. "<script>" opens a script
# element whether or not it is closed.
BODY = (
    "\"'><script>alert(1)<img src=x onerror=alert(1)>"
    "\" onfocus=alert(2) x=\"' onblur=alert(3) y='"
    "\u202eevil\u202c\u200bzw\u200d"
)
# What must never appear raw in HTML: an element or an attribute the text broke out into.
RAW = ["<script>alert", "<img src=x", '" onfocus=alert', "' onblur=alert"]

# Fields no page, API or CSV shows, and why: none so far. A field added here needs a reason.
NOT_SHOWN = {}


def kb_models():
    return [m for m in apps.get_models() if m._meta.app_label in KB_APPS]


def text_fields(model):
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, (models.CharField, models.TextField))
    ]


def hostile_value(index, field, record):
    marker = f"ZQ{index:03d}"
    tag = f"#{record.pk}" if field.unique else ""
    value = f"{PREFIXES[index % len(PREFIXES)]}{marker}{BODY}"
    if field.max_length:
        value = value[: field.max_length - len(tag)]
    return marker, value + tag


def plain_value(field, record):
    """Harmless text naming the field and record, cut to the field's length as stored."""
    tag = f" {record.pk}"
    return f"plain {field.name}"[: (field.max_length or 200) - len(tag)] + tag


def write_hostile_text():
    """Every text field of every record: ``{marker: label}`` of the fields written and
    ``{label: reason}`` of those that refused the text."""
    written, guarded, index = {}, {}, 0
    for model in kb_models():
        for field in text_fields(model):
            index += 1
            label = f"{model._meta.label}.{field.name}"
            if field.choices:
                guarded[label] = "choices"
                continue
            others = [f.name for f in model._meta.fields if f.name != field.name]
            for record in model.objects.all():
                marker, value = hostile_value(index, field, record)
                setattr(record, field.name, value)
                try:
                    record.clean_fields(exclude=others)
                    with transaction.atomic():
                        record.save(update_fields=[field.name])
                except ValidationError:
                    guarded[label] = "validator"
                except IntegrityError:
                    guarded[label] = "database constraint"
                if label in guarded:
                    break
                written[marker] = label
    return written, guarded


NOT_PAGES = {"release_download", *REDIRECTS}


def html_urls():
    """Every page: each route (records' pages for each record), the browsable API, search."""
    urls = ["/search/?q=alert", "/search/?q=evil", "/search/?q=ZQ"]
    for name, pattern in routes():
        if name in NOT_PAGES or name.endswith(("cite", "-history")):
            continue  # a zip, a redirect; citations are plain text, histories JSON (below)
        model = model_of(pattern)
        records = model.objects.all() if model is not None else [None]
        for record in records:
            url = url_for(name, pattern, record)
            browsable = name.startswith("api:") and name.endswith(("-list", "-detail"))
            urls.append(f"{url}?format=api" if browsable else url)
    return urls


def api_urls():
    urls = []
    for name, pattern in routes():
        if not name.startswith("api:") or not name.endswith(("-list", "-detail", "-history")):
            continue
        model = model_of(pattern)
        for record in model.objects.all() if model is not None else [None]:
            urls.append(url_for(name, pattern, record))
    return urls


def markers_in(text):
    return set(re.findall(r"ZQ\d{3}", text))


@pytest.fixture
def hostile(db):
    grow(2)
    with recorded("Hostile text written by a test."):  # so each history shows it changed
        written, guarded = write_hostile_text()
    assert written, "no field took the hostile text"
    return written, guarded


def test_every_page_escapes_every_field(client, hostile):
    written, _ = hostile
    seen = set()
    for url in html_urls():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        html = response.content.decode()
        for raw in RAW:
            assert raw not in html, (url, raw)
        seen |= markers_in(html)
    missing = {written[m] for m in set(written) - seen} - set(NOT_SHOWN)
    assert not missing, f"fields no page shows: {sorted(missing)}"


def test_every_history_shows_the_text_escaped(client, hostile):
    """The History tabs show old and new values of every field: escaped, as elsewhere."""
    written, _ = hostile
    seen = set()
    pages = [(name, p) for name, p in routes() if name.endswith("_history")]
    assert len(pages) == 7
    # One more version with the hostile text replaced: it is then an old value too.
    with recorded("Plain text again."):
        for _, pattern in pages:
            model = model_of(pattern)
            took = [
                f for f in text_fields(model) if f"{model._meta.label}.{f.name}" in written.values()
            ]
            for record in model.objects.all():
                for field in took:
                    setattr(record, field.name, plain_value(field, record))
                record.save()
    for name, pattern in pages:
        for record in model_of(pattern).objects.all():
            html = client.get(url_for(name, pattern, record)).content.decode()
            for raw in RAW:
                assert raw not in html, (name, raw)
            assert "&lt;script&gt;alert(1)" in html, name  # the new value, escaped
            seen |= markers_in(html)
    shown = {model_of(pattern)._meta.label for _, pattern in pages}
    expected = {marker for marker, label in written.items() if label.rsplit(".", 1)[0] in shown}
    missing = sorted(written[m] for m in expected - seen)
    assert not missing, f"fields the histories do not show: {missing}"


def test_the_json_api_keeps_every_field_verbatim(client, hostile):
    written, _ = hostile
    stored = {}
    for model in kb_models():
        for field in text_fields(model):
            for value in model.objects.values_list(field.name, flat=True):
                if value and markers_in(value):
                    stored[value] = field.name
    seen = set()

    def strings(node):
        if isinstance(node, dict):
            for value in node.values():
                yield from strings(value)
        elif isinstance(node, list):
            for value in node:
                yield from strings(value)
        elif isinstance(node, str):
            yield node

    for url in api_urls():
        listing = re.search(r"/api/v1/[\w-]+/$", url)
        response = client.get(url, {"limit": 500} if listing else {})
        assert response.status_code == 200, url
        assert response["Content-Type"] == "application/json", url
        assert response["X-Content-Type-Options"] == "nosniff", url
        for text in strings(response.json()):
            if text.startswith("http://testserver/"):  # a link: the key is URL-quoted
                continue
            for marker in markers_in(text):
                seen.add(marker)
                # Verbatim, or the verbatim value inside a longer string (a citation).
                assert any(value in text or text in value for value in stored), (url, text)
    missing = {written[m] for m in set(written) - seen} - set(NOT_SHOWN)
    assert not missing, f"fields the JSON API does not show: {sorted(missing)}"


def test_the_csv_export_guards_every_field(client, hostile):
    written, _ = hostile
    seen = set()
    for name, pattern in routes():
        if not (name.startswith("api:") and name.endswith("-list")):
            continue
        response = client.get(url_for(name, pattern), {"format": "csv"})
        assert response.status_code == 200, name
        text = b"".join(response.streaming_content).decode("utf-8")
        for row in csv.reader(io.StringIO(text, newline="")):
            for cell in row:
                if cell.startswith(PREFIXES):
                    assert re.fullmatch(r"-\d+(\.\d+)?", cell), (name, cell)  # a number
                seen |= markers_in(cell)
    missing = {written[m] for m in set(written) - seen} - set(NOT_SHOWN)
    assert not missing, f"fields the CSV export does not show: {sorted(missing)}"


# The fields that refuse hostile text by a validator or a database constraint (fields
# with choices refuse it by their choices, and are not listed). A new constrained field is
# added here; a field that starts taking the text (a validator or constraint weakened)
# fails below, and is then covered by the escaping tests above.
GUARDED = {
    **{
        f"{label}.footnotes": "database constraint"
        for label in (
            "interfaces.Finding",
            "measures.MeasureApplication",
            "missions.Document",
            "missions.Mission",
        )
    },
    **{
        f"{label}.slug": "validator"
        for label in (
            "interfaces.Finding",
            "interfaces.IllicitActivity",
            "interfaces.Interface",
            "interfaces.Question",
            "measures.ActivityArea",
            "measures.Measure",
            "measures.PoliceFunction",
            "missions.Document",
            "sources.Source",
        )
    },
    # A section's code and pages have the forms citations need (II.1, 6-7).
    "sources.SourceSection.code": "database constraint",
    "sources.SourceSection.pages": "database constraint",
    "interfaces.Finding.page": "validator",
    "missions.Country.iso3": "validator",
    "missions.Mission.acronym": "validator",
    "missions.Document.symbol": "database constraint",
}


def test_only_the_known_constrained_fields_refuse_the_text(hostile):
    _, guarded = hostile
    assert {k: v for k, v in guarded.items() if v != "choices"} == GUARDED
