"""The API's sources: the texts the knowledge base cites (the paper first), with their
sections, and the editors. Editors add a source here or in the fixtures; its sections are
edited in the admin and the fixtures (``fixtures/sources/``)."""

from rest_framework import serializers, viewsets

from ocpo.filters import KBFilterSet
from ocpo.rest import (
    CiteUrlField,
    HtmlUrlField,
    KBModelSerializer,
    KBViewSetMixin,
    RecordUrlField,
)

from .models import Source, SourceSection


class SourceSectionSerializer(serializers.ModelSerializer):
    """A section: its code (as records cite it), the heading it prints, its pages."""

    class Meta:
        model = SourceSection
        fields = ["code", "title", "position", "pages"]
        read_only_fields = fields


class SourceSerializer(KBModelSerializer):
    """A source: what its text prints of itself, where its text is, and its sections."""

    url = RecordUrlField(view_name="api:source-detail", lookup_field="slug")
    html_url = HtmlUrlField()
    sections = SourceSectionSerializer(
        many=True, read_only=True, help_text="Its sections, in order (edited in the admin)."
    )
    cite = CiteUrlField("api:source-cite", lookup_field="slug")

    def validate_slug(self, value):
        """Records cite a source by its slug (the key in their own column): it cannot change."""
        if self.instance is not None and value != self.instance.slug:
            raise serializers.ValidationError(
                "A source's slug cannot change: records cite the source by it."
            )
        return value

    class Meta:
        model = Source
        fields = [
            "url",
            "html_url",
            "slug",
            "title",
            "authors",
            "publisher",
            "year",
            "licence",
            "text_path",
            "sections",
            "created",
            "modified",
            "cite",
        ]


class SourceFilterSet(KBFilterSet):
    class Meta:
        model = Source
        fields = []


class SourceViewSet(KBViewSetMixin, viewsets.ModelViewSet):
    """The sources records cite (`paper`, and `editors` for what the editors added), by slug."""

    queryset = Source.objects.prefetch_related("sections")
    detail_queryset = queryset
    serializer_class = SourceSerializer
    detail_serializer_class = SourceSerializer
    filterset_class = SourceFilterSet
    lookup_field = "slug"
    ordering_fields = ["slug", "title"]
    search_fields = ["title", "authors", "publisher"]
