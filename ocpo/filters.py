"""Filter building blocks every app's ``filters.py`` uses (HTML lists and the API alike).

A ``KeyFilter`` takes one or several natural keys, repeated (``?mission=UNMIL&mission=UNAMSIL``)
or comma-separated (``?mission=UNMIL,UNAMSIL``), matches them case-insensitively and keeps a
row if any value matches. An unknown key matches nothing, so the list is empty; a value
that cannot be read (``year=abc``) is a form error, which the API answers with 400.
"""

from django import forms
from django.db.models import Q
from django_filters import Filter
from drf_spectacular.utils import extend_schema_field

MULTI_VALUE_HELP = "Several values: repeat the parameter or separate them with commas."


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


class KeyFilter(Filter):
    """Rows whose key at any of ``paths`` equals any given value, case-insensitively.

    ``paths`` are lookups from the filtered model (``"missions__acronym"``); several paths
    are alternatives (a measure is in a country through an application's country or its
    mission's host countries). ``number_path``, if set, is matched instead when a value is
    all digits (an interface by slug or by number). Across a relation the filter selects
    primary keys in a subquery, so rows stay distinct without ``DISTINCT``.
    """

    field_class = MultiValueField

    def __init__(
        self, *paths, number_path=None, coerce=None, choices=None, item_type="string", **kwargs
    ):
        if coerce is not None:
            kwargs["coerce"] = coerce
            kwargs.setdefault("kind", "whole number" if coerce is int else "value")
        if choices is not None:
            kwargs["choices"] = choices
        super().__init__(field_name=paths[0], **kwargs)
        self.paths = paths
        self.number_path = number_path
        self.exact = coerce is not None
        help_text = " ".join(filter(None, [kwargs.get("help_text", ""), MULTI_VALUE_HELP]))
        self.extra["help_text"] = help_text
        items = {"type": item_type}
        if choices is not None:
            items["enum"] = [value for value, _ in choices]
        extend_schema_field({"type": "array", "items": items, "description": help_text})(self)

    def condition(self, values):
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
        condition = self.condition(value)
        if all("__" not in path for path in (*self.paths, self.number_path or "")):
            return qs.filter(condition)
        matching = qs.model._base_manager.filter(condition).values("pk")
        return qs.filter(pk__in=matching)


class IntegerFilter(Filter):
    """One whole number, read strictly (``2005``, not ``2005.5``), within given bounds."""

    field_class = forms.IntegerField
