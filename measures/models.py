"""The Annex table (measures missions used against OC) and Box 2 (UN Police functions)."""

from django.db import models
from django.db.models import Count, Q

from interfaces.models import Finding, Interface
from missions.models import (
    Country,
    Mission,
    SearchableQuerySet,
    SourcedModel,
    key_index,
    prefetch_joined,
    prefetch_links,
)
from ocpo.keys import SLUG, record_url, validate_slug_key
from ocpo.models import Timestamped
from sources.models import LinkBasis, SourcedLink


class ActivityAreaQuerySet(SearchableQuerySet):
    search_fields = ("name", "measures__name")

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)

    def for_api_list(self):
        return self.prefetch_related("measures")

    def for_api_detail(self):
        return self.prefetch_related("measures__interfaces", "measures__applications__mission")


class ActivityArea(Timestamped):
    """An area of activity: the first column of the Annex table, in the paper's order."""

    number = models.PositiveSmallIntegerField(unique=True, help_text="Row group in the Annex.")
    slug = models.SlugField(max_length=80, unique=True, validators=[validate_slug_key])
    name = models.CharField(max_length=200, unique=True, help_text="As the Annex prints it.")
    editorial_note = models.TextField(
        blank=True, help_text="The editors' reading or correction of the Annex's wording."
    )

    objects = ActivityAreaQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        constraints = [
            SLUG.constraint("slug", "activityarea_slug_key"),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="activity_area_number_positive"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return record_url("measures:measure_list") + f"#{self.slug}"

    def natural_key(self):
        return (self.slug,)


class MeasureQuerySet(SearchableQuerySet):
    search_fields = ("name", "description", "area__name", "applications__label")

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)

    def for_api_list(self):
        """Measures with their area, interfaces, police functions and where they were applied."""
        return self.select_related("area").prefetch_related(
            "interfaces",
            "police_functions",
            prefetch_joined(self.model, "applications", "mission", "country"),
        )

    def for_api_detail(self):
        return self.for_api_list()

    def for_list(self):
        """Measures as the Annex shows them: area, examples with their places, interfaces."""
        return self.select_related("area").prefetch_related(
            "applications__mission", "applications__country", "interfaces"
        )

    def for_detail(self):
        """As listed, with the police functions and the findings repeating each example."""
        return self.for_list().prefetch_related(
            "police_functions", prefetch_links(self.model, "applications__finding_links", "finding")
        )


class Measure(Timestamped):
    """A specific measure in its area of activity (second column of the Annex).

    Which interfaces a measure addresses is the editors' judgement, not the paper's:
    ``interfaces_note`` says why.
    """

    area = models.ForeignKey(ActivityArea, on_delete=models.PROTECT, related_name="measures")
    position = models.PositiveSmallIntegerField(help_text="Order within the area, as in the Annex.")
    slug = models.SlugField(max_length=100, unique=True, validators=[validate_slug_key])
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    interfaces = models.ManyToManyField(Interface, blank=True, related_name="measures")
    interfaces_note = models.TextField(
        blank=True, help_text="Editorial judgement: why this measure addresses these interfaces."
    )
    editorial_note = models.TextField(
        blank=True, help_text="The editors' reading or correction of the Annex's wording."
    )

    objects = MeasureQuerySet.as_manager()

    class Meta:
        ordering = ["area__number", "position"]
        indexes = [key_index("slug", "measure_slug_upper_idx")]
        constraints = [
            SLUG.constraint("slug", "measure_slug_key"),
            models.UniqueConstraint(fields=["area", "position"], name="measure_unique_position"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return record_url("measures:measure_detail", slug=self.slug)

    def natural_key(self):
        return (self.slug,)


class MeasureApplicationQuerySet(SearchableQuerySet):
    search_fields = ("label", "note", "measure__name", "mission__acronym", "country__name")

    def get_by_natural_key(self, measure_slug, position):
        return self.get(measure__slug=measure_slug, position=position)

    def for_api_list(self):
        return self._for_api("repeated_in")

    def for_api_detail(self):
        """As listed; the findings repeating it with their interfaces, in one query."""
        return self._for_api(prefetch_joined(self.model, "repeated_in", "interface"))

    def _for_api(self, repeated_in):
        return self.select_related(
            "measure__area", "mission", "country", "source"
        ).prefetch_related(
            "measure__interfaces",
            repeated_in,
            prefetch_links(self.model, "finding_links", "finding"),
        )

    def counts_by_area_and_mission(self, missions):
        """``{(area_id, mission_id): examples}`` for ``missions``, in one aggregate query."""
        rows = (
            self.filter(mission__in=missions)
            .order_by()
            .values_list("measure__area_id", "mission_id")
            .annotate(n=Count("pk"))
        )
        return {(area_id, mission_id): n for area_id, mission_id, n in rows}

    def for_all_missions(self):
        """Examples the paper gives for every mission ("Zero-tolerance policy: all missions")."""
        return self.filter(all_missions=True).select_related("measure__area")


class MeasureApplication(SourcedModel):
    """One example of a measure in practice (third column of the Annex).

    Linked to the mission and/or country the example names, or to all missions where the
    paper says so ("Zero-tolerance policy: all missions").
    """

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="applications")
    position = models.PositiveSmallIntegerField(help_text="Order within the measure's examples.")
    mission = models.ForeignKey(
        Mission, null=True, blank=True, on_delete=models.PROTECT, related_name="applications"
    )
    country = models.ForeignKey(
        Country, null=True, blank=True, on_delete=models.PROTECT, related_name="applications"
    )
    # The basis of each place link: the Annex prints it, or the editors inferred it.
    mission_basis = models.CharField(
        max_length=8, choices=LinkBasis.choices, blank=True, help_text="Empty without a mission."
    )
    mission_reason = models.TextField(
        blank=True, help_text="Why the editors linked this mission (required when they did)."
    )
    country_basis = models.CharField(
        max_length=8, choices=LinkBasis.choices, blank=True, help_text="Empty without a country."
    )
    country_reason = models.TextField(
        blank=True, help_text="Why the editors linked this country (required when they did)."
    )
    label = models.CharField(
        max_length=200,
        blank=True,
        help_text="The example as the Annex names it, e.g. 'Monrovia Freeport'.",
    )
    note = models.TextField(blank=True)
    all_missions = models.BooleanField(default=False, help_text="The paper says 'all missions'.")
    # A finding that only repeats Annex examples links to them instead of standing alone.
    repeated_in = models.ManyToManyField(
        Finding,
        blank=True,
        related_name="repeated_applications",
        through="ApplicationFinding",
        help_text="Findings that repeat this example.",
    )

    objects = MeasureApplicationQuerySet.as_manager()

    # Its page is its measure's (``get_absolute_url``): the changes feed links there.
    shown_on = "measure"

    class Meta:
        ordering = ["measure__area__number", "measure__position", "position"]
        indexes = [
            models.Index(fields=["mission", "measure"], name="application_mission_idx"),
            models.Index(fields=["country", "measure"], name="application_country_idx"),
            # Every mission page lists the "all missions" examples: a handful of 30,000
            # rows at factor 1000, which without it are found by reading them all (17 ms).
            models.Index(
                fields=["all_missions"],
                condition=Q(all_missions=True),
                name="application_all_missions_idx",
            ),
        ]
        constraints = [
            *SourcedModel.provenance_constraints("application"),
            models.UniqueConstraint(
                fields=["measure", "position"], name="application_unique_position"
            ),
            models.CheckConstraint(
                condition=Q(mission__isnull=False)
                | Q(country__isnull=False)
                | Q(all_missions=True),
                name="application_has_place",
            ),
            *[
                constraint
                for place in ("mission", "country")
                for constraint in (
                    models.CheckConstraint(
                        condition=Q(**{f"{place}__isnull": True, f"{place}_basis": ""})
                        | Q(**{f"{place}__isnull": False, f"{place}_basis__in": LinkBasis.values}),
                        name=f"application_{place}_basis",
                    ),
                    models.CheckConstraint(
                        condition=~Q(**{f"{place}_basis": LinkBasis.EDITORS})
                        | ~Q(**{f"{place}_reason": ""}),
                        name=f"application_{place}_editors_give_reason",
                    ),
                )
            ],
        ]

    def __str__(self):
        where = (
            "All missions"
            if self.all_missions
            else (self.label or str(self.mission or self.country))
        )
        return f"{self.measure.name}: {where}"

    @property
    def example_label(self):
        """The example as a list names it: its label, mission and country ("Diamond fields,
        UNMIL, Liberia"), or "All missions"."""
        if self.all_missions:
            return ", ".join(filter(None, ["All missions", self.label]))
        return ", ".join(
            filter(
                None,
                [
                    self.label,
                    self.mission and self.mission.acronym,
                    self.country and self.country.name,
                ],
            )
        )

    def get_absolute_url(self):
        return self.measure.get_absolute_url()

    def natural_key(self):
        return (*self.measure.natural_key(), self.position)

    natural_key.dependencies = ["measures.measure"]


class PoliceFunctionKind(models.TextChoices):
    CORE_FUNCTION = "core_function", "Core function"
    ACTIVITY = "activity", "Activity"


class PoliceFunctionQuerySet(SearchableQuerySet):
    search_fields = ("name", "editorial_note")

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)

    def for_api_list(self):
        return self.prefetch_related(
            "measures", "repeated_in", prefetch_links(self.model, "finding_links", "finding")
        )

    def for_api_detail(self):
        return self.prefetch_related(
            prefetch_joined(self.model, "measures", "area"),
            prefetch_joined(self.model, "repeated_in", "interface"),
            prefetch_links(self.model, "finding_links", "finding"),
        )

    def for_list(self):
        """Box 2 as the page shows it: measures, and the findings repeating each function."""
        return self.prefetch_related(
            "measures", prefetch_links(self.model, "finding_links", "finding")
        )


class PoliceFunction(Timestamped):
    """A core function or activity of UN Police (Box 2, from the 2014 DPKO/DFS policy)."""

    kind = models.CharField(max_length=16, choices=PoliceFunctionKind.choices, db_index=True)
    position = models.PositiveSmallIntegerField(unique=True, help_text="Order in Box 2.")
    slug = models.SlugField(max_length=100, unique=True, validators=[validate_slug_key])
    name = models.CharField(max_length=200)
    measures = models.ManyToManyField(Measure, blank=True, related_name="police_functions")
    # A finding that only quotes a Box 2 item links to it instead of standing alone.
    repeated_in = models.ManyToManyField(
        Finding,
        blank=True,
        related_name="repeated_police_functions",
        through="PoliceFunctionFinding",
        help_text="Findings that repeat this function.",
    )
    editorial_note = models.TextField(
        blank=True, help_text="Why these measures: the link is the editors' judgement."
    )

    objects = PoliceFunctionQuerySet.as_manager()

    class Meta:
        ordering = ["position"]
        constraints = [
            SLUG.constraint("slug", "policefunction_slug_key"),
            models.CheckConstraint(
                condition=Q(kind__in=PoliceFunctionKind.values), name="police_function_kind_valid"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return record_url("measures:police_function_list") + f"#{self.slug}"

    def natural_key(self):
        return (self.slug,)


class ApplicationFinding(SourcedLink):
    """An Annex example's link to a finding that repeats it, with its basis."""

    application = models.ForeignKey(
        MeasureApplication, on_delete=models.CASCADE, related_name="finding_links"
    )
    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="application_links")

    owner_field, target_field, target_key = "application", "finding", "slug"
    owner_key = ("measure__slug", "position")

    class Meta:
        ordering = ["application", "finding__slug"]
        constraints = SourcedLink.link_constraints("application_finding", "application", "finding")


class PoliceFunctionFinding(SourcedLink):
    """A Box 2 function's link to a finding that repeats it, with its basis."""

    police_function = models.ForeignKey(
        PoliceFunction, on_delete=models.CASCADE, related_name="finding_links"
    )
    finding = models.ForeignKey(
        Finding, on_delete=models.CASCADE, related_name="police_function_links"
    )

    owner_field, target_field, target_key = "police_function", "finding", "slug"

    class Meta:
        ordering = ["police_function", "finding__slug"]
        constraints = SourcedLink.link_constraints(
            "police_function_finding", "police_function", "finding"
        )
