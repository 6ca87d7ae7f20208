"""Provenance infrastructure at the bottom of the stack: the basis of each link.

A record such as a finding is linked to missions, countries, documents and activities.
Some links are the paper's own statement in that passage; others are the editors'
inference. Each link row says which (``basis``), and an editors' link says why
(``reason``), so that lists, counts and the matrix can be limited to what the paper states.
"""

from django.db import models
from django.db.models import Q


class LinkBasis(models.TextChoices):
    """On what a link between two records stands."""

    PAPER = "paper", "Stated by the paper"
    EDITORS = "editors", "The editors' inference"


class SourcedLinkQuerySet(models.QuerySet):
    """Link rows, found by the natural keys of the two records they join."""

    def get_by_natural_key(self, owner_key, target_key):
        model = self.model
        return self.get(
            **{
                f"{model.owner_field}__{model.owner_key}": owner_key,
                f"{model.target_field}__{model.target_key}": target_key,
            }
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


def links_with_reasons(obj, accessors):
    """``[(label, link row)]`` for ``obj``'s links that give a reason, from prefetched rows."""
    return [
        (str(getattr(row, row.target_field)), row)
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
    # linked (e.g. "finding" and "mission"), and the linked record's natural key field.
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
