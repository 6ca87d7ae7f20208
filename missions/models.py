"""Countries, missions and the documents the paper cites: the base of the knowledge base.

Every other app links to these records, so they carry natural keys (ISO3, acronym, slug)
that fixtures and URLs use instead of numeric ids.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Prefetch, Q
from django.db.models.functions import Upper
from django.utils.functional import cached_property

from ocpo.keys import (
    ACRONYM,
    ISO3,
    SLUG,
    record_url,
    validate_acronym,
    validate_iso3,
    validate_slug_key,
)
from ocpo.models import Timestamped, count_of

# Search lives in ocpo.search; the apps import it from here, the base of the stack.
from ocpo.search import SEARCH_MAX_LENGTH, SearchableQuerySet  # noqa: F401
from sources.models import (
    EDITORS,
    PAPER,
    SourcedLink,
    SourceSection,
    links_with_reasons,
)
from sources.models import (
    Source as SourceRecord,
)


class Source(models.TextChoices):
    """The slugs of the two sources every knowledge base has (``sources.Source`` records):
    the paper it was built from, and the editors. Other sources are records only."""

    PAPER = PAPER, "The paper"
    EDITORS = EDITORS, "Added by the editors"


def key_index(field, name):
    """An index on ``UPPER(field)``: natural keys are matched case-insensitively (``iexact``
    in lookups and filters), which a plain index cannot serve: without it every lookup by
    key reads the whole table (10,000 missions, 100,000 findings at factor 1000)."""
    return models.Index(Upper(field), name=name)


class SourcedModel(Timestamped):
    """Provenance shared by every record that states facts.

    A record from a source (the paper, or another text) names the section (and footnotes,
    and a finding its page) where a reader can check it; a record the editors added says
    so and explains itself in ``editorial_note``.
    """

    # The source's slug is the key: ``filter(source="paper")`` needs no join, and the
    # column keeps the values it held when it was a choice of "paper" or "editors".
    source = models.ForeignKey(
        SourceRecord,
        to_field="slug",
        db_column="source",
        default=PAPER,
        on_delete=models.PROTECT,
        related_name="%(class)s_records",
        help_text="Where the facts come from: the slug of a source (`paper`), or `editors`.",
    )
    # A code, checked against the source's sections (``clean()``, ``check_kb``): the page,
    # list and export show it with no query, and the fixtures write it as it is cited.
    section = models.CharField(
        max_length=12,
        blank=True,
        help_text="The section of the source where this is stated, by its code ('II.1').",
    )
    footnotes = models.CharField(
        max_length=60,
        blank=True,
        help_text="The paper's footnote numbers, comma-separated (e.g. '10, 11').",
    )
    editorial_note = models.TextField(
        blank=True,
        help_text="What the editors added or judged, and why (required when added by them).",
    )

    class Meta:
        abstract = True

    @property
    def footnote_numbers(self):
        return [int(n) for n in self.footnotes.replace(" ", "").split(",") if n.isdigit()]

    def clean(self):
        super().clean()
        if (
            self.section
            and self.source_id is not None
            and not SourceSection.objects.filter(
                source__slug=self.source_id, code=self.section
            ).exists()
        ):
            raise ValidationError(
                {"section": f"The source {self.source_id!r} has no section {self.section!r}."}
            )

    @property
    def paper_section(self):
        """The section's code: the name the field had when there was one paper (read-only in
        the API, kept for its clients)."""
        return self.section

    @paper_section.setter
    def paper_section(self, code):
        self.section = code

    @cached_property
    def section_record(self):
        """The ``SourceSection`` the code names in the record's source, or None."""
        if not self.section:
            return None
        return SourceSection.objects.filter(source__slug=self.source_id, code=self.section).first()

    @property
    def section_citation(self):
        """ "section II.1", as lists print it (no query: the code alone)."""
        return f"section {self.section}" if self.section else ""

    @property
    def section_label(self):
        """ "II.1, Organized Crime Fuels Conflict": the code and the title the source prints
        (the title alone where it begins with the code: "Annex, Table 1. ...")."""
        section = self.section_record
        if section is None:
            return self.section
        if section.title.startswith(f"{self.section},"):
            return section.title
        return f"{self.section}, {section.title}"

    @property
    def cited_as(self):
        """The source and locator as a reader cites them ("Title, section II.1, p. 7")."""
        from ocpo.citations import locator

        return locator(self)

    @staticmethod
    def provenance_constraints(prefix):
        """Check constraints: a source's records cite a section, editors' records explain.

        That the section belongs to the record's source is checked by ``clean()``."""
        return [
            models.CheckConstraint(
                condition=Q(source=Source.EDITORS) | ~Q(section=""),
                name=f"{prefix}_source_cites_section",
            ),
            models.CheckConstraint(
                condition=~Q(source=Source.EDITORS) | ~Q(editorial_note=""),
                name=f"{prefix}_editors_explain",
            ),
            models.CheckConstraint(
                condition=Q(footnotes__regex=r"^([0-9]+(, ?[0-9]+)*)?$"),
                name=f"{prefix}_footnotes_list",
            ),
        ]


def prefetch_links(model, path, target):
    """Prefetch the link rows at ``path`` from ``model`` with their ``target``, in one query.

    The link model is read from the relations, so an app prefetches the links of the apps
    above it (a mission's findings' links) without importing them.
    """
    related = model
    for name in path.split("__"):
        related = related._meta.get_field(name).related_model
    return Prefetch(path, queryset=related._default_manager.in_owner_order().select_related(target))


# What a page shows of each finding beside its links, read in the finding's own query.
FINDING_JOINS = ("interface", "quoted_document", "source")


def finding_links(model, prefix="findings__"):
    """What a page showing findings prefetches: the findings, joined to ``FINDING_JOINS``
    (one query, not one per relation), and their link rows with targets. With no prefix,
    for a queryset of findings itself: the link rows only (it selects the joins)."""
    links = (
        prefetch_links(model, f"{prefix}mission_links", "mission"),
        prefetch_links(model, f"{prefix}country_links", "country"),
        prefetch_links(model, f"{prefix}document_links", "document"),
        prefetch_links(model, f"{prefix}activity_links", "activity"),
    )
    if not prefix:
        return links
    return (prefetch_joined(model, prefix.removesuffix("__"), *FINDING_JOINS), *links)


def prefetch_joined(model, name, *joins):
    """Prefetch ``model``'s relation ``name``, joining its foreign keys ``joins`` in one query.

    The related model is read from the relation, so this app prefetches the records of the
    apps above it (findings, measure examples) without importing them.
    """
    related = model._meta.get_field(name).related_model
    return Prefetch(name, queryset=related._default_manager.select_related(*joins))


class CountryQuerySet(SearchableQuerySet):
    search_fields = ("name", "iso3", "region")

    def get_by_natural_key(self, iso3):
        return self.get(iso3=iso3)

    def for_api_list(self):
        """Countries with the acronyms of the missions they host (the API list)."""
        return self.prefetch_related("missions")

    def for_api_detail(self):
        """A country with summaries of its missions, documents, findings and examples."""
        return self.prefetch_related(
            "missions",
            "documents",
            prefetch_joined(self.model, "findings", "interface"),
            prefetch_joined(self.model, "applications", "measure__area", "mission"),
            "applications__measure__interfaces",
        )

    def for_list(self):
        """Countries with how many missions, findings and measure examples concern them."""
        return self.annotate(
            mission_count=count_of(self.model, "missions"),
            finding_count=count_of(self.model, "findings"),
            application_count=count_of(self.model, "applications"),
        ).order_by("name")

    def for_profile(self):
        """Everything the country page shows, prefetched (reverse relations by name)."""
        return self.prefetch_related(
            "missions",
            *finding_links(self.model),
            "applications__measure__area",
            "applications__mission",
            "documents",
        )


class Country(Timestamped):
    """A country or territory where the paper places a case or a mission."""

    iso3 = models.CharField(
        "ISO 3166-1 alpha-3",
        max_length=3,
        unique=True,
        help_text="Upper-case ISO 3166-1 alpha-3 code; XKX for Kosovo.",
        validators=[validate_iso3],
    )
    name = models.CharField(max_length=100, unique=True)
    region = models.CharField(max_length=60, db_index=True)

    objects = CountryQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "countries"
        indexes = [key_index("iso3", "country_iso3_upper_idx")]
        constraints = [
            ISO3.constraint("iso3", "country_iso3_upper"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return record_url("missions:country_detail", iso3=self.iso3)

    def natural_key(self):
        return (self.iso3,)


class DocumentKind(models.TextChoices):
    RESOLUTION = "resolution", "Security Council resolution"
    PRESIDENTIAL_STATEMENT = "presidential_statement", "Security Council presidential statement"
    SG_REPORT = "sg_report", "Report of the Secretary-General"
    PANEL_REPORT = "panel_report", "Report of an expert panel"
    UN_REPORT = "un_report", "Other UN report"
    POLICY = "policy", "Policy or guidance"
    STRATEGY = "strategy", "Security strategy"
    ACADEMIC = "academic", "Academic work"
    # The paper quotes some Council texts without saying whether they are resolutions or
    # presidential statements (and without symbol or date): recorded without guessing.
    COUNCIL_TEXT = "council_text", "Security Council text (form not given)"


class DocumentQuerySet(SearchableQuerySet):
    search_fields = ("title", "symbol", "author", "description", "publication")

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)

    def for_api_list(self):
        """Documents with their countries, missions and the interfaces of findings citing them."""
        return self.select_related("source").prefetch_related(
            "countries",
            "missions",
            prefetch_joined(self.model, "findings", "interface"),
            *self.link_rows(),
        )

    def link_rows(self):
        return (
            prefetch_links(self.model, "country_links", "country"),
            prefetch_links(self.model, "mission_links", "mission"),
        )

    def for_api_detail(self):
        return self.for_api_list().prefetch_related("established_missions")

    def for_list(self):
        return self.select_related("source").prefetch_related(*self.link_rows())

    def for_detail(self):
        """A document with everything that cites it or that it concerns."""
        return self.prefetch_related(
            *finding_links(self.model),
            "established_missions",
            *self.link_rows(),
        )

    def per_year(self):
        """``[{"year": 2012, "count": 5}, ...]`` for the documents in this queryset."""
        return list(self.order_by("year").values("year").annotate(count=Count("pk")))


class Document(SourcedModel):
    """Anything citable: resolutions, statements, reports, policies, academic works.

    ``source`` says whether the citation is printed in the paper or the editors added it
    (for example a symbol the paper does not give).
    """

    slug = models.SlugField(max_length=80, unique=True, validators=[validate_slug_key])
    kind = models.CharField(max_length=24, choices=DocumentKind.choices, db_index=True)
    symbol = models.CharField(
        max_length=40,
        unique=True,
        null=True,
        blank=True,
        help_text="UN document symbol such as S/RES/2070; empty for academic works.",
    )
    title = models.CharField(max_length=300)
    author = models.CharField(
        "author or body", max_length=200, blank=True, help_text="Author(s) or issuing body."
    )
    date = models.DateField(null=True, blank=True, db_index=True)
    year = models.PositiveSmallIntegerField(db_index=True)
    publication = models.CharField(
        max_length=200, blank=True, help_text="Journal, publisher or series, with pages."
    )
    description = models.TextField(blank=True, help_text="What the paper takes from it.")
    # Each link carries its basis (the paper's statement or the editors' inference).
    countries = models.ManyToManyField(
        Country, blank=True, related_name="documents", through="DocumentCountry"
    )
    missions = models.ManyToManyField(
        "Mission", blank=True, related_name="documents", through="DocumentMission"
    )

    objects = DocumentQuerySet.as_manager()

    class Meta:
        # NULL dates first on every database, so listings and exports agree everywhere.
        ordering = ["year", models.F("date").asc(nulls_first=True), "slug"]
        indexes = [key_index("slug", "document_slug_upper_idx")]
        constraints = [
            SLUG.constraint("slug", "document_slug_key"),
            *SourcedModel.provenance_constraints("document"),
            models.CheckConstraint(
                condition=Q(kind__in=DocumentKind.values), name="document_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(year__gte=1945, year__lte=2100), name="document_year_plausible"
            ),
            models.CheckConstraint(
                condition=Q(symbol__isnull=True) | Q(symbol__regex=r"^[A-Z][A-Za-z0-9./()-]+$"),
                name="document_symbol_form",
            ),
        ]

    def __str__(self):
        return f"{self.symbol} ({self.title})" if self.symbol else self.title

    def get_absolute_url(self):
        return record_url("missions:document_detail", slug=self.slug)

    def natural_key(self):
        return (self.slug,)

    @property
    def links_with_reasons(self):
        return links_with_reasons(self, ("mission_links", "country_links"))

    @property
    def citation(self):
        """A short citation: symbol and date for UN documents, author and year otherwise."""
        if self.symbol:
            return f"{self.symbol}, {self.date:%-d %B %Y}" if self.date else self.symbol
        return f"{self.author} ({self.year})" if self.author else f"{self.title} ({self.year})"


class MissionKind(models.TextChoices):
    UN_PKO = "un_pko", "UN peacekeeping operation"
    UN_SPM = "un_spm", "UN special political mission"
    NON_UN = "non_un", "Non-UN operation"


class MissionQuerySet(SearchableQuerySet):
    search_fields = ("acronym", "name", "summary", "countries__name")

    def get_by_natural_key(self, acronym):
        return self.get(acronym=acronym)

    def for_api_list(self):
        """Missions with host countries, establishing document and interfaces seen there."""
        return self.select_related("establishing_document", "source").prefetch_related(
            "countries", prefetch_joined(self.model, "findings", "interface")
        )

    def for_api_detail(self):
        """A mission with everything known of it: documents, findings, measure examples."""
        return self.for_api_list().prefetch_related(
            "documents",
            prefetch_joined(self.model, "applications", "measure__area", "country"),
            "applications__measure__interfaces",
        )

    def for_list(self):
        return (
            self.select_related("establishing_document")
            .prefetch_related("countries")
            .annotate(
                finding_count=count_of(self.model, "findings"),
                application_count=count_of(self.model, "applications"),
            )
            .order_by("acronym")
        )

    def for_profile(self):
        """A mission with its facts, evidence, measures and documents, prefetched.

        Findings and measure examples live in apps above this one; they are reached by
        their related names, so this app imports nothing from them.
        """
        return self.select_related("establishing_document").prefetch_related(
            "countries",
            *finding_links(self.model),
            "applications__measure__area",
            "applications__country",
            "documents",
        )

    def for_compare(self):
        return self.for_profile().prefetch_related("applications__measure__interfaces")

    def active_in(self, year):
        """Missions deployed at some point of ``year``."""
        return self.filter(start_date__year__lte=year).filter(
            Q(end_date__isnull=True) | Q(end_date__year__gte=year)
        )


class Mission(SourcedModel):
    """A peace operation (or other international operation) the paper names.

    Facts the paper does not print (dates, establishing resolution) are public ones added
    by the editors; ``editorial_note`` says which.
    """

    acronym = models.CharField(max_length=20, unique=True, validators=[validate_acronym])
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=8, choices=MissionKind.choices, db_index=True)
    lead_organization = models.CharField(
        max_length=20, db_index=True, help_text="UN, EU, NATO, ..."
    )
    countries = models.ManyToManyField(
        Country, related_name="missions", verbose_name="host countries"
    )
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True, help_text="Empty while the mission runs.")
    establishing_document = models.ForeignKey(
        Document,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="established_missions",
    )
    summary = models.TextField(blank=True, help_text="What the paper says of this mission.")

    objects = MissionQuerySet.as_manager()

    class Meta:
        ordering = ["acronym"]
        indexes = [
            models.Index(fields=["start_date", "end_date"], name="mission_dates_idx"),
            key_index("acronym", "mission_acronym_upper_idx"),
        ]
        constraints = [
            ACRONYM.constraint("acronym", "mission_acronym_key"),
            *SourcedModel.provenance_constraints("mission"),
            models.CheckConstraint(
                condition=Q(kind__in=MissionKind.values), name="mission_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="mission_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.acronym

    def get_absolute_url(self):
        return record_url("missions:mission_detail", acronym=self.acronym)

    def natural_key(self):
        return (self.acronym,)

    @property
    def is_active(self):
        return self.start_date is not None and self.end_date is None


class DocumentCountry(SourcedLink):
    """A document's link to a country it concerns, with its basis."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="country_links")
    country = models.ForeignKey(Country, on_delete=models.CASCADE, related_name="document_links")

    owner_field, target_field, target_key = "document", "country", "iso3"

    class Meta:
        ordering = ["document", "country__name"]
        verbose_name_plural = "document countries"
        constraints = SourcedLink.link_constraints("document_country", "document", "country")


class DocumentMission(SourcedLink):
    """A document's link to a mission it concerns, with its basis."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="mission_links")
    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="document_links")

    owner_field, target_field, target_key = "document", "mission", "acronym"

    class Meta:
        ordering = ["document", "mission__acronym"]
        constraints = SourcedLink.link_constraints("document_mission", "document", "mission")
