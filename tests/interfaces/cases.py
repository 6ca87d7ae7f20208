"""API and filter cases for interfaces, findings, illicit activities and questions."""

from interfaces.filters import (
    FindingFilterSet,
    IllicitActivityFilterSet,
    InterfaceFilterSet,
    QuestionFilterSet,
)
from tests.api_cases import Case

INTERFACES = ("oc-fuels-conflict", "oc-undermines-security")

INTERFACE = Case(
    basename="interface",
    key="slug",
    filterset=InterfaceFilterSet,
    filters={
        "mission": ("UNMIL", "EULEX"),
        "country": ("LBR", "XKX"),
        "activity": ("diamond-smuggling", "drug-trafficking"),
        "basis": (None, None),
    },
    ordering="number",
    search="fuels",
    payload=lambda pair: {
        "number": 3,
        "slug": "peacekeepers-participate",
        "title": "Peacekeepers participate in Organized Crime",
        "summary": "Peacekeepers take part in illicit trade.",
    },
)

FINDING = Case(
    basename="finding",
    key="slug",
    filterset=FindingFilterSet,
    filters={
        "interface": INTERFACES,
        "mission": ("UNMIL", "EULEX"),
        "country": ("LBR", "XKX"),
        "document": ("s-res-1509", "smith-2010"),
        "activity": ("diamond-smuggling", "drug-trafficking"),
        "basis": (None, None),
    },
    extra=[("interface", "1", "a"), ("interface", "2", "b"), ("interface", "1,2", "ab")],
    ordering="slug",
    search="diamonds",
    payload=lambda pair: {
        "slug": "unmil-rubber",
        "interface": "oc-fuels-conflict",
        "title": "Rubber plantations",
        "summary": "Armed groups held rubber plantations.",
        "missions": ["UNMIL"],
        "countries": ["LBR"],
        "documents": ["s-res-1509"],
        "activities": ["diamond-smuggling"],
        "section": "II.1",
    },
)

ACTIVITY = Case(
    basename="activity",
    key="slug",
    filterset=IllicitActivityFilterSet,
    filters={"interface": INTERFACES, "mission": ("UNMIL", "EULEX"), "basis": (None, None)},
    extra=[("interface", "1", "a")],
    ordering="name",
    search="diamond",
    payload=lambda pair: {"slug": "arms-trafficking", "name": "Arms trafficking"},
)

QUESTION = Case(
    basename="question",
    key="slug",
    filterset=QuestionFilterSet,
    filters={"interface": INTERFACES},
    extra=[("interface", "2", "b")],
    ordering="number",
    search="diamonds",
    payload=lambda pair: {
        "number": 30001,
        "slug": "question-new",
        "text": "What should missions do?",
        "interfaces": ["oc-fuels-conflict"],
    },
)
