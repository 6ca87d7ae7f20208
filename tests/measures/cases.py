"""API and filter cases for areas of activity, measures, applications and police functions."""

from measures.filters import (
    ActivityAreaFilterSet,
    MeasureApplicationFilterSet,
    MeasureFilterSet,
    PoliceFunctionFilterSet,
)
from tests.api_cases import Case

AREA = Case(
    basename="area",
    key="slug",
    filterset=ActivityAreaFilterSet,
    filters={
        "mission": ("UNMIL", None),  # B's example names no mission
        "interface": ("oc-fuels-conflict", "oc-undermines-security"),
        "basis": (None, None),
    },
    ordering="number",
    search="border",
    payload=lambda pair: {"number": 30001, "slug": "intelligence", "name": "Intelligence"},
)

MEASURE = Case(
    basename="measure",
    key="slug",
    filterset=MeasureFilterSet,
    filters={
        "area": ("border-control", "justice"),
        "mission": ("UNMIL", None),  # B's example names no mission
        "country": ("LBR", "XKX"),  # A through its mission's host, B named
        "interface": ("oc-fuels-conflict", "oc-undermines-security"),
        "basis": (None, None),
    },
    extra=[("interface", "1", "a")],
    ordering="name",
    search="ports",
    payload=lambda pair: {
        "slug": "patrol-borders",
        "area": "border-control",
        "position": 30001,
        "name": "Patrol borders",
        "interfaces": ["oc-fuels-conflict"],
    },
)

APPLICATION = Case(
    basename="application",
    key="id",
    filterset=MeasureApplicationFilterSet,
    filters={
        "measure": ("control-ports", "vetting"),
        "area": ("border-control", "justice"),
        "mission": ("UNMIL", None),  # B names no mission
        "country": ("LBR", "XKX"),  # A through its mission's host, B named
        "finding": ("unmil-diamonds", "eulex-drugs"),
        "basis": (None, None),
    },
    ordering="id",
    search="Monrovia",
    lookup=lambda obj: obj.pk,
    payload=lambda pair: {
        "measure": "control-ports",
        "position": 30001,
        "mission": "UNMIL",
        "country": "LBR",
        "label": "Roberts International Airport",
        "section": "Annex",
    },
)

POLICE_FUNCTION = Case(
    basename="police-function",
    key="slug",
    filterset=PoliceFunctionFilterSet,
    filters={"kind": ("core_function", "activity")},
    ordering="position",
    search="border",
    payload=lambda pair: {
        "slug": "public-order",
        "kind": "activity",
        "position": 30001,
        "name": "Public order management",
        "measures": ["control-ports"],
    },
)
