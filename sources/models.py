"""Provenance infrastructure at the bottom of the stack: the basis of each link.

A record such as a finding is linked to missions, countries, documents and activities.
Some links are the paper's own statement in that passage; others are the editors'
inference. Each link row says which (``basis``), and an editors' link says why
(``reason``), so that lists, counts and the matrix can be limited to what the paper states.
"""

from django.db import models
from django.db.models import Q

from ocpo.keys import SLUG, record_url, validate_slug_key
from ocpo.models import Timestamped

# The source of the records the editors added themselves (a symbol, a date, a mission the
# paper does not print): a Source record like the others, with no text to check against.
EDITORS = "editors"
# The first source, the paper the knowledge base was built from.
PAPER = "paper"


class LinkBasis(models.TextChoices):
    """On what a link between two records stands."""

    PAPER = "paper", "Stated by the paper"
    EDITORS = "editors", "The editors' inference"


class SourcedLinkQuerySet(models.QuerySet):
    """Link rows, found by the natural keys of the two records they join."""

    def get_by_natural_key(self, *keys):
        """By the owner's natural key (one field or several) and then the target's."""
        model = self.model
        *owner_key, target_key = keys
        return self.get(
            **{
                f"{model.owner_field}__{field}": value
                for field, value in zip(model.owner_keys(), owner_key, strict=True)
            },
            **{f"{model.target_field}__{model.target_key}": target_key},
        )

    def paper(self):
        """Only the links the paper states."""
        return self.filter(basis=LinkBasis.PAPER)

    def in_owner_order(self):
        """In the model's order without its first key, the owner: rows read for many owners
        at once (a prefetch, a CSV chunk) are grouped by owner, each owner's rows in the
        same order, and ordering by the owner would join its table and its own ordering's
        (a finding's interface) only to sort them (250 ms for 2,000 findings' links)."""
        model = self.model
        return self.order_by(
            *[key for key in model._meta.ordering if key.lstrip("-") != model.owner_field]
        )

    def ordered_by_owner(self):
        """In the owners' order: rows read from the linked record's side (the examples a
        finding repeats) come as the owners' own lists give them (the Annex's order)."""
        model = self.model
        owner = model._meta.get_field(model.owner_field).related_model
        return self.order_by(
            *[
                f"{key[:1] if key.startswith('-') else ''}{model.owner_field}__{key.lstrip('-')}"
                for key in owner._meta.ordering
            ]
        )


def links_with_reasons(obj, accessors):
    """``[(label, link row)]`` for ``obj``'s links that give a reason, from prefetched rows."""
    return [
        (str(getattr(row, row.target_field)), row)
        for accessor in accessors
        for row in getattr(obj, accessor).all()
        if row.reason
    ]


def owner_links_with_reasons(obj, accessors):
    """``[(label, link row)]`` for the links other records hold to ``obj`` that give a
    reason (a finding's repeated examples), from prefetched rows."""
    return [
        (str(getattr(row, row.owner_field)), row)
        for accessor in accessors
        for row in getattr(obj, accessor).all()
        if row.reason
    ]


class SourcedLink(models.Model):
    """A link between two records with its basis; the concrete through models subclass it.

    ``basis`` has no default: whoever writes a link says on what it stands (a bare key in
    the fixtures means the paper, see ``fixtures/README.md``).
    """

    basis = models.CharField(max_length=8, choices=LinkBasis.choices, db_index=True)
    reason = models.TextField(
        blank=True, help_text="Why the editors drew this link (required when they did)."
    )

    # The concrete link's foreign keys: to the record that owns the link and to the record
    # linked (e.g. "finding" and "mission"), and the linked record's natural key field. An
    # owner whose natural key has several fields (an Annex example) names them in a tuple.
    owner_field = ""
    owner_key = "slug"
    target_field = ""
    target_key = ""

    objects = SourcedLinkQuerySet.as_manager()

    class Meta:
        abstract = True

    def __str__(self):
        owner, target = getattr(self, self.owner_field), getattr(self, self.target_field)
        return f"{owner} → {target} ({self.get_basis_display()})"

    def get_absolute_url(self):
        return getattr(self, self.owner_field).get_absolute_url()

    def natural_key(self):
        owner, target = getattr(self, self.owner_field), getattr(self, self.target_field)
        return (*owner.natural_key(), *target.natural_key())

    @classmethod
    def owner_keys(cls):
        """The owner's natural key fields, as lookups from the owner."""
        return cls.owner_key if isinstance(cls.owner_key, tuple) else (cls.owner_key,)

    @property
    def target_natural_key(self):
        return getattr(getattr(self, self.target_field), self.target_key)

    @property
    def is_editors(self):
        return self.basis == LinkBasis.EDITORS

    @classmethod
    def link_constraints(cls, prefix, owner, target):
        """One link per pair; a valid basis; an editors' link gives its reason."""
        return [
            models.UniqueConstraint(fields=[owner, target], name=f"{prefix}_unique"),
            models.CheckConstraint(
                condition=Q(basis__in=LinkBasis.values), name=f"{prefix}_basis_valid"
            ),
            models.CheckConstraint(
                condition=~Q(basis=LinkBasis.EDITORS) | ~Q(reason=""),
                name=f"{prefix}_editors_give_reason",
            ),
        ]


class SourceQuerySet(models.QuerySet):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Source(Timestamped):
    """A text the knowledge base cites (the paper is the first), or the editors themselves.

    Only what the text itself prints is recorded: authors, publisher and year stay blank
    where it prints none.
    """

    slug = models.SlugField(max_length=40, unique=True, validators=[validate_slug_key])
    title = models.CharField(max_length=300, help_text="The title as the text prints it.")
    authors = models.CharField(
        max_length=300, blank=True, help_text="As the text names them; blank if it names none."
    )
    publisher = models.CharField(
        max_length=200, blank=True, help_text="As the text names it; blank if it names none."
    )
    year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="As the text prints it; empty if it prints none."
    )
    licence = models.TextField(
        blank=True,
        help_text="The licence of the text, as the text states it (or that it states none).",
    )
    text_path = models.CharField(
        max_length=200,
        blank=True,
        help_text="The text file, relative to the folder of OCPO_PAPER; quotations are "
        "checked against it. Empty for a source with no text (the editors).",
    )

    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ["slug"]
        constraints = [
            SLUG.constraint("slug", "source_slug_key"),
            models.CheckConstraint(
                condition=Q(year__isnull=True) | Q(year__gte=1900, year__lte=2100),
                name="source_year_plausible",
            ),
            models.CheckConstraint(
                condition=~Q(text_path__contains=".."), name="source_text_path_inside"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return record_url("sources:source_detail", slug=self.slug)

    def natural_key(self):
        return (self.slug,)

    @property
    def is_editors(self):
        return self.slug == EDITORS


class SourceSectionQuerySet(models.QuerySet):
    def get_by_natural_key(self, source, code):
        return self.get(source__slug=source, code=code)


class SourceSection(Timestamped):
    """A section of a source, for citing where a fact was read ("II.1")."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="sections")
    code = models.CharField(
        max_length=12, help_text="How the section is cited: 'I', 'II.1', 'III.a', 'Annex'."
    )
    title = models.CharField(max_length=200, help_text="The heading as the text prints it.")
    position = models.PositiveSmallIntegerField(help_text="Its place in the source's order.")
    pages = models.CharField(
        max_length=9,
        blank=True,
        help_text="The pages it covers ('3-5'), only where the text shows them.",
    )

    objects = SourceSectionQuerySet.as_manager()

    class Meta:
        ordering = ["source", "position"]
        constraints = [
            models.UniqueConstraint(fields=["source", "code"], name="section_code_unique"),
            models.UniqueConstraint(fields=["source", "position"], name="section_position_unique"),
            models.CheckConstraint(
                condition=Q(code__regex=r"^[A-Za-z0-9]+(\.[A-Za-z0-9]+)*$"),
                name="section_code_form",
            ),
            models.CheckConstraint(
                condition=Q(pages="") | Q(pages__regex=r"^[1-9][0-9]{0,3}(-[1-9][0-9]{0,3})?$"),
                name="section_pages_form",
            ),
        ]

    def __str__(self):
        return f"{self.code}. {self.title}"

    def get_absolute_url(self):
        return self.source.get_absolute_url()

    def natural_key(self):
        return (self.source.slug, self.code)

    natural_key.dependencies = ["sources.source"]
