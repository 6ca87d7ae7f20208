"""The cross-app pages: home, search, matrix and compare. They call the apps' querysets."""

import base64
import hashlib
import json
import re

import markdown
from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from interfaces.models import Interface
from missions.models import SEARCH_MAX_LENGTH

from . import kb, releases, selectors
from .datastate import memoized
from .middleware import cache_params
from .search import clean_query

COMPARE_MAX_MISSIONS = 6


def matrix_with_table(name, compute, **table):
    """A matrix (``ocpo.selectors``) with its table rendered (``table``: the partial's
    caption, row title, unit), both kept under the data state like the counts alone were.

    They change only when a record does, and rendering the table's hundreds of cells
    (about 30 ms of CPU for the matrix page's three) cost more than the rest of the page.
    Computed together, the table always shows the counts it is stored with.
    """

    def build():
        matrix = compute()
        html = render_to_string("partials/matrix_table.html", {"m": matrix, **table})
        return {**matrix, "table": html}

    return memoized(f"{name}-with-table", build)


FINDINGS_TABLE = {"row_title": "Interface", "unit": "finding"}


@require_safe
def home(request):
    compact = {**FINDINGS_TABLE, "compact": True}
    return render(
        request,
        "home.html",
        {
            "interfaces": memoized(
                "interface-counts", lambda: list(Interface.objects.with_counts())
            ),
            "matrix": matrix_with_table(
                "interface-mission-matrix",
                selectors.interface_mission_matrix,
                caption="Findings per interface and mission",
                **compact,
            ),
            "country_matrix": matrix_with_table(
                "interface-country-matrix",
                selectors.interface_country_matrix,
                caption="Findings per interface and country",
                **compact,
            ),
            "totals": memoized("totals", selectors.totals),
        },
    )


class BasisForm(forms.Form):
    """``?basis=paper`` on the cross-app pages: count only what the paper states."""

    basis = forms.ChoiceField(
        choices=[
            ("", "Everything, the editors' inferences too"),
            ("paper", "Only what the paper states"),
        ],
        required=False,
        label="Basis",
    )


@require_safe
def matrix(request):
    form = BasisForm(request.GET)
    basis = form.cleaned_data["basis"] if form.is_valid() else ""
    return render(
        request,
        "matrix.html",
        {
            "basis_form": form,
            "basis": basis,
            "interface_matrix": matrix_with_table(
                f"interface-mission-matrix-{basis or 'all'}",
                lambda: selectors.interface_mission_matrix(basis or None),
                caption="Findings per interface and mission",
                **FINDINGS_TABLE,
            ),
            "area_matrix": matrix_with_table(
                f"area-mission-matrix-{basis or 'all'}",
                lambda: selectors.area_mission_matrix(basis or None),
                caption="Examples per area of activity and mission",
                row_title="Area of activity",
                unit="example",
            ),
            "country_matrix": matrix_with_table(
                f"interface-country-matrix-{basis or 'all'}",
                lambda: selectors.interface_country_matrix(basis or None),
                caption="Findings per interface and country",
                **FINDINGS_TABLE,
            ),
        },
    )


@require_safe
@cache_params("missions")
def compare(request):
    """Two or more missions side by side: ``?missions=UNMIK,MINUSTAH`` (or repeated)."""
    named = ",".join(request.GET.getlist("missions"))
    acronyms = list(dict.fromkeys(a.strip() for a in named.split(",") if a.strip()))
    comparison = selectors.compare_missions(acronyms[:COMPARE_MAX_MISSIONS])
    selected = [m.acronym for m in comparison["missions"]]
    choices, more_missions = selectors.compare_choices(selected)
    return render(
        request,
        "compare.html",
        {
            "comparison": comparison,
            "selected": selected,
            "choices": choices,
            "more_missions": more_missions,
            "too_many": len(acronyms) > COMPARE_MAX_MISSIONS,
        },
    )


@require_safe
@cache_params("q")
def search(request):
    """One box across the knowledge base: full text in the database's own engine, by type."""
    q = clean_query(request.GET.get("q", ""))
    answer = selectors.search(q) if q else {"groups": [], "total": 0}
    return render(request, "search.html", {"q": q, "max_length": SEARCH_MAX_LENGTH, **answer})


# ------------------------------------------------------------- about and data releases


@require_safe
def about(request):
    """What the knowledge base is, how it is made, its licences and its versions."""
    return render(
        request,
        "about.html",
        {
            "changelog": mark_safe(markdown.markdown(releases.changelog_text())),  # noqa: S308
            "counts": selectors.totals(),
        },
    )


@require_safe
def data(request):
    """Every release with its checksums, the current one to download, and JSON-LD."""
    manifest = releases.read_manifest()
    current = kb.data_version()
    download = reverse("release_download", args=[current])
    for entry in manifest:
        entry["changelog"] = mark_safe(  # noqa: S308 - the editors' own file
            markdown.markdown(releases.changelog_entry(entry["version"]).split("\n", 1)[-1])
        )
    dataset = releases.dataset_json_ld(request.build_absolute_uri("/"), manifest, download)
    return render(
        request,
        "data.html",
        {
            "manifest": manifest,
            "current": next((e for e in manifest if e["version"] == current), None),
            "current_version": current,
            "download": download,
            "json_ld": json_for_script(dataset),
        },
    )


# JSON inside a <script> block: no text in it may close the element or read as markup.
_SCRIPT_ESCAPES = {
    ord("<"): "\\u003C",
    ord(">"): "\\u003E",
    ord("&"): "\\u0026",
    ord("'"): "\\u0027",
}
_ESCAPED_QUOTE = re.compile(r'(?<!\\)((?:\\\\)*)\\"')


def json_for_script(data):
    """As ``json_script`` escapes, and quotes inside strings as ``\\u0022`` too, so that no
    attribute-breaking text appears in the page even where it is inert."""
    text = json.dumps(data, ensure_ascii=False, indent=1).translate(_SCRIPT_ESCAPES)
    return _ESCAPED_QUOTE.sub(lambda m: m.group(1) + "\\u0022", text)


@require_safe
def release_download(request, version):
    """The current version's release, built from the data served: its checksum matches the
    manifest's when the database holds the bundled data."""
    if version != kb.data_version():
        raise Http404(
            f"Only the current version ({kb.data_version()}) is built here; earlier versions "
            "are rebuilt from the repository (see the Data page)."
        )
    archive = releases.build().zip_bytes()
    response = HttpResponse(archive, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="ocpo-{version}.zip"'
    digest = base64.b64encode(hashlib.sha256(archive).digest()).decode()
    response["Repr-Digest"] = f"sha-256=:{digest}:"
    return response


@require_safe
def versioned(request, version, path):
    """A citation's permanent URL, ``/v/<version>/<path>``: the page itself while that
    version is served, else a page naming the cited version and the release that holds it."""
    target = "/" + path
    current = kb.data_version()
    if version == current:
        query = request.META.get("QUERY_STRING", "")
        return redirect(target + (f"?{query}" if query else ""))
    known = {entry["version"]: entry for entry in releases.read_manifest()}
    return render(
        request,
        "versioned.html",
        {"cited": version, "release": known.get(version), "target": target, "current": current},
        status=200 if version in known else 404,
    )
