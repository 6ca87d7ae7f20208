"""FilterSets for the Annex (areas, measures, applications) and Box 2 (police functions).

A measure's missions and countries are those of its applications; an application is in a
country when it names the country or a mission the country hosts. Applications the paper
gives for "all missions" are not matched by a mission filter.
"""

from ocpo.filters import BasisFilter, BasisFilterSetMixin, KBFilterSet, KeyFilter, PaperPath

from .models import ActivityArea, Measure, MeasureApplication, PoliceFunction, PoliceFunctionKind

INTERFACE_HELP = "Slug or number (1-7) of an interface the measure addresses."


class ActivityAreaFilterSet(BasisFilterSetMixin, KBFilterSet):
    """Areas of activity by the missions that applied their measures and the interfaces."""

    mission = KeyFilter(
        "measures__applications__mission__acronym",
        paper=PaperPath("measures__applications", "mission__acronym", basis_field="mission_basis"),
        label="Mission",
        help_text="Acronym of a mission that applied a measure of the area, e.g. UNMIL.",
        label_field="name",
    )
    interface = KeyFilter(
        "measures__interfaces__slug",
        number_path="measures__interfaces__number",
        label="Interface",
        help_text="Slug or number (1-7) of an interface a measure of the area addresses.",
        label_field="title",
    )

    basis = BasisFilter()

    class Meta:
        model = ActivityArea
        fields = ["mission", "interface", "basis"]


class MeasureFilterSet(BasisFilterSetMixin, KBFilterSet):
    """Measures by area, by where they were applied and by the interfaces they address."""

    area = KeyFilter(
        "area__slug",
        label="Area of activity",
        help_text="Slug of the area.",
        label_field="name",
    )
    mission = KeyFilter(
        "applications__mission__acronym",
        paper=PaperPath("applications", "mission__acronym", basis_field="mission_basis"),
        label="Mission",
        help_text="Acronym of a mission that applied the measure, e.g. UNMIL.",
        label_field="name",
    )
    country = KeyFilter(
        "applications__country__iso3",
        "applications__mission__countries__iso3",
        paper=PaperPath("applications", "country__iso3", basis_field="country_basis"),
        label="Country",
        help_text=(
            "ISO 3166-1 alpha-3 code of a country where the measure was applied "
            "(named by an application or hosting its mission), e.g. LBR."
        ),
        label_field="name",
    )
    interface = KeyFilter(
        "interfaces__slug",
        number_path="interfaces__number",
        label="Interface",
        help_text=INTERFACE_HELP,
        label_field="title",
    )

    basis = BasisFilter()

    class Meta:
        model = Measure
        fields = ["area", "mission", "country", "interface", "basis"]


class MeasureApplicationFilterSet(BasisFilterSetMixin, KBFilterSet):
    """Applications (Annex examples) by measure, area, mission, country or repeating finding."""

    measure = KeyFilter(
        "measure__slug",
        label="Measure",
        help_text="Slug of the measure.",
        label_field="name",
    )
    area = KeyFilter(
        "measure__area__slug",
        label="Area of activity",
        help_text="Slug of the measure's area.",
        label_field="name",
    )
    mission = KeyFilter(
        "mission__acronym",
        paper=PaperPath("", "mission__acronym", basis_field="mission_basis"),
        label="Mission",
        help_text="Acronym of the mission the example names, e.g. UNMIL.",
        label_field="name",
    )
    country = KeyFilter(
        "country__iso3",
        "mission__countries__iso3",
        paper=PaperPath("", "country__iso3", basis_field="country_basis"),
        label="Country",
        help_text=(
            "ISO 3166-1 alpha-3 code of the country the example names or that hosts its "
            "mission, e.g. LBR."
        ),
        label_field="name",
    )
    finding = KeyFilter(
        "repeated_in__slug",
        paper=PaperPath("finding_links", "finding__slug"),
        label="Repeated in finding",
        help_text="Slug of a finding that repeats the example.",
        label_field="title",
    )

    basis = BasisFilter()

    class Meta:
        model = MeasureApplication
        fields = ["measure", "area", "mission", "country", "finding", "basis"]


class PoliceFunctionFilterSet(KBFilterSet):
    """UN Police core functions and activities (Box 2) by kind."""

    kind = KeyFilter(
        "kind",
        choices=PoliceFunctionKind.choices,
        label="Kind",
        help_text="Core function or activity.",
    )

    class Meta:
        model = PoliceFunction
        fields = ["kind"]
