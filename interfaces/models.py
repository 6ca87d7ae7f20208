"""The seven interfaces of Box 1 and the evidence the paper gives for each."""

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Count, Exists, OuterRef, Prefetch, Q

from missions.models import (
    FINDING_JOINS,
    Country,
    Document,
    Mission,
    SearchableQuerySet,
    Source,
    SourcedModel,
    finding_links,
    key_index,
    prefetch_joined,
)
from ocpo.keys import SLUG, record_url, validate_slug_key
from ocpo.models import Timestamped, count_of
from ocpo.paper import PAGE_FORM, page_label
from sources.models import SourcedLink, links_with_reasons, owner_links_with_reasons

# The records of the measures app a finding can repeat, as link rows they own (accessor on
# the finding, and what a page shows of each): read by name, as this app cannot import them.
REPEATED_LINKS = (
    ("application_links", ("application__measure", "application__mission", "application__country")),
    ("police_function_links", ("police_function",)),
)


class IllicitActivityQuerySet(SearchableQuerySet):
    search_fields = ("name", "description")

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)

    def for_api_list(self):
        return self.prefetch_related(prefetch_joined(self.model, "findings", "interface"))

    def for_api_detail(self):
        return self.for_api_list()


class IllicitActivity(Timestamped):
    """A kind of crime the paper names (drug trafficking, diamond smuggling, ...)."""

    slug = models.SlugField(max_length=60, unique=True, validators=[validate_slug_key])
    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)

    objects = IllicitActivityQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "illicit activities"
        constraints = [SLUG.constraint("slug", "illicitactivity_slug_key")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return record_url("interfaces:finding_list") + f"?activity={self.slug}"

    def natural_key(self):
        return (self.slug,)


# An interface page shows at most this many findings and measures (all of them in the
# paper's data); the lists behind it page through them all.
DETAIL_MAX_FINDINGS = 25  # the findings list's first page
DETAIL_MAX_MEASURES = 50


class InterfaceQuerySet(SearchableQuerySet):
    search_fields = ("title", "summary", "mechanisms__description")

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)

    def for_api_list(self):
        """Interfaces with the missions, countries and activities of their findings."""
        return self.prefetch_related(
            "findings__missions", "findings__countries", "findings__activities"
        )

    def for_api_detail(self):
        return self.for_api_list().prefetch_related(
            "mechanisms", "questions", prefetch_joined(self.model, "measures", "area")
        )

    def with_counts(self):
        """Interfaces with their numbers of findings and of missions those findings concern."""
        return self.annotate(
            finding_count=Count("findings", distinct=True),
            mission_count=Count("findings__missions", distinct=True),
        ).order_by("number")

    def for_detail(self):
        """An interface with its mechanisms, first findings and measures (with their totals),
        and questions, prefetched."""
        # Measures are reached through their relation: the measures app imports this one.
        measures = self.model._meta.get_field("measures").related_model._default_manager
        return self.annotate(
            finding_total=count_of(self.model, "findings"),
            measure_total=count_of(self.model, "measures"),
        ).prefetch_related(
            "mechanisms",
            Prefetch(
                "findings",
                queryset=Finding.objects.for_list()[:DETAIL_MAX_FINDINGS],
                to_attr="first_findings",
            ),
            Prefetch(
                "measures",
                queryset=measures.select_related("area").prefetch_related(
                    "applications__mission", "applications__country"
                )[:DETAIL_MAX_MEASURES],
                to_attr="first_measures",
            ),
            "questions",
        )


class Interface(Timestamped):
    """One of the seven interfaces between organized crime and peace operations (Box 1)."""

    number = models.PositiveSmallIntegerField(unique=True, help_text="Position in Box 1 (1-7).")
    slug = models.SlugField(max_length=60, unique=True, validators=[validate_slug_key])
    title = models.CharField(max_length=100, unique=True, help_text="As printed in Box 1.")
    summary = models.TextField(help_text="The interface in the editors' own words.")
    paper_section = models.CharField(max_length=8, default="II")
    editorial_note = models.TextField(
        blank=True, help_text="Editors' notes, e.g. discrepancies the paper points out."
    )

    objects = InterfaceQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        constraints = [
            SLUG.constraint("slug", "interface_slug_key"),
            models.CheckConstraint(
                condition=Q(number__gte=1, number__lte=7), name="interface_number_in_box_1"
            ),
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"

    def get_absolute_url(self):
        return record_url("interfaces:interface_detail", slug=self.slug)

    def natural_key(self):
        return (self.slug,)


class MechanismQuerySet(SearchableQuerySet):
    search_fields = ("description",)  # indexed so that interfaces match through them

    def get_by_natural_key(self, interface_slug, position):
        return self.get(interface__slug=interface_slug, position=position)


class Mechanism(models.Model):
    """A way an interface works, as the paper describes it (e.g. OC funds armed groups)."""

    interface = models.ForeignKey(Interface, on_delete=models.CASCADE, related_name="mechanisms")
    position = models.PositiveSmallIntegerField()
    description = models.TextField()

    objects = MechanismQuerySet.as_manager()

    # Part of its interface's content (the API serves it inside the interface): a change
    # here moves the interface's ``modified`` (``ocpo.changes``).
    part_of = "interface"

    class Meta:
        ordering = ["interface__number", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["interface", "position"], name="mechanism_unique_position"
            ),
        ]

    def __str__(self):
        return f"{self.interface.title} ({self.position}): {self.description[:60]}"

    def get_absolute_url(self):
        return self.interface.get_absolute_url()

    def natural_key(self):
        return (*self.interface.natural_key(), self.position)

    natural_key.dependencies = ["interfaces.interface"]


class FindingQuerySet(SearchableQuerySet):
    search_fields = ("title", "summary", "quotation", "actors")

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)

    def for_api_list(self):
        return self.select_related(*FINDING_JOINS).prefetch_related(
            "missions",
            "countries",
            "documents",
            "activities",
            *finding_links(self.model, prefix=""),
        )

    def for_api_detail(self):
        return self.for_api_list().prefetch_related(*self.repeated_links())

    def for_list(self):
        """Findings with their interface and link rows (each with its basis and target)."""
        return self.select_related(*FINDING_JOINS).prefetch_related(
            *finding_links(self.model, prefix="")
        )

    def for_detail(self):
        """A finding's page: its links and the records it repeats."""
        return self.for_list().prefetch_related(*self.repeated_links())

    def repeated_links(self):
        """The link rows of the Annex examples and Box 2 functions each finding repeats, in
        the Annex's and Box 2's order, with what a page shows of them: one query each."""
        return [
            Prefetch(
                accessor,
                queryset=self.model._meta.get_field(accessor)
                .related_model._default_manager.ordered_by_owner()
                .select_related(*joins),
            )
            for accessor, joins in REPEATED_LINKS
        ]

    def for_countries_not_naming(self, countries, mission):
        """Findings recorded for any of ``countries`` that do not name ``mission``: a
        mission page's evidence from its host countries.

        Both tests are correlated subqueries on the link tables' indexes (EXISTS and NOT
        EXISTS), so no join multiplies the findings to be made distinct again and no
        ``NOT IN`` list is built.
        """
        return self.filter(
            Exists(FindingCountry.objects.filter(finding=OuterRef("pk"), country__in=countries))
        ).exclude(Exists(FindingMission.objects.filter(finding=OuterRef("pk"), mission=mission)))

    def counts_by_interface_and_mission(self, missions, basis=None):
        """``{(interface_id, mission_id): findings}`` for ``missions``, in one aggregate query.

        ``basis="paper"`` counts only the links the paper states.
        """
        links = FindingMission.objects.filter(finding__in=self, mission__in=missions)
        if basis is not None:
            links = links.filter(basis=basis)
        rows = links.values_list("finding__interface_id", "mission_id").annotate(n=Count("finding"))
        return {(interface_id, mission_id): n for interface_id, mission_id, n in rows}


class Finding(SourcedModel):
    """One piece of evidence that an interface was seen in a case.

    The summary is in the editors' own words; ``quotation`` holds the paper's (or the
    cited document's) words verbatim and is empty when there are none.
    """

    slug = models.SlugField(max_length=100, unique=True, validators=[validate_slug_key])
    interface = models.ForeignKey(Interface, on_delete=models.PROTECT, related_name="findings")
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Order of the case within its interface, as in the paper."
    )
    title = models.CharField(max_length=200)
    summary = models.TextField()
    quotation = models.TextField(blank=True, help_text="Verbatim; empty if none.")
    # Whose words the quotation is: the document it quotes, or (when that document is not
    # recorded) who is quoted, in words; neither means the paper's author's own words.
    quoted_document = models.ForeignKey(
        Document,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="quoted_in",
        help_text="The document whose words the quotation is; empty for the paper's own words.",
    )
    quoted_speaker = models.CharField(
        max_length=200,
        blank=True,
        help_text="Who is quoted when the document is not recorded (e.g. an SG report).",
    )
    actors = models.CharField(
        max_length=300, blank=True, help_text="Armed groups, elites or networks the case names."
    )
    # Where the paper says it, beside section and footnotes: located in the paper's text
    # (manage.py locate_pages) and verified by check_kb. A string, as a citation's locator is.
    page = models.CharField(
        max_length=9,
        blank=True,
        validators=[RegexValidator(f"^{PAGE_FORM}$", "A page ('7') or a range of pages ('6-7').")],
        help_text="The paper's page where the quotation stands: '7', or '6-7' across a break.",
    )
    # Each link carries its basis (the paper's statement or the editors' inference).
    missions = models.ManyToManyField(
        Mission, blank=True, related_name="findings", through="FindingMission"
    )
    countries = models.ManyToManyField(
        Country, blank=True, related_name="findings", through="FindingCountry"
    )
    documents = models.ManyToManyField(
        Document, blank=True, related_name="findings", through="FindingDocument"
    )
    activities = models.ManyToManyField(
        IllicitActivity,
        blank=True,
        related_name="findings",
        verbose_name="illicit activities",
        through="FindingActivity",
    )

    objects = FindingQuerySet.as_manager()

    class Meta:
        ordering = ["interface__number", "position", "slug"]
        indexes = [
            models.Index(fields=["interface", "position"], name="finding_interface_pos_idx"),
            key_index("slug", "finding_slug_upper_idx"),
        ]
        constraints = [
            *SourcedModel.provenance_constraints("finding"),
            models.CheckConstraint(
                condition=Q(page__regex=f"^({PAGE_FORM})?$"), name="finding_page_form"
            ),
            SLUG.constraint("slug", "finding_slug_key"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return record_url("interfaces:finding_detail", slug=self.slug)

    def natural_key(self):
        return (self.slug,)

    @property
    def page_label(self):
        """The page as pages and citations print it: "p. 7"."""
        return page_label(self.page)

    @property
    def quotation_speaker(self):
        """Whose words the quotation is, as pages say it: "the paper, quoting S/RES/2070"."""
        # The paper is named without a query; another source by its title.
        who = "the paper" if self.source_id == Source.PAPER else self.source.title
        if self.quoted_document_id:
            document = self.quoted_document
            return f"{who}, quoting {document.symbol or document.title}"
        if self.quoted_speaker:
            return f"{who}, quoting {self.quoted_speaker}"
        return "the paper's own words" if who == "the paper" else f"the words of {who}"

    @property
    def links_with_reasons(self):
        return links_with_reasons(
            self, ("mission_links", "country_links", "document_links", "activity_links")
        )

    @property
    def repeats_with_reasons(self):
        """The records it repeats whose link gives a reason, as ``(label, link row)``."""
        return owner_links_with_reasons(self, [accessor for accessor, _ in REPEATED_LINKS])

    @property
    def case_label(self):
        """Where the case was seen: its missions, else its countries (uses prefetched links)."""
        missions = [link.mission.acronym for link in self.mission_links.all()]
        countries = [link.country.name for link in self.country_links.all()]
        if missions:
            return ", ".join(missions) + (f" ({', '.join(countries)})" if countries else "")
        return ", ".join(countries) or "General"


class QuestionQuerySet(SearchableQuerySet):
    search_fields = ("text", "editorial_note")

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)

    def for_api_list(self):
        return self.prefetch_related("interfaces")

    def for_api_detail(self):
        return self.for_api_list()

    def for_list(self):
        return self.prefetch_related("interfaces")


class Question(Timestamped):
    """A question for discussion from section IV, linked to the interfaces it concerns."""

    number = models.PositiveSmallIntegerField(unique=True, help_text="Order in section IV.")
    slug = models.SlugField(max_length=100, unique=True, validators=[validate_slug_key])
    text = models.TextField()
    interfaces = models.ManyToManyField(Interface, blank=True, related_name="questions")
    editorial_note = models.TextField(
        blank=True, help_text="Why these interfaces: the link is the editors' judgement."
    )

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        constraints = [SLUG.constraint("slug", "question_slug_key")]

    def __str__(self):
        return self.text

    def get_absolute_url(self):
        return record_url("interfaces:question_list") + f"#{self.slug}"

    def natural_key(self):
        return (self.slug,)


class FindingMission(SourcedLink):
    """A finding's link to a mission, with its basis (the paper's statement or the editors')."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="mission_links")
    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="finding_links")

    owner_field, target_field, target_key = "finding", "mission", "acronym"

    class Meta:
        ordering = ["finding", "mission__acronym"]
        constraints = SourcedLink.link_constraints("finding_mission", "finding", "mission")


class FindingCountry(SourcedLink):
    """A finding's link to a country, with its basis."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="country_links")
    country = models.ForeignKey(Country, on_delete=models.CASCADE, related_name="finding_links")

    owner_field, target_field, target_key = "finding", "country", "iso3"

    class Meta:
        ordering = ["finding", "country__name"]
        verbose_name_plural = "finding countries"
        constraints = SourcedLink.link_constraints("finding_country", "finding", "country")


class FindingDocument(SourcedLink):
    """A finding's link to a document it cites, with its basis."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="document_links")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="finding_links")

    owner_field, target_field, target_key = "finding", "document", "slug"

    class Meta:
        ordering = ["finding", "document__year", "document__slug"]
        constraints = SourcedLink.link_constraints("finding_document", "finding", "document")


class FindingActivity(SourcedLink):
    """A finding's link to an illicit activity it names, with its basis."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="activity_links")
    activity = models.ForeignKey(
        IllicitActivity, on_delete=models.CASCADE, related_name="finding_links"
    )

    owner_field, target_field, target_key = "finding", "activity", "slug"

    class Meta:
        ordering = ["finding", "activity__name"]
        verbose_name_plural = "finding activities"
        constraints = SourcedLink.link_constraints("finding_activity", "finding", "activity")
