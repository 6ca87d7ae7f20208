"""``/api/v1/<resource>/<key>/history/``: a record's versions as the History tab shows them
(``ocpo.history``), for every resource the router serves; no editor is named."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from .history import LIMIT, history

ERROR_RESPONSES = {"404": "No record with that key.", "406": "A format other than JSON."}


class HistoryChangeSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="The field, or the kind of links, that changed.")
    old = serializers.CharField(help_text="Its value in the version before.")
    new = serializers.CharField(help_text="Its value in this version.")


class HistoryVersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(source="number", help_text="Its number, 1 the oldest.")
    date = serializers.DateTimeField(help_text="When it was recorded.")
    comment = serializers.CharField(
        help_text="How it was made (a load, a command, the admin's change message); empty "
        "for an API write. Who made it is not given."
    )
    first = serializers.BooleanField(help_text="The first recorded version: nothing to compare.")
    changes = HistoryChangeSerializer(many=True, help_text="What changed, field by field.")


class HistorySerializer(serializers.Serializer):
    record = serializers.URLField(help_text="The record in the API.")
    count = serializers.IntegerField(help_text="How many versions are recorded.")
    older = serializers.IntegerField(
        help_text=f"How many older versions are not listed (the {LIMIT} newest are)."
    )
    results = HistoryVersionSerializer(many=True, help_text="The versions, newest first.")


def record_view(prefix, viewset_class):
    @extend_schema(
        operation_id=f"{prefix}_history",
        summary="This record's versions, each with what it changed",
        responses={200: HistorySerializer},
        tags=[prefix],
    )
    @api_view(["GET"])
    @permission_classes([AllowAny])
    def record_history(request, **kwargs):
        # The detail's lookup rules (natural key, case), without the detail's prefetching.
        model = viewset_class.queryset.model
        viewset = viewset_class(
            request=request, kwargs=kwargs, format_kwarg=None, queryset=model._default_manager
        )
        viewset.action = "history"
        entries, older = history(viewset.get_object())
        record = request.build_absolute_uri(request.path.removesuffix("history/"))
        count = entries[0].number if entries else 0
        data = {"record": record, "count": count, "older": older, "results": entries}
        return Response(HistorySerializer(data).data)

    record_history.cls.queryset = viewset_class.queryset  # names the model, for the schema
    record_history.cls.error_responses = ERROR_RESPONSES
    return record_history


def urls(router):
    """A history route for each resource of ``router``, before the router's own routes."""
    return [
        path(
            f"{prefix}/<str:{viewset_class.lookup_field}>/history/",
            record_view(prefix, viewset_class),
            name=f"{basename}-history",
        )
        for prefix, viewset_class, basename in router.registry
    ]
