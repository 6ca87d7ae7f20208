"""The cross-app pages: home, search, matrix and compare. They call the apps' querysets."""

from django import forms
from django.shortcuts import render
from django.views.decorators.http import require_safe

from interfaces.models import Finding, Interface
from measures.models import Measure
from missions.models import SEARCH_MAX_LENGTH, Country, Document, Mission

from . import selectors
from .middleware import cache_params

SEARCH_RESULTS_PER_TYPE = 20
COMPARE_MAX_MISSIONS = 6


@require_safe
def home(request):
    return render(
        request,
        "home.html",
        {
            "interfaces": Interface.objects.with_counts(),
            "matrix": selectors.interface_mission_matrix(),
            "totals": selectors.totals(),
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
            "interface_matrix": selectors.interface_mission_matrix(basis or None),
            "area_matrix": selectors.area_mission_matrix(basis or None),
        },
    )


@require_safe
@cache_params("missions")
def compare(request):
    """Two or more missions side by side: ``?missions=UNMIK,MINUSTAH`` (or repeated)."""
    named = ",".join(request.GET.getlist("missions"))
    acronyms = list(dict.fromkeys(a.strip() for a in named.split(",") if a.strip()))
    comparison = selectors.compare_missions(acronyms[:COMPARE_MAX_MISSIONS])
    choices, more_missions = selectors.compare_choices(acronyms)
    return render(
        request,
        "compare.html",
        {
            "comparison": comparison,
            "selected": acronyms,
            "choices": choices,
            "more_missions": more_missions,
            "too_many": len(acronyms) > COMPARE_MAX_MISSIONS,
        },
    )


@require_safe
@cache_params("q")
def search(request):
    """One box across the knowledge base: ranked full text on PostgreSQL, grouped by type."""
    q = request.GET.get("q", "").strip()[:SEARCH_MAX_LENGTH]
    groups = []
    if q:
        kinds = [
            ("interfaces", Interface, Interface.objects.all()),
            ("findings", Finding, Finding.objects.select_related("interface")),
            ("missions", Mission, Mission.objects.all()),
            ("countries", Country, Country.objects.all()),
            ("documents", Document, Document.objects.all()),
            ("measures", Measure, Measure.objects.select_related("area")),
        ]
        for key, model, queryset in kinds:
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
    return render(
        request,
        "search.html",
        {
            "q": q,
            "groups": groups,
            "total": sum(len(g["results"]) for g in groups),
            "max_length": SEARCH_MAX_LENGTH,
        },
    )
