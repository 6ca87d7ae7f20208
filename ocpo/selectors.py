"""Queries that span the apps, for the cross-app pages (home, matrix, compare, search)."""

import re

from django.db.models import Count, Q
from django.urls import reverse

from interfaces.models import Finding, Interface
from measures.models import ActivityArea, Measure, MeasureApplication
from missions.models import Country, Document, Mission

from .search import SUGGEST_WHEN_FEWER_THAN, fold, suggest

# A matrix shows at most this many missions, those with the most evidence: with thousands
# of missions a full matrix is neither readable nor cheap. The lists behind it hold the rest.
MATRIX_MAX_MISSIONS = 30


def _columns(evidence, model=Mission, key="acronym", only=None):
    """The missions (or countries) with the most ``evidence`` (a relation to count, limited
    by the condition ``only``), by key; and the number left out."""
    total = model.objects.count()
    top = (
        model.objects.only("pk", key, "name")
        .annotate(evidence=Count(evidence, filter=only))
        .order_by("-evidence", key)[:MATRIX_MAX_MISSIONS]
    )
    columns = sorted(top, key=lambda column: getattr(column, key))
    return columns, total - len(columns)


def _matrix(rows, columns, counts, url, row_key, column_key="acronym"):
    """Rows of cells ``{"column", "count", "url"}`` and the largest count, for shading.

    Each column is ``{"record", "label", "title"}``: its key as the header, its name as
    the header's title.
    """
    table = []
    for row in rows:
        cells = [
            {"column": column, "count": counts.get((row.pk, column.pk), 0), "url": url(row, column)}
            for column in columns
        ]
        table.append({"head": row, "cells": cells, "total": sum(c["count"] for c in cells)})
    return {
        "columns": [
            {"record": c, "label": getattr(c, column_key), "title": c.name} for c in columns
        ],
        "rows": table,
        "max": max(counts.values(), default=0),
        "row_key": row_key,
    }


def interface_mission_matrix(basis=None):
    """Interfaces x missions, each cell the number of findings: three queries at any size.

    With ``basis="paper"`` a finding counts for a mission only where the paper states the
    link (the editors' inferences are left out), and the cells link to lists so limited.
    """
    findings = reverse("interfaces:finding_list")
    paper = basis == "paper"
    only = Q(finding_links__basis="paper", finding_links__finding__source="paper")
    columns, left_out = _columns("finding_links", only=only if paper else None)
    queryset = Finding.objects.filter(source="paper") if paper else Finding.objects.all()
    suffix = "&basis=paper" if paper else ""
    matrix = _matrix(
        list(Interface.objects.all()),
        columns,
        queryset.counts_by_interface_and_mission(columns, basis=basis),
        lambda i, m: f"{findings}?interface={i.slug}&mission={m.acronym}{suffix}",
        "interface",
    )
    return {**matrix, "left_out": left_out, "column_noun": "missions"}


def interface_country_matrix(basis=None):
    """Interfaces x countries, each cell the number of findings recorded for the country.

    Evidence the paper ties to a country and to no mission (elites in Haiti and
    Guinea-Bissau) shows here, where the mission view cannot show it. Three queries.
    ``basis="paper"`` counts only the links the paper states.
    """
    findings = reverse("interfaces:finding_list")
    paper = basis == "paper"
    only = Q(finding_links__basis="paper", finding_links__finding__source="paper")
    columns, left_out = _columns("finding_links", Country, "iso3", only if paper else None)
    links = Finding.countries.through.objects.filter(country__in=columns).order_by()
    if paper:
        links = links.filter(basis="paper", finding__source="paper")
    rows = links.values_list("finding__interface_id", "country_id").annotate(n=Count("finding"))
    suffix = "&basis=paper" if paper else ""
    matrix = _matrix(
        list(Interface.objects.all()),
        columns,
        {(interface, country): n for interface, country, n in rows},
        lambda i, c: f"{findings}?interface={i.slug}&country={c.iso3}{suffix}",
        "interface",
        "iso3",
    )
    return {**matrix, "left_out": left_out, "column_noun": "countries"}


def area_mission_matrix(basis=None):
    """Annex areas x missions, each cell the number of examples (applications).

    With ``basis="paper"`` an example counts for a mission only where the Annex names it.
    """
    measures = reverse("measures:measure_list")
    paper = basis == "paper"
    only = Q(applications__mission_basis="paper", applications__source="paper")
    columns, left_out = _columns("applications", only=only if paper else None)
    queryset = MeasureApplication.objects.all()
    if paper:
        queryset = queryset.filter(mission_basis="paper", source="paper")
    suffix = "&basis=paper" if paper else ""
    matrix = _matrix(
        list(ActivityArea.objects.all()),
        columns,
        queryset.counts_by_area_and_mission(columns),
        lambda a, m: f"{measures}?area={a.slug}&mission={m.acronym}{suffix}",
        "area",
    )
    return {**matrix, "left_out": left_out, "column_noun": "missions"}


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
    named = Q(pk__in=[])
    for acronym in acronyms:  # in any case, as the lists' filters read acronyms
        named |= Q(acronym__iexact=acronym)
    found = {m.acronym.casefold(): m for m in Mission.objects.for_compare().filter(named)}
    missions = list(
        {a.casefold(): found[a.casefold()] for a in acronyms if a.casefold() in found}.values()
    )
    unknown = [a for a in acronyms if a.casefold() not in found]

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
        "unknown": unknown,
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
