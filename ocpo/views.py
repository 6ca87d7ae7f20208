"""The cross-app pages: home, search, matrix and compare. They call the apps' querysets."""

from django import forms
from django.shortcuts import render
from django.views.decorators.http import require_safe

from interfaces.models import Interface
from missions.models import SEARCH_MAX_LENGTH

from . import selectors
from .datastate import memoized
from .middleware import cache_params
from .search import clean_query

COMPARE_MAX_MISSIONS = 6


@require_safe
def home(request):
    return render(
        request,
        "home.html",
        {
            "interfaces": memoized(
                "interface-counts", lambda: list(Interface.objects.with_counts())
            ),
            "matrix": memoized("interface-mission-matrix", selectors.interface_mission_matrix),
            "country_matrix": memoized(
                "interface-country-matrix", selectors.interface_country_matrix
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
            "interface_matrix": memoized(
                f"interface-mission-matrix-{basis or 'all'}",
                lambda: selectors.interface_mission_matrix(basis or None),
            ),
            "area_matrix": memoized(
                f"area-mission-matrix-{basis or 'all'}",
                lambda: selectors.area_mission_matrix(basis or None),
            ),
            "country_matrix": memoized(
                f"interface-country-matrix-{basis or 'all'}",
                lambda: selectors.interface_country_matrix(basis or None),
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
