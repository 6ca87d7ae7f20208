"""The natural-key patterns: one per kind of key, checked wherever a key is made.

A key ends up in URLs (``/missions/<acronym>/``), so a key that does not fit its pattern
(``AUD/IT``, ``..``) breaks every page that links to its record. Each pattern is enforced
by a model field validator (so the admin, the API's serializers and ``full_clean`` in the
fixture loader all refuse it with a message) and by a check constraint in the database.
Lookups stay case-insensitive; stored keys are in the one documented case.
"""

import functools
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db.models import CheckConstraint, Q
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.deconstruct import deconstructible


@deconstructible
class KeyValidator(RegexValidator):
    """A ``RegexValidator`` matching the whole value: ``$`` alone lets a final newline in.

    The regex itself keeps the portable ``^...$`` form, which the OpenAPI schema publishes
    as the field's ``pattern``.
    """

    def __call__(self, value):
        if not (isinstance(value, str) and self.regex.fullmatch(value)):
            raise ValidationError(self.message, code=self.code, params={"value": value})


@dataclass(frozen=True)
class KeyPattern:
    """A kind of natural key: its regex (portable between Python, SQL and JSON Schema)."""

    name: str
    regex: str
    description: str

    @property
    def validator(self):
        return KeyValidator(
            self.regex, message=f"Not a valid {self.name}: {self.description}.", code="invalid_key"
        )

    def constraint(self, field, name):
        """The database's own check of this pattern on ``field``."""
        return CheckConstraint(condition=Q(**{f"{field}__regex": self.regex}), name=name)


SLUG = KeyPattern(
    "slug",
    r"^[a-z0-9]+(-[a-z0-9]+)*$",
    "lower-case letters and digits, in words joined by single hyphens (illicit-mining)",
)
ISO3 = KeyPattern(
    "ISO 3166-1 alpha-3 code", r"^[A-Z]{3}$", "three upper-case letters (LBR; XKX for Kosovo)"
)
ACRONYM = KeyPattern(
    "acronym",
    r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$",
    "upper-case letters and digits, starting with a letter, parts joined by single hyphens (UNMIL)",
)

validate_slug_key = SLUG.validator
validate_iso3 = ISO3.validator
validate_acronym = ACRONYM.validator


def record_url(viewname, **kwargs):
    """A record's page, or "" if its key cannot be part of a URL.

    One record with a key that breaks its URL (stored before the patterns were enforced)
    must not make every list that links to it fail: its link is left empty and logged.
    A list page links a hundred records, and ``reverse()`` was a tenth of its CPU: each
    URL is remembered, for the URL configuration and script prefix it was made under.
    """
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    return _record_url(urlconf, get_script_prefix(), viewname, tuple(kwargs.items()))


@functools.lru_cache(maxsize=4096)
def _record_url(urlconf, prefix, viewname, kwargs):
    try:
        return reverse(viewname, urlconf=urlconf, kwargs=dict(kwargs))
    except NoReverseMatch:
        logging.getLogger(__name__).warning("No URL for %s %r", viewname, dict(kwargs))
        return ""
