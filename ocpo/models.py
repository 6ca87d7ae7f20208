"""What ocpo records beside the knowledge base: what was last synced with fixtures/, and
the vocabulary behind search's "did you mean"."""

from django.db import models


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
