"""Filter building blocks every app's ``filters.py`` uses (HTML lists and the API alike).

A ``KeyFilter`` takes one or several natural keys, repeated (``?mission=UNMIL&mission=UNAMSIL``)
or comma-separated (``?mission=UNMIL,UNAMSIL``), matches them case-insensitively and keeps a
row if any value matches. Where a record can hold several values (its missions), the
``KBFilterSet`` adds ``<name>__all``, which keeps a row only if every value matches. An
unknown key matches nothing, so the list is empty; a value that cannot be read
(``year=abc``) is a form error, which the API answers with 400.

``KBFilterSet`` also adds ``modified_since`` to every list.
"""

import datetime
import re
from dataclasses import dataclass

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q
from django_filters import ChoiceFilter, Filter, FilterSet
from drf_spectacular.utils import extend_schema_field

MULTI_VALUE_HELP = "Several values: repeat the parameter or separate them with commas."
ANY_HELP = "A record matches if it has any of the values (`{name}__all`: all of them)."
ALL_HELP = "A record matches only if it has every one of the values (`{name}`: any of them)."
# The suffix of a key filter's "all of these values" twin: ?mission__all=UNMIL,UNAMSIL.
ALL_SUFFIX = "__all"


class MultiValueWidget(forms.TextInput):
    """A text input that reads every occurrence of its parameter and shows them joined."""

    def value_from_datadict(self, data, files, name):
        if hasattr(data, "getlist"):
            return data.getlist(name)
        value = data.get(name)
        if value is None:
            return []
        return list(value) if isinstance(value, (list, tuple)) else [value]

    def value_omitted_from_data(self, data, files, name):
        return name not in data

    def format_value(self, value):
        if isinstance(value, (list, tuple)):
            return ", ".join(str(v) for v in value) or None
        return super().format_value(value)


class MultiValueSelect(forms.SelectMultiple):
    """A multiple select for keys with fixed choices; comma-separated values still work."""

    def format_value(self, value):
        if isinstance(value, (list, tuple)):
            return [part.strip() for v in value for part in str(v).split(",") if part.strip()]
        return super().format_value(value)


class MultiValueField(forms.Field):
    """A list of values given repeated and/or comma-separated, each converted by ``coerce``."""

    widget = MultiValueWidget
    default_error_messages = {
        "invalid": "“%(value)s” is not a valid %(kind)s.",
        "null": "Null characters are not allowed.",
    }

    def __init__(self, *, coerce=str, kind="value", choices=None, **kwargs):
        self.coerce = coerce
        self.kind = kind
        if choices is not None and "widget" not in kwargs:
            kwargs["widget"] = MultiValueSelect(choices=choices)
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in (None, ""):
            return []
        if not isinstance(value, (list, tuple)):
            value = [value]
        values = []
        for raw in value:
            for part in str(raw).split(","):
                part = part.strip()
                if not part:
                    continue
                if "\x00" in part:
                    raise forms.ValidationError(self.error_messages["null"], code="null")
                try:
                    values.append(self.coerce(part))
                except (TypeError, ValueError):
                    raise forms.ValidationError(
                        self.error_messages["invalid"],
                        code="invalid",
                        params={"value": part, "kind": self.kind},
                    ) from None
        return values


# The value of a link's basis when the paper states it (sources.models.LinkBasis.PAPER);
# spelled out here because this module imports no app.
PAPER = "paper"


@dataclass(frozen=True)
class PaperPath:
    """How a ``KeyFilter`` reaches its key through links the paper states.

    ``prefix`` leads to the link rows (``"finding_links"``, or ``""`` when the basis sits on
    the filtered record itself); ``path`` and ``number_path`` go on from there to the key;
    ``basis_field`` is the field holding the basis (``"mission_basis"`` on an example).
    """

    prefix: str
    path: str
    number_path: str | None = None
    basis_field: str = "basis"

    def join(self, name):
        return f"{self.prefix}__{name}" if self.prefix else name


def to_one(model, path):
    """Whether the lookup ``path`` (``interface__slug``) follows only to-one relations.

    Joining them cannot repeat a row, so a filter on them needs no subquery of primary
    keys to keep rows distinct; with one, PostgreSQL read every match twice (counting one
    interface's 14,000 findings at factor 1000 took 200 ms instead of 5 ms).
    """
    for name in path.split("__")[:-1]:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return False
        if not (field.many_to_one or field.one_to_one):
            return False
        model = field.related_model
    return True


class KeyFilter(Filter):
    """Rows whose key at any of ``paths`` equals any given value, case-insensitively.

    ``paths`` are lookups from the filtered model (``"missions__acronym"``); several paths
    are alternatives (a measure is in a country through an application's country or its
    mission's host countries). ``number_path``, if set, is matched instead when a value is
    all digits (an interface by slug or by number). Across a relation the filter selects
    primary keys in a subquery, so rows stay distinct without ``DISTINCT``; across to-one
    relations only (a finding's interface) it joins them, as no row can repeat.

    With ``match_all`` a row must match every value (one subquery per value). For facet
    counts (``ocpo.facets``), ``label_field`` names the field beside the key that labels a
    value (``"name"``: ``missions__name`` beside ``missions__acronym``); ``facet=False``
    leaves the filter out of the facets (a key unique to each record, as a UN symbol).
    """

    field_class = MultiValueField

    # Set by BasisFilterSetMixin for one request: follow only the links the paper states.
    paper_only = False

    def __init__(
        self,
        *paths,
        number_path=None,
        coerce=None,
        choices=None,
        item_type="string",
        paper=(),
        label_field=None,
        facet=True,
        match_all=False,
        **kwargs,
    ):
        self.options = dict(
            number_path=number_path,
            coerce=coerce,
            choices=choices,
            item_type=item_type,
            paper=paper,
            label_field=label_field,
            facet=facet,
            **kwargs,
        )
        if coerce is not None:
            kwargs["coerce"] = coerce
            kwargs.setdefault("kind", "whole number" if coerce is int else "value")
        if choices is not None:
            kwargs["choices"] = choices
        super().__init__(field_name=paths[0], **kwargs)
        self.paths = paths
        self.number_path = number_path
        self.paper = (paper,) if isinstance(paper, PaperPath) else tuple(paper)
        self.exact = coerce is not None
        self.label_field = label_field
        self.facet = facet
        self.match_all = match_all
        self.choices = choices
        self.item_type = item_type
        self.describe(kwargs.get("help_text", ""), MULTI_VALUE_HELP)

    def describe(self, *sentences):
        """Sets the help text (the form's and the OpenAPI parameter's) to ``sentences``."""
        help_text = " ".join(filter(None, sentences))
        self.extra["help_text"] = help_text
        items = {"type": self.item_type}
        if self.choices is not None:
            items["enum"] = [value for value, _ in self.choices]
        extend_schema_field({"type": "array", "items": items, "description": help_text})(self)

    def many_valued(self, model):
        """Whether a record of ``model`` can hold several values (a path crosses a to-many)."""
        return not all(to_one(model, path) for path in self.paths)

    def all_of(self, name):
        """The twin of this filter (named ``name``) that keeps rows matching every value."""
        options = dict(self.options)
        options["label"] = f"{self.label or name.capitalize()}: all of"
        twin = KeyFilter(*self.paths, match_all=True, **options)
        twin.describe(options.get("help_text", ""), MULTI_VALUE_HELP, ALL_HELP.format(name=name))
        self.describe(options.get("help_text", ""), MULTI_VALUE_HELP, ANY_HELP.format(name=name))
        return twin

    def facet_paths(self, paper_only):
        """``[(key path, label path, condition)]``: where facet counts read this filter's
        values, the same links it follows (only the paper's with ``basis=paper``)."""
        if paper_only and self.paper:
            ways = [(way.join(way.path), {way.join(way.basis_field): PAPER}) for way in self.paper]
        else:
            ways = [(path, {}) for path in self.paths]
        found = []
        for path, condition in ways:
            label = path
            if self.label_field:
                label = "__".join([*path.split("__")[:-1], self.label_field])
            found.append((path, label, condition))
        return found

    def paper_condition(self, values):
        """Like ``condition``, but each match must go through a link the paper states."""
        condition = Q()
        lookup = "exact" if self.exact else "iexact"
        for value in values:
            digits = isinstance(value, str) and value.isascii() and value.isdigit()
            for way in self.paper:
                basis = {way.join(way.basis_field): PAPER}
                if digits and way.number_path:
                    condition |= Q(**basis, **{way.join(way.number_path): int(value)})
                elif not (digits and self.number_path):
                    condition |= Q(**basis, **{f"{way.join(way.path)}__{lookup}": value})
        return condition

    def condition(self, values):
        if self.paper_only and self.paper:
            return self.paper_condition(values)
        condition = Q()
        for value in values:
            # ASCII digits only: '²'.isdigit() is true, and int('²') fails.
            if self.number_path and isinstance(value, str) and value.isascii() and value.isdigit():
                condition |= Q(**{self.number_path: int(value)})
                continue
            lookup = "exact" if self.exact else "iexact"
            for path in self.paths:
                condition |= Q(**{f"{path}__{lookup}": value})
        return condition

    def filter(self, qs, value):
        if not value:
            return qs
        if self.match_all:
            for one in dict.fromkeys(value):
                qs = self.filter_any(qs, [one])
            return qs
        return self.filter_any(qs, value)

    def filter_any(self, qs, values):
        condition = self.condition(values)
        direct = all(to_one(qs.model, path) for path in (*self.paths, self.number_path) if path)
        if direct and not (self.paper_only and self.paper):
            return qs.filter(condition)
        matching = qs.model._base_manager.filter(condition).values("pk")
        return qs.filter(pk__in=matching)


class IntegerFilter(Filter):
    """One whole number, read strictly (``2005``, not ``2005.5``), within given bounds."""

    field_class = forms.IntegerField


class BasisFilter(ChoiceFilter):
    """``?basis=paper``: only what the paper states, leaving out the editors' inferences.

    The record list drops records the editors added (``source=editors``), and every
    ``KeyFilter`` with ``paper`` paths follows only the links the paper states.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("choices", [(PAPER, "Only what the paper states")])
        kwargs.setdefault("label", "Basis")
        kwargs.setdefault(
            "help_text",
            "paper: only records and links the paper states (leave out the editors' "
            "inferences). Empty: everything.",
        )
        super().__init__(**kwargs)

    def filter(self, qs, value):
        if value != PAPER:
            return qs
        if any(field.name == "source" for field in qs.model._meta.concrete_fields):
            return qs.exclude(source="editors")
        return qs


class BasisFilterSetMixin:
    """Gives every ``KeyFilter`` of the FilterSet the ``basis`` in force before filtering."""

    def filter_by(self, queryset, values):
        paper = values.get("basis") == PAPER
        for filter_ in self.filters.values():
            if isinstance(filter_, KeyFilter):
                filter_.paper_only = paper
        return super().filter_by(queryset, values)


# ``+01:00`` in a query string unencoded arrives as `` 01:00``: the plus read as a space.
_PLUS_AS_SPACE = re.compile(r"^(.*[T ]\d\d(?::?\d\d)*(?:[.,]\d+)?) (\d\d(?::?\d\d)?)$")

MOMENT_HELP = (
    "An ISO 8601 date-time, e.g. 2026-11-27T10:00:00Z or 2026-11-27T11:00:00+01:00 (write "
    "the + as %2B in a URL); without a time zone it is UTC, a date alone is its midnight UTC."
)


def parse_moment(text):
    """An aware datetime from ISO 8601 text (naive means UTC); ValueError if it is none."""
    text = text.strip()
    if "\x00" in text or len(text) > 64:
        raise ValueError(text)
    text = _PLUS_AS_SPACE.sub(r"\1+\2", text)
    moment = datetime.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=datetime.UTC)
    # In UTC: PostgreSQL refuses offsets beyond 15:59 that ISO 8601 allows (-18:10 was a
    # 500); a moment out of range in UTC raises OverflowError, a 400 like any bad value.
    return moment.astimezone(datetime.UTC)


class MomentField(forms.CharField):
    """A moment in ISO 8601 (``parse_moment``), the text kept as given for the form."""

    default_error_messages = {
        "invalid": "“%(value)s” is not an ISO 8601 date-time (e.g. 2026-11-27T10:00:00Z).",
    }

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return parse_moment(value)
        except (ValueError, OverflowError):
            raise forms.ValidationError(
                self.error_messages["invalid"], code="invalid", params={"value": value[:64]}
            ) from None


class ModifiedSinceFilter(Filter):
    """Records whose content changed at or after a moment (``Timestamped.modified``)."""

    field_class = MomentField

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Changed since")
        kwargs.setdefault("widget", forms.TextInput(attrs={"placeholder": "YYYY-MM-DDThh:mm:ssZ"}))
        kwargs.setdefault(
            "help_text",
            "Only records created or changed (fields or links) at or after this moment, "
            "inclusive. " + MOMENT_HELP,
        )
        super().__init__(field_name="modified", lookup_expr="gte", **kwargs)
        schema = {"type": "string", "format": "date-time", "description": kwargs["help_text"]}
        extend_schema_field(schema)(self)


def is_sourced(model):
    """Whether ``model``'s records cite a source (``sources.Source``) as their provenance."""
    try:
        field = model._meta.get_field("source")
    except FieldDoesNotExist:
        return False
    return field.many_to_one and field.related_model._meta.label == "sources.Source"


def source_filter():
    """``?source=paper``: the records citing that source (by slug); ``editors``: those the
    editors added. Several values keep the records citing any of them."""
    return KeyFilter(
        "source__slug",
        label="Source",
        label_field="title",
        help_text="Slug of the source the records cite (paper; editors: added by the editors).",
    )


class KBFilterSet(FilterSet):
    """The base of every app's FilterSet: each key filter a record can match several times
    (a finding's missions) gets an ``<name>__all`` twin, right after it, that keeps only
    the records having every value given; the plain filter keeps those having any. Every
    list also takes ``modified_since``."""

    modified_since = ModifiedSinceFilter()

    def filter_queryset(self, queryset):
        return self.filter_by(queryset, self.form.cleaned_data)

    def filter_by(self, queryset, values):
        """``queryset`` filtered by ``values`` (``{filter name: cleaned value}``), as the form's
        cleaned data filters it. Facet counts (``ocpo.facets``) filter with one value left out
        or changed this way, without building and validating another form."""
        for name, value in values.items():
            queryset = self.filters[name].filter(queryset, value)
        return queryset

    @classmethod
    def get_filters(cls):  # pragma: no mutate block
        # (mutmut cannot trampoline a classmethod that runs while its class is created.)
        filters = super().get_filters()
        model = cls._meta.model
        if model is None:
            return filters
        with_twins = {}
        for name, filter_ in filters.items():
            with_twins[name] = filter_
            twin = f"{name}{ALL_SUFFIX}"
            if (
                isinstance(filter_, KeyFilter)
                and not filter_.match_all
                and twin not in filters
                and filter_.many_valued(model)
            ):
                with_twins[twin] = filter_.all_of(name)
        filters = type(filters)(with_twins)
        if "source" not in filters and is_sourced(model):
            filters["source"] = source_filter()
        # Declared here, it would come first; the model's own filters lead the form.
        filters.move_to_end("modified_since")
        return filters
