"""Queries that span the apps, for the cross-app pages (home, matrix, compare, search)."""

import re

from django.db.models import Count
from django.urls import reverse

from interfaces.models import Finding, Interface
from measures.models import ActivityArea, Measure, MeasureApplication
from missions.models import Country, Document, Mission

from .search import SUGGEST_WHEN_FEWER_THAN, fold, suggest

# A matrix shows at most this many missions, those with the most evidence: with thousands
# of missions a full matrix is neither readable nor cheap. The lists behind it hold the rest.
MATRIX_MAX_MISSIONS = 30


def _columns(evidence):
    """The missions with the most ``evidence`` (a relation to count), by acronym; and the
    number of missions left out."""
    total = Mission.objects.count()
    top = (
        Mission.objects.only("pk", "acronym", "name")
        .annotate(evidence=Count(evidence))
        .order_by("-evidence", "acronym")[:MATRIX_MAX_MISSIONS]
    )
    columns = sorted(top, key=lambda mission: mission.acronym)
    return columns, total - len(columns)


def _matrix(rows, columns, counts, url, row_key):
    """Rows of cells ``{"column", "count", "url"}`` and the largest count, for shading."""
    table = []
    for row in rows:
        cells = [
            {"column": column, "count": counts.get((row.pk, column.pk), 0), "url": url(row, column)}
            for column in columns
        ]
        table.append({"head": row, "cells": cells, "total": sum(c["count"] for c in cells)})
    return {
        "columns": columns,
        "rows": table,
        "max": max(counts.values(), default=0),
        "row_key": row_key,
    }


def interface_mission_matrix():
    """Interfaces x missions, each cell the number of findings: three queries at any size."""
    findings = reverse("interfaces:finding_list")
    columns, left_out = _columns("findings")
    matrix = _matrix(
        list(Interface.objects.all()),
        columns,
        Finding.objects.counts_by_interface_and_mission(columns),
        lambda i, m: f"{findings}?interface={i.slug}&mission={m.acronym}",
        "interface",
    )
    return {**matrix, "left_out": left_out}


def area_mission_matrix():
    """Annex areas x missions, each cell the number of examples (applications)."""
    measures = reverse("measures:measure_list")
    columns, left_out = _columns("applications")
    matrix = _matrix(
        list(ActivityArea.objects.all()),
        columns,
        MeasureApplication.objects.counts_by_area_and_mission(columns),
        lambda a, m: f"{measures}?area={a.slug}&mission={m.acronym}",
        "area",
    )
    return {**matrix, "left_out": left_out}


def totals():
    """How many records of each kind the knowledge base holds."""
    return {
        "missions": Mission.objects.count(),
        "countries": Country.objects.count(),
        "findings": Finding.objects.count(),
        "documents": Document.objects.count(),
        "measures": Measure.objects.count(),
    }


COMPARE_MAX_CHOICES = 60


def compare_choices(selected):
    """Missions to tick on the compare form: those with the most findings, plus the selected
    ones, by acronym; and whether more missions exist (they can be typed in)."""
    missions = Mission.objects.only("acronym", "name")
    top = list(
        missions.annotate(evidence=Count("findings")).order_by("-evidence", "acronym")[
            :COMPARE_MAX_CHOICES
        ]
    )
    offered = {mission.acronym for mission in top}
    if set(selected) - offered:
        top += list(missions.filter(acronym__in=set(selected) - offered))
    return sorted(top, key=lambda mission: mission.acronym), len(top) < missions.count()


def compare_missions(acronyms):
    """The missions named, in the order given, with rows of what each has and the others lack.

    Each row is ``{"item", "cells": [value per mission], "differs"}``; a cell is the list of
    the mission's records for that row (findings, examples or itself for documents).
    """
    found = {m.acronym: m for m in Mission.objects.for_compare().filter(acronym__in=acronyms)}
    missions = [found[a] for a in acronyms if a in found]
    if not missions:
        return {"missions": [], "interfaces": [], "measures": [], "documents": []}

    def rows(key_of, items_of, sort_key):
        keyed = {}
        for index, mission in enumerate(missions):
            for item in items_of(mission):
                entry = keyed.setdefault(key_of(item).pk, [key_of(item), [[] for _ in missions]])
                entry[1][index].append(item)
        result = [
            {"item": head, "cells": cells, "differs": any(not c for c in cells)}
            for head, cells in keyed.values()
        ]
        return sorted(result, key=lambda r: sort_key(r["item"]))

    comparison = {
        "missions": missions,
        "interfaces": rows(lambda f: f.interface, lambda m: m.findings.all(), lambda i: i.number),
        "measures": rows(
            lambda a: a.measure,
            lambda m: m.applications.all(),
            lambda x: (x.area.number, x.position),
        ),
        "documents": rows(lambda d: d, lambda m: m.documents.all(), lambda d: (d.year, d.slug)),
    }
    comparison["only"] = [
        {
            "mission": mission,
            **{
                kind: [r["item"] for r in comparison[kind] if _only(r["cells"], index)]
                for kind in ("interfaces", "measures", "documents")
            },
        }
        for index, mission in enumerate(missions)
    ]
    return comparison


def _only(cells, index):
    """True when only the mission at ``index`` has something in this row."""
    return bool(cells[index]) and not any(c for i, c in enumerate(cells) if i != index)


# --- Search ------------------------------------------------------------------------------

SEARCH_RESULTS_PER_TYPE = 20
SEARCH_KINDS = ("interfaces", "findings", "missions", "countries", "documents", "measures")


def _search_querysets():
    return {
        "interfaces": Interface.objects.all(),
        "findings": Finding.objects.select_related("interface"),
        "missions": Mission.objects.all(),
        "countries": Country.objects.all(),
        "documents": Document.objects.all(),
        "measures": Measure.objects.select_related("area"),
    }


def _names(kind, record):
    """What a query may be, folded, when it names this record (its page comes first)."""
    if kind == "interfaces":
        return {record.title, f"interface {record.number}", str(record.number)}
    if kind == "missions":
        return {record.acronym, record.name}
    if kind == "countries":
        return {record.name, record.iso3}
    if kind == "documents":
        return {record.symbol, record.title} - {""}
    return set()


def named_record(q, groups):
    """The country, mission, interface or document that the query names, or None.

    Looked for among the ranked results first; when not there (an interface by number,
    a symbol ranked below others that cite it), by natural key: at most one query.
    """
    key = fold(q).strip()
    for group in groups:
        for record in group["results"]:
            if key in {fold(name) for name in _names(group["key"], record)}:
                return {"kind": group["singular"], "record": record}
    number = re.fullmatch(r"(?:interface\s*)?([1-9])", key)
    if number:
        found, kind = Interface.objects.filter(number=number[1]).first(), Interface
    elif "/" in key:
        symbols = {q.strip(), q.strip().upper()}
        found, kind = Document.objects.filter(symbol__in=symbols).first(), Document
    elif re.fullmatch(r"[a-z][a-z0-9-]{1,19}", key):
        found, kind = Mission.objects.filter(acronym=q.strip().upper()).first(), Mission
    else:
        return None
    return {"kind": kind._meta.verbose_name, "record": found} if found else None


def search(q):
    """The search page's answer: ranked results per type (a bounded number of queries),
    the page the query names, shown first, and a corrected query when little matched."""
    groups = []
    for key, queryset in _search_querysets().items():
        model = queryset.model
        results = list(queryset.search(q)[: SEARCH_RESULTS_PER_TYPE + 1])
        groups.append(
            {
                "key": key,
                "label": model._meta.verbose_name_plural.capitalize(),
                "singular": model._meta.verbose_name,
                "results": results[:SEARCH_RESULTS_PER_TYPE],
                "more": len(results) > SEARCH_RESULTS_PER_TYPE,
            }
        )
    total = sum(len(g["results"]) for g in groups)
    return {
        "groups": groups,
        "found": [g for g in groups if g["results"]],
        "total": total,
        "named": named_record(q, groups),
        "suggestion": suggest(q) if total < SUGGEST_WHEN_FEWER_THAN else None,
    }
