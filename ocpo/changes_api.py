"""``/api/v1/changes/``: what was created, changed and deleted since a moment, oldest first.

A mirror keeps up with the knowledge base by asking for the changes since the last one it
saw: created and modified entries link to the record to fetch again, deleted entries (the
lesson of ACLED's ``/deleted``) name the key to remove. ``ocpo/feeds.py`` serves the same
entries as Atom.
"""

from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny
from rest_framework.settings import api_settings

from . import changes
from .filters import MOMENT_HELP, MomentField
from .problems import InvalidQuery
from .rest import Pagination

SINCE_HELP = (
    "Only changes at or after this moment (inclusive: a mirror passes the `time` of the last "
    "entry it applied, and applies entries idempotently). Empty: every record since the "
    "beginning. " + MOMENT_HELP
)
SINCE = OpenApiParameter("since", OpenApiTypes.DATETIME, description=SINCE_HELP)


def read_since(params):
    """The ``since`` moment of a query (None when not given), or a 400 naming it."""
    try:
        return MomentField(required=False).clean(params.get("since", ""))
    except ValidationError as error:
        raise InvalidQuery({"since": error.messages}) from None


class ChangeSerializer(serializers.Serializer):
    """One change of one record."""

    kind = serializers.ChoiceField(
        choices=changes.KINDS,
        help_text="`created` (new since then, never changed since), `modified` (its content "
        "or its links changed; fetch `url` again) or `deleted` (remove it).",
    )
    resource = serializers.CharField(help_text="The API resource, e.g. `findings`.")
    key = serializers.CharField(
        help_text="The key the resource addresses the record by (slug, acronym, ISO3 or id)."
    )
    time = serializers.DateTimeField(
        help_text="When it happened: the record's `modified`, or the deletion's time."
    )
    url = serializers.URLField(
        allow_null=True, help_text="The record in the API; null for a deletion."
    )
    html_url = serializers.URLField(
        allow_null=True, help_text="The record's page on the portal; null for a deletion."
    )
    data_version = serializers.CharField(
        allow_null=True,
        help_text="For a deletion, the data version in force when it was deleted; else null.",
    )


class ChangeListView(generics.ListAPIView):
    """Records created, changed and deleted since a moment, oldest first, paged.

    A record is listed once, with its latest change. Two queries whatever the data size:
    the page (one UNION over every resource and the tombstones) and its count.
    """

    serializer_class = ChangeSerializer
    pagination_class = Pagination
    permission_classes = [AllowAny]
    filter_backends = []
    error_responses = {
        "400": "A `since` that is not an ISO 8601 date-time, or an unknown "
        "parameter: the problem names it."
    }

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        paginator = self.paginator
        accepted = {
            "since",
            paginator.limit_query_param,
            paginator.offset_query_param,
            api_settings.URL_FORMAT_OVERRIDE,
        }
        unknown = sorted(set(request.query_params) - accepted)
        if unknown:
            message = "Unknown parameter. Accepted: " + ", ".join(sorted(accepted)) + "."
            raise InvalidQuery(
                {name: [message] for name in unknown}, code="unknown_parameter", accepted=accepted
            )
        repeated = [name for name, values in request.query_params.lists() if len(values) > 1]
        if repeated:
            raise InvalidQuery({name: ["Give this parameter once."] for name in repeated})
        self.since = read_since(request.query_params)

    def get_queryset(self):
        return changes.entries(self.since)

    @extend_schema(
        operation_id="changes_list",
        summary="Records created, changed and deleted since a moment",
        description="Oldest first, paged; each record once, with its latest change. A mirror "
        "asks with `since` set to the `time` of the last entry it applied: it fetches `url` "
        "again for `created` and `modified` entries and removes its copy for `deleted` ones "
        "(deleted records are kept as tombstones, so deletions are never missed).",
        parameters=[SINCE],
        tags=["changes"],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        data = [changes.entry(row, request.build_absolute_uri) for row in page]
        return self.get_paginated_response(self.get_serializer(data, many=True).data)
