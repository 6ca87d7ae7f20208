"""API viewsets for areas of activity, measures, their applications and police functions."""

from rest_framework import viewsets

from ocpo.rest import KBViewSetMixin

from .filters import (
    ActivityAreaFilterSet,
    MeasureApplicationFilterSet,
    MeasureFilterSet,
    PoliceFunctionFilterSet,
)
from .models import ActivityArea, Measure, MeasureApplication, PoliceFunction
from .serializers import (
    ActivityAreaDetailSerializer,
    ActivityAreaSerializer,
    MeasureApplicationDetailSerializer,
    MeasureApplicationSerializer,
    MeasureDetailSerializer,
    MeasureSerializer,
    PoliceFunctionDetailSerializer,
    PoliceFunctionSerializer,
)


class ActivityAreaViewSet(KBViewSetMixin, viewsets.ModelViewSet):
    """Areas of activity (first column of the Annex), by slug."""

    queryset = ActivityArea.objects.for_api_list()
    detail_queryset = ActivityArea.objects.for_api_detail()
    serializer_class = ActivityAreaSerializer
    detail_serializer_class = ActivityAreaDetailSerializer
    filterset_class = ActivityAreaFilterSet
    lookup_field = "slug"
    ordering_fields = ["number", "slug", "name"]


class MeasureViewSet(KBViewSetMixin, viewsets.ModelViewSet):
    """Measures peace operations took against OC (the Annex), by slug."""

    queryset = Measure.objects.for_api_list()
    detail_queryset = Measure.objects.for_api_detail()
    serializer_class = MeasureSerializer
    detail_serializer_class = MeasureDetailSerializer
    filterset_class = MeasureFilterSet
    lookup_field = "slug"
    ordering_fields = ["slug", "name", "position", "area__number"]


class MeasureApplicationViewSet(KBViewSetMixin, viewsets.ModelViewSet):
    """Examples of measures in practice (third column of the Annex), by numeric id."""

    queryset = MeasureApplication.objects.for_api_list()
    detail_queryset = MeasureApplication.objects.for_api_detail()
    serializer_class = MeasureApplicationSerializer
    detail_serializer_class = MeasureApplicationDetailSerializer
    filterset_class = MeasureApplicationFilterSet
    lookup_field = "pk"
    ordering_fields = ["id", "label", "position", "measure__slug", "mission__acronym"]


class PoliceFunctionViewSet(KBViewSetMixin, viewsets.ModelViewSet):
    """UN Police core functions and activities (Box 2), by slug."""

    queryset = PoliceFunction.objects.for_api_list()
    detail_queryset = PoliceFunction.objects.for_api_detail()
    serializer_class = PoliceFunctionSerializer
    detail_serializer_class = PoliceFunctionDetailSerializer
    filterset_class = PoliceFunctionFilterSet
    lookup_field = "slug"
    ordering_fields = ["position", "slug", "name", "kind"]
