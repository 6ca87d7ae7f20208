"""FilterSets for countries, missions and documents: shared by the portal lists and the API."""

import django_filters

from ocpo.filters import (
    BasisFilter,
    BasisFilterSetMixin,
    IntegerFilter,
    KBFilterSet,
    KeyFilter,
    PaperPath,
)

from .models import Country, Document, DocumentKind, Mission, MissionKind


class CountryFilterSet(BasisFilterSetMixin, KBFilterSet):
    """Countries by region or by a mission they host."""

    region = KeyFilter("region", label="Region", help_text="Region name, e.g. West Africa.")
    mission = KeyFilter(
        "missions__acronym",
        label="Mission",
        help_text="Acronym of a mission the country hosts, e.g. UNMIL.",
        label_field="name",
    )

    basis = BasisFilter()

    class Meta:
        model = Country
        fields = ["region", "mission", "basis"]


class DocumentFilterSet(BasisFilterSetMixin, KBFilterSet):
    """Documents by kind, symbol, year or date, and by what they concern or support."""

    kind = KeyFilter(
        "kind", choices=DocumentKind.choices, label="Kind", help_text="Kind of document."
    )
    symbol = KeyFilter(
        "symbol",
        label="UN symbol",
        facet=False,
        help_text="Exact UN document symbol, e.g. S/RES/2070.",
    )
    country = KeyFilter(
        "countries__iso3",
        paper=PaperPath("country_links", "country__iso3"),
        label="Country",
        help_text="ISO 3166-1 alpha-3 code of a country the document concerns, e.g. HTI.",
        label_field="name",
    )
    mission = KeyFilter(
        "missions__acronym",
        paper=PaperPath("mission_links", "mission__acronym"),
        label="Mission",
        help_text="Acronym of a mission the document concerns, e.g. UNMIL.",
        label_field="name",
    )
    interface = KeyFilter(
        "findings__interface__slug",
        number_path="findings__interface__number",
        label="Interface",
        paper=PaperPath("finding_links", "finding__interface__slug", "finding__interface__number"),
        help_text="Slug or number (1-7) of an interface whose findings cite the document.",
        label_field="title",
    )
    year = KeyFilter(
        "year",
        coerce=int,
        item_type="integer",
        label="Year",
        help_text="Year of publication, e.g. 2012.",
    )
    date_after = django_filters.DateFilter(
        "date",
        lookup_expr="gte",
        label="Dated on or after",
        help_text="ISO date (YYYY-MM-DD): documents dated on or after it.",
    )
    date_before = django_filters.DateFilter(
        "date",
        lookup_expr="lte",
        label="Dated on or before",
        help_text="ISO date (YYYY-MM-DD): documents dated on or before it.",
    )

    basis = BasisFilter()

    class Meta:
        model = Document
        fields = [
            "kind",
            "symbol",
            "country",
            "mission",
            "interface",
            "year",
            "date_after",
            "date_before",
            "basis",
        ]


class MissionFilterSet(BasisFilterSetMixin, KBFilterSet):
    """Missions by host country or region, kind, lead organization, interface or year."""

    country = KeyFilter(
        "countries__iso3",
        label="Host country",
        help_text="ISO 3166-1 alpha-3 code of a host country, e.g. LBR.",
        label_field="name",
    )
    kind = KeyFilter(
        "kind", choices=MissionKind.choices, label="Kind", help_text="Kind of operation."
    )
    lead_organization = KeyFilter(
        "lead_organization",
        label="Lead organization",
        help_text="Organization leading the mission, e.g. UN, EU, NATO.",
    )
    interface = KeyFilter(
        "findings__interface__slug",
        number_path="findings__interface__number",
        label="Interface",
        paper=PaperPath("finding_links", "finding__interface__slug", "finding__interface__number"),
        help_text="Slug or number (1-7) of an interface the paper's findings show in the mission.",
        label_field="title",
    )
    active_in = IntegerFilter(
        method="filter_active_in",
        min_value=1900,
        max_value=2100,
        label="Active in year",
        help_text="A year, e.g. 2005: missions deployed at some point of it.",
    )
    region = KeyFilter(
        "countries__region",
        label="Region",
        help_text="Region of a host country, e.g. West Africa.",
    )

    basis = BasisFilter()

    class Meta:
        model = Mission
        fields = [
            "country",
            "kind",
            "lead_organization",
            "interface",
            "active_in",
            "region",
            "basis",
        ]

    def filter_active_in(self, queryset, name, value: int):
        return queryset.active_in(value)
