"""API viewsets for countries, documents and missions (routed in ``ocpo/api.py``)."""

from rest_framework import viewsets

from ocpo.rest import KBViewSetMixin

from .filters import CountryFilterSet, DocumentFilterSet, MissionFilterSet
from .models import Country, Document, Mission
from .serializers import (
    CountryDetailSerializer,
    CountrySerializer,
    DocumentDetailSerializer,
    DocumentSerializer,
    MissionDetailSerializer,
    MissionSerializer,
)


class CountryViewSet(KBViewSetMixin, viewsets.ModelViewSet):
    """Countries and territories, by ISO 3166-1 alpha-3 code."""

    queryset = Country.objects.for_api_list()
    detail_queryset = Country.objects.for_api_detail()
    serializer_class = CountrySerializer
    detail_serializer_class = CountryDetailSerializer
    filterset_class = CountryFilterSet
    lookup_field = "iso3"
    ordering_fields = ["iso3", "name", "region"]


class DocumentViewSet(KBViewSetMixin, viewsets.ModelViewSet):
    """Resolutions, reports, policies and academic works the paper cites, by slug."""

    queryset = Document.objects.for_api_list()
    detail_queryset = Document.objects.for_api_detail()
    serializer_class = DocumentSerializer
    detail_serializer_class = DocumentDetailSerializer
    filterset_class = DocumentFilterSet
    lookup_field = "slug"
    ordering_fields = ["slug", "symbol", "title", "date", "year", "kind"]


class MissionViewSet(KBViewSetMixin, viewsets.ModelViewSet):
    """Peace operations, by acronym; the detail says everything known of one."""

    queryset = Mission.objects.for_api_list()
    detail_queryset = Mission.objects.for_api_detail()
    serializer_class = MissionSerializer
    detail_serializer_class = MissionDetailSerializer
    filterset_class = MissionFilterSet
    lookup_field = "acronym"
    ordering_fields = ["acronym", "name", "kind", "lead_organization", "start_date", "end_date"]
