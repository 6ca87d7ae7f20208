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

# The words a list's own routes take after its prefix (``/api/v1/findings/cite/``): a record
# with one as its key would be shadowed by that route (its detail unreachable, a PUT answered
# 405). Every key pattern that can spell one refuses it; tests/test_key_patterns.py checks
# this list against the API's routes, so a new list route cannot ship unreserved.
ROUTE_WORDS = ("cite",)


@deconstructible
class KeyValidator(RegexValidator):
    """A ``RegexValidator`` matching the whole value: ``$`` alone lets a final newline in.

    The regex itself keeps the portable ``^...$`` form, which the OpenAPI schema publishes
    as the field's ``pattern``. A ``reserved`` word (one the regex refuses too) is refused
    with a message saying why.
    """

    def __init__(self, *args, reserved=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.reserved = tuple(reserved)

    def __call__(self, value):
        if value in self.reserved:
            raise ValidationError(
                '"%(value)s" is a route word of the API (/api/v1/<resource>/%(value)s/), '
                "so it cannot be a key.",
                code="reserved_key",
                params={"value": value},
            )
        if not (isinstance(value, str) and self.regex.fullmatch(value)):
            raise ValidationError(self.message, code=self.code, params={"value": value})

    def __eq__(self, other):
        return super().__eq__(other) and self.reserved == getattr(other, "reserved", ())


@dataclass(frozen=True)
class KeyPattern:
    """A kind of natural key: its regex (portable between Python, SQL and JSON Schema).

    ``reserved`` words are refused by the regex itself (a negative lookahead, which Python,
    PostgreSQL's AREs and ECMA-262 all read), so the validator, the database's check and the
    OpenAPI schema's ``pattern`` stay one rule.
    """

    name: str
    shape: str
    description: str
    reserved: tuple = ()

    @property
    def regex(self):
        if not self.reserved:
            return self.shape
        return f"^(?!(?:{'|'.join(self.reserved)})$){self.shape.removeprefix('^')}"

    @property
    def validator(self):
        kwargs = {"reserved": self.reserved} if self.reserved else {}
        message = f"Not a valid {self.name}: {self.description}."
        return KeyValidator(self.regex, message=message, code="invalid_key", **kwargs)

    def constraint(self, field, name):
        """The database's own check of this pattern on ``field``."""
        return CheckConstraint(condition=Q(**{f"{field}__regex": self.regex}), name=name)


SLUG = KeyPattern(
    "slug",
    r"^[a-z0-9]+(-[a-z0-9]+)*$",
    "lower-case letters and digits, in words joined by single hyphens (illicit-mining), "
    f"other than the API's route words ({', '.join(ROUTE_WORDS)})",
    reserved=ROUTE_WORDS,
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
