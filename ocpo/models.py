"""What ocpo records beside the knowledge base: what was last synced with fixtures/, the
vocabulary behind search's "did you mean", when records changed and which were deleted."""

from django.db import models
from django.utils import timezone

# Fields that say when a record changed, not what it holds: never compared, never exported.
TIMESTAMP_FIELDS = ("created", "modified")


class _CountOf(models.Subquery):
    template = "(SELECT COUNT(*) FROM (%(subquery)s) counted)"
    output_field = models.IntegerField()


def count_of(model, relation):
    """How many records each ``model`` record has through ``relation`` (a reverse foreign
    key or a many-to-many), as a correlated subquery.

    A list page annotated so counts only the rows it shows, and its paginator's COUNT leaves
    it out; ``Count(relation, distinct=True)`` joins and groups every record of the table
    first (the countries list waited 1.8 s for it at a thousandfold data).
    """
    field = model._meta.get_field(relation)
    if field.many_to_many:
        forward = field if field.concrete else field.field
        rows = forward.remote_field.through._default_manager
        own = forward.m2m_field_name() if field.concrete else forward.m2m_reverse_field_name()
    else:  # the reverse of a foreign key
        rows = field.related_model._default_manager
        own = field.field.name
    return _CountOf(rows.filter(**{own: models.OuterRef("pk")}).order_by().values("pk"))


class Timestamped(models.Model):
    """A record that says when it was created and when its content last changed.

    ``modified`` moves only when the content does: a save that changes no field leaves it
    (so a load of unchanged fixtures, or a PATCH repeating the current values, changes
    nothing), and a change of the links the record owns moves it (``ocpo.changes``). The
    values compared are those read from the database (``from_db``); a loader that knows the
    content changed says so with ``mark_changed()``.
    """

    created = models.DateTimeField(
        default=timezone.now,
        editable=False,
        help_text="When the record was created in this database (ISO 8601, UTC).",
    )
    modified = models.DateTimeField(
        default=timezone.now,
        editable=False,
        db_index=True,
        help_text="When the record's content (its fields or the links it owns) last changed "
        "(ISO 8601, UTC); equal to `created` until then.",
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        # Links and parts written right after a record is created are part of its creation
        # (also after a raw save by loaddata, which calls save_base: ocpo.changes).
        self.links_follow = self._state.adding
        if self._state.adding:
            self.modified = self.created
        elif self.has_changed(update_fields):
            self.modified = timezone.now()
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "modified"}
        super().save(*args, **kwargs)
        self.remember_content()

    @classmethod
    def from_db(cls, db, field_names, values):
        obj = super().from_db(db, field_names, values)
        obj._saved_content = dict(zip(field_names, values, strict=True))
        return obj

    @classmethod
    def content_fields(cls):
        """The concrete fields that make the record's content (not its id or timestamps)."""
        return [
            field
            for field in cls._meta.concrete_fields
            if not field.primary_key
            and field.name not in TIMESTAMP_FIELDS
            and not getattr(field, "generated", False)
        ]

    def mark_changed(self):
        """The next save moves ``modified`` whatever the fields say (e.g. only links changed)."""
        self._content_changed = True

    def has_changed(self, update_fields=None):
        """Whether a save now would change the record's content as last read or saved."""
        if self._state.adding or getattr(self, "_content_changed", False):
            return True
        saved = getattr(self, "_saved_content", None)
        if saved is None:  # built by hand, not read: nothing to compare with
            return True
        loaded = self.__dict__
        for field in self.content_fields():
            if update_fields is not None and field.name not in update_fields:
                continue
            if field.attname not in loaded:  # deferred and never read: unchanged
                continue
            if field.attname not in saved or saved[field.attname] != loaded[field.attname]:
                return True
        return False

    def remember_content(self):
        self._saved_content = {
            field.attname: self.__dict__[field.attname]
            for field in self.content_fields()
            if field.attname in self.__dict__
        }
        self._content_changed = False

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)
        self.remember_content()


class TombstoneQuerySet(models.QuerySet):
    def since(self, moment):
        return self if moment is None else self.filter(deleted__gte=moment)


class Tombstone(models.Model):
    """A deleted record: which one, when, and in which data version it still existed.

    A mirror learns of deletions from these (``/api/v1/changes/``, ``/changes.atom``); the
    record itself is gone, so its key is kept as text.
    """

    model = models.CharField(
        max_length=60, help_text="The record's model, e.g. interfaces.finding."
    )
    resource = models.CharField(
        max_length=40, help_text="The API resource it was served under, e.g. findings."
    )
    key = models.CharField(
        max_length=500, help_text="The key the API addressed it by (slug, acronym, ISO3, id)."
    )
    natural_key = models.CharField(max_length=500, help_text="Its natural key, as a JSON list.")
    deleted = models.DateTimeField(default=timezone.now, db_index=True)
    data_version = models.CharField(
        max_length=40, help_text="The knowledge base's data version when it was deleted."
    )

    objects = TombstoneQuerySet.as_manager()

    class Meta:
        ordering = ["deleted", "resource", "key"]

    def __str__(self):
        return f"{self.resource} {self.key} deleted {self.deleted:%Y-%m-%d %H:%M}"


class SyncedRecordQuerySet(models.QuerySet):
    def digests(self, path):
        """{natural key as JSON: digest} for the records of one fixture file."""
        return dict(self.filter(file=path).values_list("key", "digest"))


class SyncedRecord(models.Model):
    """One knowledge-base record as it was when last loaded from or exported to fixtures/.

    A record whose content in the database no longer matches its digest here was changed
    in the database (admin or API) since then: an edit not yet exported, which a load
    must not overwrite without being told to.
    """

    file = models.CharField(
        max_length=100, help_text="The fixture file, e.g. missions/missions.yaml."
    )
    key = models.CharField(max_length=500, help_text="The record's natural key, as a JSON list.")
    digest = models.CharField(max_length=64, help_text="SHA-256 of the record's canonical content.")

    objects = SyncedRecordQuerySet.as_manager()

    class Meta:
        ordering = ["file", "key"]
        constraints = [
            models.UniqueConstraint(fields=["file", "key"], name="ocpo_syncedrecord_file_key"),
        ]

    def __str__(self):
        return f"{self.file} {self.key}"


class SearchWord(models.Model):
    """A word (case and accents folded) that occurs in some searched text.

    Saves add their words (``ocpo.search.add_words_on_save``); bulk loads and deletes call
    ``rebuild_vocabulary``. Not part of the knowledge base: nothing exports it.
    """

    word = models.CharField(max_length=40, primary_key=True)

    class Meta:
        ordering = ["word"]

    def __str__(self):
        return self.word
