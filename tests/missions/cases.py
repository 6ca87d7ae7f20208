"""API and filter cases for countries, documents and missions (see ``tests/api_cases.py``)."""

from missions.filters import CountryFilterSet, DocumentFilterSet, MissionFilterSet
from tests.api_cases import Case

COUNTRY = Case(
    basename="country",
    key="iso3",
    filterset=CountryFilterSet,
    filters={
        "region": ("West Africa", "Europe"),
        "mission": ("UNMIL", "EULEX"),
        "basis": (None, None),
    },
    ordering="name",
    search="Liberia",
    payload=lambda pair: {"iso3": "HTI", "name": "Haiti", "region": "Caribbean"},
)

DOCUMENT = Case(
    basename="document",
    key="slug",
    filterset=DocumentFilterSet,
    filters={
        "kind": ("resolution", "academic"),
        "symbol": ("S/RES/1509", None),
        "country": ("LBR", "XKX"),
        "mission": ("UNMIL", "EULEX"),
        "interface": ("oc-fuels-conflict", "oc-undermines-security"),
        "year": ("2003", "2010"),
        "date_after": (None, "2005-01-01"),
        "date_before": ("2005-01-01", None),
        "basis": (None, None),
    },
    extra=[("interface", "1", "a"), ("interface", "2,oc-fuels-conflict", "ab")],
    invalid={"year": "abc", "date_after": "notadate", "date_before": "2012-13-45"},
    ordering="year",
    search="1509",
    payload=lambda pair: {
        "slug": "s-res-2070",
        "kind": "resolution",
        "symbol": "S/RES/2070",
        "title": "Resolution 2070 (2012)",
        "date": "2012-10-12",
        "year": 2012,
        "countries": ["LBR"],
        "missions": ["UNMIL"],
        "section": "I",
    },
)

MISSION = Case(
    basename="mission",
    key="acronym",
    filterset=MissionFilterSet,
    filters={
        "country": ("LBR", "XKX"),
        "kind": ("un_pko", "non_un"),
        "lead_organization": ("UN", "EU"),
        "interface": ("oc-fuels-conflict", "oc-undermines-security"),
        "active_in": ("2005", "2019"),
        "region": ("West Africa", "Europe"),
        "basis": (None, None),
    },
    extra=[("active_in", "2010", "ab"), ("active_in", "1990", ""), ("interface", "2", "b")],
    invalid={"active_in": "x"},
    ordering="acronym",
    search="Liberia",
    payload=lambda pair: {
        "acronym": "MINUSTAH",
        "name": "United Nations Stabilization Mission in Haiti",
        "kind": "un_pko",
        "lead_organization": "UN",
        "countries": ["LBR"],
        "start_date": "2004-06-01",
        "establishing_document": "s-res-1509",
        "section": "II",
    },
)
