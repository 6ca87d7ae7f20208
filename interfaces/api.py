"""API viewsets for interfaces, findings, illicit activities and questions."""

from rest_framework import viewsets

from ocpo.rest import KBViewSetMixin

from .filters import (
    FindingFilterSet,
    IllicitActivityFilterSet,
    InterfaceFilterSet,
    QuestionFilterSet,
)
from .models import Finding, IllicitActivity, Interface, Question
from .serializers import (
    FindingDetailSerializer,
    FindingSerializer,
    IllicitActivityDetailSerializer,
    IllicitActivitySerializer,
    InterfaceDetailSerializer,
    InterfaceSerializer,
    QuestionDetailSerializer,
    QuestionSerializer,
)


class InterfaceViewSet(KBViewSetMixin, viewsets.ModelViewSet):
    """The seven interfaces of Box 1, by slug."""

    queryset = Interface.objects.for_api_list()
    detail_queryset = Interface.objects.for_api_detail()
    serializer_class = InterfaceSerializer
    detail_serializer_class = InterfaceDetailSerializer
    filterset_class = InterfaceFilterSet
    lookup_field = "slug"
    ordering_fields = ["number", "slug", "title"]


class FindingViewSet(KBViewSetMixin, viewsets.ModelViewSet):
    """Evidence of an interface in a case, by slug or numeric id."""

    queryset = Finding.objects.for_api_list()
    detail_queryset = Finding.objects.for_api_detail()
    serializer_class = FindingSerializer
    detail_serializer_class = FindingDetailSerializer
    filterset_class = FindingFilterSet
    lookup_field = "slug"
    lookup_by_id = True
    ordering_fields = ["slug", "title", "position", "interface__number"]


class IllicitActivityViewSet(KBViewSetMixin, viewsets.ModelViewSet):
    """Kinds of crime the paper names, by slug."""

    queryset = IllicitActivity.objects.for_api_list()
    detail_queryset = IllicitActivity.objects.for_api_detail()
    serializer_class = IllicitActivitySerializer
    detail_serializer_class = IllicitActivityDetailSerializer
    filterset_class = IllicitActivityFilterSet
    lookup_field = "slug"
    ordering_fields = ["slug", "name"]


class QuestionViewSet(KBViewSetMixin, viewsets.ModelViewSet):
    """Questions for discussion (section IV), by slug or numeric id."""

    queryset = Question.objects.for_api_list()
    detail_queryset = Question.objects.for_api_detail()
    serializer_class = QuestionSerializer
    detail_serializer_class = QuestionDetailSerializer
    filterset_class = QuestionFilterSet
    lookup_field = "slug"
    lookup_by_id = True
    ordering_fields = ["number", "slug"]
