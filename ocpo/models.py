"""The project's own table: the vocabulary behind search's "did you mean"."""

from django.db import models


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
