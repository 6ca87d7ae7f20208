"""Building blocks every app's ``serializers.py`` and ``api.py`` use; ``ocpo/api.py`` wires them.

This module imports no app and nothing that imports ``rest_framework.generics``: DRF reads
``Pagination`` from the settings while it defines its generic views, so a module here
importing the viewsets would import itself half-built.
"""

import csv
import hashlib
import json
import re
from copy import copy

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models, transaction
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models import ProtectedError, Q, RestrictedError
from django.http import StreamingHttpResponse
from django.urls import NoReverseMatch
from django.utils.http import parse_etags
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema_field
from rest_framework import filters, relations, renderers, serializers, status
from rest_framework.exceptions import APIException, NotFound, ParseError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils.encoders import JSONEncoder
from rest_framework.utils.urls import remove_query_param

from sources.models import Source as SourceRecord

from .csv_export import csv_rows
from .facets import (
    FACETS_PARAM,
    FACETS_SCHEMA,
    FacetParameter,
    facet_counts,
    facets_payload,
    requested_facets,
)
from .kb import data_version
from .problems import InvalidQuery

# Bounds on a request body: how deep its JSON may nest, how many keys one link list holds.
MAX_JSON_DEPTH = 32
MAX_LINKS = 1000
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


ETAG_DESCRIPTION = (
    "The record's current version: a strong entity tag of its detail representation. Send it "
    "back in `If-Match` to change or delete the record only if nobody changed it meanwhile."
)
# Documented by ``ocpo.schema.AutoSchema``: ``extend_schema`` here would import the schema
# class, and with it ``rest_framework.generics``, while DRF is still defining it.
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description=(
        "Optimistic concurrency: the `ETag` of the version you read. If the record has changed "
        "since, the write is refused with 412 and nothing changes. `*` or no header: write anyway."
    ),
)


class Pagination(LimitOffsetPagination):
    """limit/offset pages: 50 by default, a larger limit is capped at 500, never refused.

    A value that is not a whole number (or a limit below 1, an offset below 0) is a 400
    naming the parameter, as for filters: silently serving the first page would hide the
    client's mistake. An offset past the last record is a 404 saying how many there are.
    """

    default_limit = 50
    max_limit = 500
    limit_query_description = "Number of results per page: 50 by default, at most 500."
    offset_query_description = "Number of results to skip (0 for the first page)."

    def get_limit(self, request):
        limit = self.read(request, self.limit_query_param, minimum=1)
        return self.default_limit if limit is None else min(limit, self.max_limit)

    def get_offset(self, request):
        return self.read(request, self.offset_query_param, minimum=0) or 0

    @staticmethod
    def read(request, name, minimum):
        """The parameter as a whole number of at least ``minimum``; None when not given."""
        raw = request.query_params.get(name)
        if not raw:  # empty, as a form sends it: not given, like an empty filter
            return None
        if not (raw.isascii() and raw.isdigit()) or int(raw) < minimum:
            message = f"A whole number of at least {minimum} is required."
            raise InvalidQuery({name: [message]})
        return int(raw)

    def paginate_queryset(self, queryset, request, view=None):
        page = super().paginate_queryset(queryset, request, view)
        if self.offset and self.offset >= self.count:
            raise NotFound(
                f"offset {self.offset} is past the end: {self.count} records match "
                "(the first is at offset 0)."
            )
        return page

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        minimum = {self.limit_query_param: 1, self.offset_query_param: 0}
        for parameter in parameters:
            parameter["schema"]["minimum"] = minimum[parameter["name"]]
        return parameters

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
        response["properties"]["facets"] = FACETS_SCHEMA
        return response


class Conflict(APIException):
    """409: the record cannot go while others depend on it (a protected link)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "Other records depend on this one; unlink or delete them first."
    default_code = "conflict"


class PreconditionFailed(APIException):
    """412: ``If-Match`` names a version of the record that is no longer the current one."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = (
        "The record has changed since you read it (If-Match does not match its ETag); "
        "read it again and reapply your change."
    )
    default_code = "precondition_failed"


class PayloadTooLarge(APIException):
    """413: a request body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``, refused before it is read."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


class BoundedJSONParser(JSONParser):
    """JSON nested at most ``MAX_JSON_DEPTH`` deep: deeper is a 400, never a crash.

    Python's JSON decoder recurses once per level and fails with RecursionError (a 500)
    on a body of a few thousand brackets; no record nests deeper than a list of keys.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            data = None
            too_deep = True
        else:
            too_deep = json_depth(data) > MAX_JSON_DEPTH
        if too_deep:
            raise ParseError(f"JSON parse error - nested more than {MAX_JSON_DEPTH} levels deep.")
        return data


def json_depth(data):
    """How deep lists and objects nest in ``data`` (a scalar is 0), without recursing."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            value = list(value.values())
        if isinstance(value, list):
            deepest = max(deepest, depth)
            if depth <= MAX_JSON_DEPTH:  # deeper is refused anyway: stop counting
                stack.extend((item, depth + 1) for item in value)
    return deepest


def representation_etag(data, request=None):
    """A strong ETag of a serialized representation, the same whichever host served it.

    Absolute links carry the request's scheme and host; they are made relative first, so
    a version read through one address can be written through another.
    """
    text = json.dumps(data, cls=JSONEncoder, sort_keys=True, ensure_ascii=False)
    if request is not None:
        text = text.replace(request.build_absolute_uri("/")[:-1], "")
    return '"' + hashlib.sha256(text.encode("utf-8")).hexdigest() + '"'


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
    if type(value) is str:  # most cells: checked first, as a CSV export has 100,000s
        return f"'{value}" if value.startswith(CSV_FORMULA_PREFIXES) else value
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


def csv_record(row):
    """A row as the CSV gives it: its ``url`` is the record's, not this CSV's ``?format=csv``.

    DRF keeps the request's ``format`` parameter on the links it builds, as the browsable
    API needs; a downloaded file must name the record itself.
    """
    if row.get("url") and "?" in row["url"]:  # the bulk export's URLs have it removed
        row["url"] = remove_query_param(row["url"], api_settings.URL_FORMAT_OVERRIDE)
    return row


CSV_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9.+_-]+")


def csv_filename(resource, filters, version):
    """``ocpo-<resource>[-<filter>-<value>...]-v<version>.csv``, safe in any file system.

    ``filters`` is a list of (name, values) in force; several values are joined with '+'.
    Anything but ASCII letters, digits and ``. + _ -`` becomes '_', and the filter part is
    cut at 150 characters, so a hostile query cannot make a header or a path of it.
    """
    parts = [f"{name}-{'+'.join(values)}" for name, values in filters]
    middle = CSV_NAME_UNSAFE.sub("_", "-".join(parts))[:150].strip("-_")
    version = CSV_NAME_UNSAFE.sub("_", version)
    return "-".join(part for part in ("ocpo", resource, middle, f"v{version}") if part) + ".csv"


def iterate_in_transaction(queryset, chunk_size):
    """The rows one chunk at a time from a server-side cursor, inside a transaction.

    Outside a transaction Django declares the cursor WITH HOLD, and a pooler in transaction
    mode (pgbouncer, see deploy/) may send the next FETCH to another server connection,
    where the cursor does not exist. Inside one, the pooler keeps the connection for the
    whole stream; an abandoned download closes the generator and rolls the read back.
    """
    with transaction.atomic(using=queryset.db):
        yield from queryset.iterator(chunk_size=chunk_size)


def csv_lines(fieldnames, rows):
    """The header, then one line per row (a mapping), as strings ready to stream."""
    writer = csv.writer(_Echo())
    yield writer.writerow(fieldnames)
    for row in rows:
        yield writer.writerow([csv_cell(row.get(name)) for name in fieldnames])


class SearchFilter(filters.SearchFilter):
    """``?search=``: the model's own ``QuerySet.search()`` (the portal's search), if it has one."""

    search_description = (
        "Words to look for; every word must match, stemmed, ignoring case and accents."
    )

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
    - Writes are JSON only: in form encodings an empty field may mean null, blank or
      "not given", and the API must not guess which.
    - Deleting a record others depend on answers 409 instead of failing.
    - A detail carries an ``ETag`` (a hash of its detail representation); PUT, PATCH and
      DELETE honour ``If-Match`` against it (412 when stale), checked and written in one
      transaction with the row locked, so two editors cannot both win.
    """

    lookup_value_regex = "[^/]+"
    lookup_by_id = False
    detail_queryset = None
    detail_serializer_class = None
    filter_backends = [DjangoFilterBackend, SearchFilter, OrderingFilter, FacetParameter]
    pagination_class = Pagination
    parser_classes = [BoundedJSONParser]
    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, CSVRenderer]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # DRF parses the body from the stream, past Django's own bound on request.body.
        bound = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        length = request.META.get("CONTENT_LENGTH") or "0"
        if bound is not None and length.isascii() and length.isdigit() and int(length) > bound:
            raise PayloadTooLarge(f"The request body is over {bound} bytes.")
        # Only key filters take several values; any other parameter given twice is ambiguous.
        filterset_class = getattr(self, "filterset_class", None)
        filters_ = filterset_class.base_filters if filterset_class else {}
        repeated = [
            name
            for name, values in request.query_params.lists()
            if len(values) > 1
            and not getattr(filters_.get(name), "paths", None)
            and name != FACETS_PARAM
        ]
        if repeated:
            raise InvalidQuery({name: ["Give this parameter once."] for name in repeated})
        if request.query_params.get("format") == "":
            raise InvalidQuery({"format": ["Name a format: json or csv."]})
        # No action: a method this route does not take, answered 405 whatever the query.
        accepted = self.accepted_query_parameters()
        unknown = [name for name in request.query_params if name not in accepted]
        if unknown and self.action is not None:
            # A typo (?contry=HTI) must not answer the whole data set as if filtered.
            message = "Unknown parameter. Accepted: " + ", ".join(sorted(accepted)) + "."
            raise InvalidQuery(
                {name: [message] for name in unknown}, code="unknown_parameter", accepted=accepted
            )
        if self.action == "list":
            _, unknown_facets, facets = requested_facets(request, filterset_class)
            if unknown_facets:
                message = (
                    f"Unknown facet{'s' if len(unknown_facets) > 1 else ''}: "
                    f"{', '.join(unknown_facets)}. Accepted: {', '.join(facets) or 'none'}."
                )
                raise InvalidQuery({FACETS_PARAM: [message]}, code="unknown_facet", accepted=facets)

    def accepted_query_parameters(self):
        """The query parameters this operation reads: a list's filters and pages, ``format``."""
        names = {api_settings.URL_FORMAT_OVERRIDE}
        if self.action != "list":
            return names
        filterset_class = getattr(self, "filterset_class", None)
        names.update(filterset_class.base_filters if filterset_class else ())
        for backend in self.filter_backends:
            names.update(
                getattr(backend, attr, None)
                for attr in ("search_param", "ordering_param", "facets_param")
            )
        if self.paginator is not None:
            names.update((self.paginator.limit_query_param, self.paginator.offset_query_param))
        names.discard(None)
        return names

    def get_renderers(self):
        renderers_ = super().get_renderers()
        # No action: a method the route does not take, answered 405 (in JSON) whatever format.
        if self.action not in ("list", None):
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
        model = self.get_queryset().model
        missing = NotFound(f"No {model._meta.verbose_name} with {self.lookup_field} {value!r}.")
        if "\x00" in value:  # PostgreSQL refuses NUL in text: no record has it
            raise missing
        # ASCII digits only: '²'.isdigit() is true, and int('²') fails.
        number = value.isascii() and value.isdigit() and len(value) < 19  # fits a bigint
        if self.lookup_field == "pk":
            condition = Q(pk=int(value)) if number else None
        else:
            condition = Q(**{f"{self.lookup_field}__iexact": value})
            if self.lookup_by_id and number:
                condition |= Q(pk=int(value))
        matches = list(self.get_queryset().filter(condition)[:2]) if condition else []
        if not matches:
            raise missing
        exact = [m for m in matches if str(getattr(m, self.lookup_field)) == value]
        obj = (exact or matches)[0]
        self.check_object_permissions(self.request, obj)
        return obj

    def list(self, request, *args, **kwargs):
        if not isinstance(request.accepted_renderer, CSVRenderer):
            response = super().list(request, *args, **kwargs)
            names, _, _ = requested_facets(request, getattr(self, "filterset_class", None))
            if names and isinstance(response.data, dict):
                response.data["facets"] = facets_payload(request, self.facet_counts(names))
            return response
        queryset = self.filter_queryset(self.get_queryset())
        # Every row, whatever the page; the page values are still checked as for JSON.
        self.paginator.get_limit(request)
        self.paginator.get_offset(request)
        fieldnames, rows = csv_rows(self.get_serializer(), queryset, self.lookup_field)
        rows = (csv_record(row) for row in rows)
        response = StreamingHttpResponse(
            csv_lines(fieldnames, rows), content_type="text/csv; charset=utf-8"
        )
        name = csv_filename(self.csv_resource(), self.csv_filters(), data_version())
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def facet_counts(self, names):
        """The facets ``names`` of this list, under its filters and ``search``.

        Called after the list answered, so the filters are known to be valid.
        """
        model = self.get_queryset().model
        filterset = self.filterset_class(
            self.request.query_params, queryset=model._default_manager.all(), request=self.request
        )
        filterset.is_valid()

        def narrow(queryset):
            return SearchFilter().filter_queryset(self.request, queryset, self)

        return facet_counts(filterset, names, narrow=narrow)

    def csv_resource(self):
        """The list's name in the API's URLs (``findings``), else the model's."""
        segment = self.request.path.rstrip("/").rsplit("/", 1)[-1]
        return segment or self.get_queryset().model._meta.model_name

    def csv_filters(self):
        """The filters and search in force, by name: what selected the rows, in one spelling."""
        filterset_class = getattr(self, "filterset_class", None)
        names = sorted({*(filterset_class.base_filters if filterset_class else ()), "search"})
        params = self.request.query_params
        in_force = []
        for name in names:
            values = [v.strip() for v in params.getlist(name) if v.strip()]
            if values:
                in_force.append((name, values))
        return in_force

    def current_etag(self, obj):
        """The ETag a GET of ``obj``'s detail would carry now (a few queries, not per link).

        A record deleted meanwhile (by a write that committed first) is a 404.
        """
        queryset = self.detail_queryset if self.detail_queryset is not None else self.queryset
        try:
            fresh = queryset.all().get(pk=obj.pk)
        except queryset.model.DoesNotExist:
            raise NotFound(f"The {obj._meta.verbose_name} was deleted meanwhile.") from None
        serializer_class = self.detail_serializer_class or self.serializer_class
        data = serializer_class(fresh, context=self.get_serializer_context()).data
        return representation_etag(data, self.request)

    def lock_object(self):
        """The record to write, its row locked until the transaction ends, then ``If-Match``.

        The lock is taken on every write, so a PATCH racing a DELETE waits for it and
        then finds the record gone (404) instead of failing or writing it back. ``If-Match``
        is then checked against the version the lock holds: 412 unless it is absent, ``*``
        or the current ETag.
        """
        obj = self.get_object()  # 404 and permissions come before the precondition
        model = type(obj)
        if not model._base_manager.select_for_update().filter(pk=obj.pk).values_list("pk"):
            raise NotFound(f"The {model._meta.verbose_name} was deleted meanwhile.")
        header = self.request.headers.get("If-Match")
        if header is None:
            return
        etags = parse_etags(header)
        if etags == ["*"]:
            return
        if self.current_etag(obj) not in etags:  # strong comparison: W/ tags never match
            raise PreconditionFailed

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        response["ETag"] = representation_etag(response.data, request)
        return response

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        with transaction.atomic():
            self.lock_object()
            instance = self.get_object()  # as the lock found it
            serializer = self.get_serializer(instance, data=request.data, partial=partial)
            serializer.is_valid(raise_exception=True)
            self.perform_update(serializer)
            # Read back through the list queryset: its prefetches keep the answer's queries
            # bounded (the written instance has lost them), and its key may have changed.
            # Still under the lock: a DELETE waiting for it cannot remove the row first.
            fresh = self.get_queryset().get(pk=instance.pk)
            response = Response(self.get_serializer(fresh).data)
            response["ETag"] = self.current_etag(fresh)
        return response

    def destroy(self, request, *args, **kwargs):
        with transaction.atomic():
            self.lock_object()
            return super().destroy(request, *args, **kwargs)

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
        if not url:  # a key that cannot be in a URL (``ocpo.keys.record_url``)
            return None
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class RecordUrlField(serializers.HyperlinkedIdentityField):
    """A record's API URL, or null if its key cannot be part of one (see ``ocpo.keys``).

    DRF fails the whole response when one link cannot be built; one bad record must not
    take down a list.
    """

    def get_url(self, obj, view_name, request, format):
        try:
            return super().get_url(obj, view_name, request, format)
        except NoReverseMatch:
            return None


class CiteUrlField(RecordUrlField):
    """A record's citation (``/api/v1/<resource>/<key>/cite/``), in every detail response."""

    def __init__(self, view_name, **kwargs):
        kwargs.setdefault(
            "help_text",
            "This record's citation: add `?style=` apa, chicago, bibtex, ris or csl-json "
            "(the default).",
        )
        super().__init__(view_name=view_name, **kwargs)


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


class StrictCharField(serializers.CharField):
    """Text that must be sent as text: DRF would take ``0`` or ``true`` and store "0", "True"."""

    default_error_messages = {"invalid": "Not a valid string."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        # The schema's maxLength is of what is sent: DRF measures after trimming, so 202
        # characters with two of leading white space passed a limit of 200.
        if self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)


class StrictSlugField(StrictCharField, serializers.SlugField):
    """A slug sent as text (see ``StrictCharField``)."""


class KeyListField(serializers.ManyRelatedField):
    """Links by natural key, as a JSON list of at most ``MAX_LINKS`` keys, found in one query.

    DRF takes any iterable (so {} was an empty list) and looks each key up on its own: a
    list of 50,000 keys ran 50,000 queries.
    """

    default_error_messages = {
        "too_many": f"At most {MAX_LINKS} keys.",
        "does_not_exist_many": "Object with {slug_name} {values} does not exist.",
    }

    def to_internal_value(self, data):
        if not isinstance(data, list):
            self.fail("not_a_list", input_type=type(data).__name__)
        if not self.allow_empty and not data:
            self.fail("empty")
        if len(data) > MAX_LINKS:
            self.fail("too_many")
        child = self.child_relation
        keys = [child.checked_key(key) for key in data]
        found = {
            getattr(obj, child.slug_field): obj
            for obj in child.get_queryset().filter(**{f"{child.slug_field}__in": set(keys)})
        }
        missing = [key for key in dict.fromkeys(keys) if key not in found]
        if missing:
            shown = ", ".join(repr(key) for key in missing[:10])
            self.fail("does_not_exist_many", slug_name=child.slug_field, values=shown)
        return [found[key] for key in dict.fromkeys(keys)]


class KeyRelatedField(serializers.SlugRelatedField):
    """A link by natural key, sent as text; an empty key is an error, not null.

    DRF turns ``""`` into null on a nullable relation (as an HTML form needs) and looks up
    numbers as keys; the API takes JSON, where null is written ``null``.
    """

    @classmethod
    def many_init(cls, *args, **kwargs):
        options = {k: v for k, v in kwargs.items() if k in relations.MANY_RELATION_KWARGS}
        return KeyListField(child_relation=cls(*args, **kwargs), **options)

    def run_validation(self, data=serializers.empty):
        if data == "":
            self.fail("does_not_exist", slug_name=self.slug_field, value=data)
        return super().run_validation(data)

    def to_internal_value(self, data):
        return super().to_internal_value(self.checked_key(data))

    def checked_key(self, data):
        """``data`` if it can be a key: text, not empty, without NUL (else a field error)."""
        if not isinstance(data, str):
            self.fail("invalid")
        if data == "" or "\x00" in data:  # PostgreSQL refuses NUL in a query: no record has it
            self.fail("does_not_exist", slug_name=self.slug_field, value=data)
        return data


class KBModelSerializer(serializers.ModelSerializer):
    """Model serializer that validates writes like the admin does (``full_clean``).

    The database's check constraints (dates in order, a paper record cites a section)
    become 400 answers with the fields named, never integrity errors. Fields without a
    description take a shared one from ``COMMON_HELP``. Integer bounds are the portable
    ones (SQLite's are wider than PostgreSQL's): the same values are valid, and the schema
    is the same, on either database. Text and keys must be sent as JSON strings.
    """

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.SlugField: StrictSlugField,
    }

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


class ProvenanceSerializerMixin(serializers.Serializer):
    """The provenance of a sourced record: its source by slug, the section by its code
    (checked against that source's sections, a 400 otherwise), and how to cite it.

    ``paper_section`` is the name ``section`` had when there was one paper: kept, read-only,
    for the clients that read it.
    """

    source = KeyRelatedField(
        slug_field="slug",
        queryset=SourceRecord.objects.all(),
        required=False,
        help_text="Where the facts come from: the slug of a source (`paper`, the paper itself; "
        "see `/api/v1/sources/`), or `editors` (added by them).",
    )
    paper_section = serializers.CharField(
        source="section",
        read_only=True,
        help_text="The same as `section` (its former name, kept for existing clients).",
    )
    cited_as = serializers.CharField(
        read_only=True,
        help_text="The source's title and the locator (section, footnotes, page), as a "
        "reader cites them; empty for the editors' records.",
    )


class SummarySerializer(serializers.Serializer):
    """Base of the compact summaries embedded in detail responses: read-only, no model needed."""

    def get_fields(self):
        fields = super().get_fields()
        for name, field in fields.items():
            field.read_only = True
            if not field.help_text and name in COMMON_HELP:
                field.help_text = COMMON_HELP[name]
        return fields
