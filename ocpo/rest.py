"""Building blocks every app's ``serializers.py`` and ``api.py`` use; ``ocpo/api.py`` wires them.

This module imports no app and nothing that imports ``rest_framework.generics``: DRF reads
``Pagination`` from the settings while it defines its generic views, so a module here
importing the viewsets would import itself half-built.
"""

import csv
from copy import copy

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models import ProtectedError, Q, RestrictedError
from django.http import Http404, StreamingHttpResponse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import filters, renderers, serializers, status
from rest_framework.exceptions import APIException
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response
from rest_framework.settings import api_settings

CSV_CHUNK_SIZE = 500
CSV_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CSV_DESCRIPTION = (
    "With `?format=csv` or `Accept: text/csv`: every row matching the filters (not one page), "
    "one column per field, linked keys joined with '; '."
)

# Descriptions of fields many serializers share, used where the model field has no help_text.
COMMON_HELP = {
    "id": "Numeric identifier; natural keys are preferred in URLs.",
    "url": "This record in the API.",
    "html_url": "This record's page on the portal.",
    "slug": "Natural key: lower-case, hyphenated, stable.",
    "name": "Name as the paper gives it.",
    "title": "Title as the paper (or the cited work) gives it.",
    "source": "Where the facts come from: `paper` (the paper itself) or `editors` (added by them).",
    "summary": "Summary in the editors' own words.",
    "description": "Description in the editors' own words.",
    "number": "Position as numbered in the paper.",
    "position": "Order as in the paper.",
}


class Pagination(LimitOffsetPagination):
    """limit/offset pages: 50 by default, a larger limit is capped at 500, never refused."""

    default_limit = 50
    max_limit = 500
    limit_query_description = "Number of results per page: 50 by default, at most 500."
    offset_query_description = "Number of results to skip (0 for the first page)."

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        described = {
            "count": "Number of records matching the filters, over all pages.",
            "next": "The next page, or null on the last one.",
            "previous": "The previous page, or null on the first one.",
            "results": "This page's records.",
        }
        for name, description in described.items():
            response["properties"][name]["description"] = description
        return response


class Conflict(APIException):
    """409: the record cannot go while others depend on it (a protected link)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "Other records depend on this one; unlink or delete them first."
    default_code = "conflict"


class CSVRenderer(renderers.BaseRenderer):
    """``text/csv`` for list endpoints; the rows themselves are streamed by ``KBViewSetMixin``."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        rows = data if isinstance(data, list) else [data or {}]
        fieldnames = list(rows[0]) if rows else []
        return "".join(csv_lines(fieldnames, rows)).encode(self.charset)


class _Echo:
    def write(self, value):
        return value


def csv_cell(value):
    """A flat, formula-safe cell: lists joined with '; ', formulas neutralised with a quote."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (list, tuple)):
        value = "; ".join(csv_cell(item).lstrip("'") for item in value)
    elif isinstance(value, dict):
        value = "; ".join(f"{k}: {csv_cell(v).lstrip(chr(39))}" for k, v in value.items())
    value = str(value)
    return f"'{value}" if value.startswith(CSV_FORMULA_PREFIXES) else value


def csv_lines(fieldnames, rows):
    """The header, then one line per row (a mapping), as strings ready to stream."""
    writer = csv.writer(_Echo())
    yield writer.writerow(fieldnames)
    for row in rows:
        yield writer.writerow([csv_cell(row.get(name)) for name in fieldnames])


class SearchFilter(filters.SearchFilter):
    """``?search=``: the model's own ``QuerySet.search()`` (the portal's search), if it has one."""

    search_description = "Words to look for; every word must match (full text on PostgreSQL)."

    def filter_queryset(self, request, queryset, view):
        q = request.query_params.get(self.search_param, "").strip()
        if not q:
            return queryset
        if hasattr(queryset, "search"):
            return queryset.search(q)
        return super().filter_queryset(request, queryset, view)


class OrderingFilter(filters.OrderingFilter):
    """``?ordering=``: the schema lists the fields each list can be sorted by."""

    ordering_description = (
        "Field to sort by; prefix with '-' for descending, separate several with commas."
    )

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        fields = getattr(view, "ordering_fields", None)
        if fields and fields != "__all__":
            for parameter in parameters:
                parameter["description"] += " One of: " + ", ".join(f"`{f}`" for f in fields) + "."
        return parameters


class KBViewSetMixin:
    """What every ocpo viewset shares: natural-key lookups, detail serializers, CSV lists.

    - ``lookup_field`` is matched case-insensitively; with ``lookup_by_id`` an all-digit
      value matches the numeric id instead.
    - ``detail_queryset`` and ``detail_serializer_class`` serve ``retrieve`` (the summaries
      of linked records); lists and writes use ``queryset`` and ``serializer_class``.
    - A list asked for as CSV streams every matching row in chunks.
    - Deleting a record others depend on answers 409 instead of failing.
    """

    lookup_value_regex = "[^/]+"
    lookup_by_id = False
    detail_queryset = None
    detail_serializer_class = None
    filter_backends = [DjangoFilterBackend, SearchFilter, OrderingFilter]
    pagination_class = Pagination
    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, CSVRenderer]

    def get_renderers(self):
        renderers_ = super().get_renderers()
        if self.action != "list":
            renderers_ = [r for r in renderers_ if not isinstance(r, CSVRenderer)]
        return renderers_

    def get_queryset(self):
        if self.action == "retrieve" and self.detail_queryset is not None:
            return self.detail_queryset.all()
        return super().get_queryset()

    def get_serializer_class(self):
        if self.action == "retrieve" and self.detail_serializer_class is not None:
            return self.detail_serializer_class
        return super().get_serializer_class()

    def get_object(self):
        # Query parameters filter lists only: a detail URL names one record.
        value = self.kwargs[self.lookup_url_kwarg or self.lookup_field]
        if "\x00" in value:  # PostgreSQL refuses NUL in text: no record has it
            raise Http404
        if self.lookup_field == "pk":
            condition = Q(pk=int(value)) if value.isdigit() else None
        else:
            condition = Q(**{f"{self.lookup_field}__iexact": value})
            if self.lookup_by_id and value.isdigit():
                condition |= Q(pk=int(value))
        matches = list(self.get_queryset().filter(condition)[:2]) if condition else []
        if not matches:
            raise Http404
        exact = [m for m in matches if str(getattr(m, self.lookup_field)) == value]
        obj = (exact or matches)[0]
        self.check_object_permissions(self.request, obj)
        return obj

    def list(self, request, *args, **kwargs):
        if not isinstance(request.accepted_renderer, CSVRenderer):
            return super().list(request, *args, **kwargs)
        queryset = self.filter_queryset(self.get_queryset())
        serializer = self.get_serializer()
        fieldnames = [name for name, field in serializer.fields.items() if not field.write_only]
        rows = (
            serializer.to_representation(obj)
            for obj in queryset.iterator(chunk_size=CSV_CHUNK_SIZE)
        )
        response = StreamingHttpResponse(
            csv_lines(fieldnames, rows), content_type="text/csv; charset=utf-8"
        )
        name = self.basename or queryset.model._meta.model_name
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        # Errors are explained in JSON, whatever format the list was asked in.
        accepted = getattr(request, "accepted_renderer", None)
        if (
            isinstance(response, Response)
            and response.exception
            and isinstance(accepted, CSVRenderer)
        ):
            request.accepted_renderer = renderers.JSONRenderer()
            request.accepted_media_type = request.accepted_renderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)

    def perform_destroy(self, instance):
        try:
            instance.delete()
        except (ProtectedError, RestrictedError) as exc:
            blockers = sorted({str(obj) for obj in exc.args[1]})[:10]
            raise Conflict({"detail": Conflict.default_detail, "blocking": blockers}) from None


@extend_schema_field(OpenApiTypes.URI)
class HtmlUrlField(serializers.Field):
    """The record's portal page (``get_absolute_url()``), absolute when there is a request."""

    def __init__(self, **kwargs):
        kwargs.update(source="*", read_only=True)
        kwargs.setdefault("help_text", COMMON_HELP["html_url"])
        super().__init__(**kwargs)

    def to_representation(self, value):
        url = value.get_absolute_url()
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class RelatedKeysField(serializers.Field):
    """Natural keys of records reached through (prefetched) relations, each once.

    ``path`` follows attributes and managers, e.g. ``"findings.interface"``: the interfaces
    of a mission's findings. Keys are ordered by ``order_by`` (default: the key itself).
    """

    def __init__(self, path, key="slug", order_by=None, **kwargs):
        kwargs.update(source="*", read_only=True)
        super().__init__(**kwargs)
        self.path = path.split(".")
        self.key = key
        self.order_by = order_by or key

    def to_representation(self, value):
        objs = [value]
        for step in self.path:
            reached = []
            for obj in objs:
                target = getattr(obj, step)
                if target is None:
                    continue
                if hasattr(target, "all"):
                    reached.extend(target.all())
                else:
                    reached.append(target)
            objs = reached
        unique = {obj.pk: obj for obj in objs}.values()
        return [getattr(obj, self.key) for obj in sorted(unique, key=self._sort_key)]

    def _sort_key(self, obj):
        return getattr(obj, self.order_by)


class KBModelSerializer(serializers.ModelSerializer):
    """Model serializer that validates writes like the admin does (``full_clean``).

    The database's check constraints (dates in order, a paper record cites a section)
    become 400 answers with the fields named, never integrity errors. Fields without a
    description take a shared one from ``COMMON_HELP``. Integer bounds are the portable
    ones (SQLite's are wider than PostgreSQL's): the same values are valid, and the schema
    is the same, on either database.
    """

    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        bounds = BaseDatabaseOperations.integer_field_ranges.get(model_field.get_internal_type())
        if bounds and not kwargs.get("read_only"):
            low, high = bounds
            kwargs["min_value"] = max(low, kwargs.get("min_value", low))
            kwargs["max_value"] = min(high, kwargs.get("max_value", high))
        return field_class, kwargs

    def get_fields(self):
        fields = super().get_fields()
        for name, field in fields.items():
            if not field.help_text and name in COMMON_HELP:
                field.help_text = COMMON_HELP[name]
        return fields

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        many = {f.name for f in model._meta.many_to_many}
        instance = copy(self.instance) if self.instance is not None else model()
        for name, value in attrs.items():
            if name not in many:
                setattr(instance, name, value)
        try:
            instance.full_clean(exclude=many)
        except DjangoValidationError as exc:
            errors = exc.message_dict
            if NON_FIELD_ERRORS in errors:
                errors[api_settings.NON_FIELD_ERRORS_KEY] = errors.pop(NON_FIELD_ERRORS)
            raise serializers.ValidationError(errors) from None
        return attrs


class SummarySerializer(serializers.Serializer):
    """Base of the compact summaries embedded in detail responses: read-only, no model needed."""

    def get_fields(self):
        fields = super().get_fields()
        for name, field in fields.items():
            field.read_only = True
            if not field.help_text and name in COMMON_HELP:
                field.help_text = COMMON_HELP[name]
        return fields
