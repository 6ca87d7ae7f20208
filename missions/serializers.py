"""Serializers for countries, documents and missions.

A list serializer gives linked records as natural keys (and takes them so on writes); a
detail serializer replaces them with compact summaries. Findings and measure examples
belong to apps above this one: their summaries here read them through related names only.
"""

from rest_framework import serializers

from ocpo.rest import (
    CiteUrlField,
    HtmlUrlField,
    KBModelSerializer,
    KeyRelatedField,
    ProvenanceSerializerMixin,
    RecordUrlField,
    RelatedKeysField,
    SummarySerializer,
)
from sources.serializers import LinksField, SourcedLinksWriteMixin

from .models import Country, Document, Mission

COUNTRY_KEYS = "ISO 3166-1 alpha-3 codes of the countries."
MISSION_KEYS = "Acronyms of the missions."


class CountrySummarySerializer(SummarySerializer):
    """A country as other records list it."""

    url = RecordUrlField(view_name="api:country-detail", lookup_field="iso3")
    iso3 = serializers.CharField(help_text="ISO 3166-1 alpha-3 code.")
    name = serializers.CharField(help_text="Name of the country or territory.")


class DocumentSummarySerializer(SummarySerializer):
    """A document as other records list it: enough to cite it."""

    url = RecordUrlField(view_name="api:document-detail", lookup_field="slug")
    slug = serializers.SlugField()
    kind = serializers.CharField(help_text="Kind of document (see the documents' `kind`).")
    symbol = serializers.CharField(allow_null=True, help_text="UN document symbol, if any.")
    citation = serializers.CharField(
        help_text="Short citation: symbol and date, or author and year."
    )
    year = serializers.IntegerField(help_text="Year of publication.")


class MissionSummarySerializer(SummarySerializer):
    """A mission as other records list it."""

    url = RecordUrlField(view_name="api:mission-detail", lookup_field="acronym")
    acronym = serializers.CharField(help_text="The mission's acronym (natural key).")
    name = serializers.CharField(help_text="The mission's full name.")


class FindingSummarySerializer(SummarySerializer):
    """A finding as other records list it: what it is and which interface it shows."""

    url = RecordUrlField(view_name="api:finding-detail", lookup_field="slug")
    slug = serializers.SlugField()
    title = serializers.CharField()
    interface = serializers.SlugField(
        source="interface.slug", help_text="Slug of the interface the finding shows."
    )


class ApplicationSummarySerializer(SummarySerializer):
    """A measure example as a mission or country lists it: the measure, its area, interfaces."""

    url = RecordUrlField(view_name="api:application-detail")
    id = serializers.IntegerField()
    label = serializers.CharField(help_text="The example as the Annex names it.")
    all_missions = serializers.BooleanField(help_text="The paper says 'all missions'.")
    measure = serializers.SlugField(source="measure.slug", help_text="Slug of the measure.")
    measure_name = serializers.CharField(source="measure.name", help_text="Name of the measure.")
    area = serializers.SlugField(source="measure.area.slug", help_text="Slug of its area.")
    area_name = serializers.CharField(source="measure.area.name", help_text="Name of its area.")
    interfaces = RelatedKeysField(
        "measure.interfaces",
        order_by="number",
        help_text="Slugs of the interfaces the measure addresses (editors' judgement).",
    )
    mission = serializers.CharField(
        source="mission.acronym", allow_null=True, help_text="Acronym of the mission, if named."
    )
    country = serializers.CharField(
        source="country.iso3", allow_null=True, help_text="ISO3 code of the country, if named."
    )


class CountrySerializer(KBModelSerializer):
    """A country, its missions by acronym (lists and writes)."""

    url = RecordUrlField(view_name="api:country-detail", lookup_field="iso3")
    html_url = HtmlUrlField()
    missions = KeyRelatedField(
        many=True,
        read_only=True,
        slug_field="acronym",
        help_text="Acronyms of the missions the country hosts.",
    )

    class Meta:
        model = Country
        fields = ["url", "html_url", "iso3", "name", "region", "missions", "created", "modified"]
        extra_kwargs = {
            "name": {"help_text": "Name of the country or territory."},
            "region": {"help_text": "Region, as the knowledge base groups countries."},
        }


class CountryDetailSerializer(CountrySerializer):
    """A country with summaries of its missions, documents, findings and examples."""

    cite = CiteUrlField("api:country-cite", lookup_field="iso3")

    missions = MissionSummarySerializer(many=True, read_only=True, help_text="Missions hosted.")
    documents = DocumentSummarySerializer(
        many=True, read_only=True, help_text="Documents concerning the country."
    )
    findings = FindingSummarySerializer(
        many=True, read_only=True, help_text="Findings placed in the country."
    )
    applications = ApplicationSummarySerializer(
        many=True, read_only=True, help_text="Measure examples placed in the country."
    )

    class Meta(CountrySerializer.Meta):
        fields = [*CountrySerializer.Meta.fields, "documents", "findings", "applications", "cite"]


class DocumentSerializer(ProvenanceSerializerMixin, SourcedLinksWriteMixin, KBModelSerializer):
    """A document, its links by natural key (lists and writes)."""

    url = RecordUrlField(view_name="api:document-detail", lookup_field="slug")
    html_url = HtmlUrlField()
    citation = serializers.CharField(
        read_only=True, help_text="Short citation: symbol and date, or author and year."
    )
    countries = KeyRelatedField(
        many=True,
        slug_field="iso3",
        queryset=Country.objects.all(),
        required=False,
        help_text=f"Countries the document concerns. {COUNTRY_KEYS}",
    )
    missions = KeyRelatedField(
        many=True,
        slug_field="acronym",
        queryset=Mission.objects.all(),
        required=False,
        help_text=f"Missions the document concerns. {MISSION_KEYS}",
    )
    interfaces = RelatedKeysField(
        "findings.interface",
        order_by="number",
        help_text="Slugs of the interfaces whose findings cite the document.",
    )
    links = LinksField(
        {"countries": "country_links", "missions": "mission_links"},
        help_text=(
            "Each link with its basis: 'paper' when the paper states it, 'editors' for the "
            "editors' inference (with their reason)."
        ),
    )

    class Meta:
        model = Document
        fields = [
            "url",
            "html_url",
            "slug",
            "kind",
            "symbol",
            "title",
            "author",
            "date",
            "year",
            "publication",
            "description",
            "citation",
            "countries",
            "missions",
            "interfaces",
            "links",
            "source",
            "section",
            "paper_section",
            "cited_as",
            "footnotes",
            "editorial_note",
            "created",
            "modified",
        ]
        extra_kwargs = {
            "title": {"help_text": "Title of the document."},
            "date": {"help_text": "Date of issue or publication, if known."},
            "year": {"help_text": "Year of issue or publication."},
            "kind": {"help_text": "Kind of document."},
        }


class DocumentDetailSerializer(DocumentSerializer):
    """A document with summaries of what it concerns, established and supports."""

    cite = CiteUrlField("api:document-cite", lookup_field="slug")

    countries = CountrySummarySerializer(
        many=True, read_only=True, help_text="Countries concerned."
    )
    missions = MissionSummarySerializer(many=True, read_only=True, help_text="Missions concerned.")
    established_missions = MissionSummarySerializer(
        many=True, read_only=True, help_text="Missions this document established."
    )
    findings = FindingSummarySerializer(
        many=True, read_only=True, help_text="Findings citing the document."
    )

    class Meta(DocumentSerializer.Meta):
        fields = [*DocumentSerializer.Meta.fields, "established_missions", "findings", "cite"]


class MissionSerializer(ProvenanceSerializerMixin, KBModelSerializer):
    """A mission, its links by natural key (lists and writes)."""

    url = RecordUrlField(view_name="api:mission-detail", lookup_field="acronym")
    html_url = HtmlUrlField()
    countries = KeyRelatedField(
        many=True,
        slug_field="iso3",
        queryset=Country.objects.all(),
        help_text=f"Host countries. {COUNTRY_KEYS}",
    )
    establishing_document = KeyRelatedField(
        slug_field="slug",
        queryset=Document.objects.all(),
        allow_null=True,
        required=False,
        help_text="Slug of the document (usually a resolution) that established the mission.",
    )
    is_active = serializers.BooleanField(
        read_only=True, help_text="Deployed and not ended (a start date and no end date)."
    )
    interfaces = RelatedKeysField(
        "findings.interface",
        order_by="number",
        help_text="Slugs of the interfaces the paper's findings show in this mission.",
    )

    class Meta:
        model = Mission
        fields = [
            "url",
            "html_url",
            "acronym",
            "name",
            "kind",
            "lead_organization",
            "countries",
            "start_date",
            "end_date",
            "is_active",
            "establishing_document",
            "summary",
            "interfaces",
            "source",
            "section",
            "paper_section",
            "cited_as",
            "footnotes",
            "editorial_note",
            "created",
            "modified",
        ]
        extra_kwargs = {
            "acronym": {"help_text": "The mission's acronym (natural key), e.g. UNMIL."},
            "name": {"help_text": "The mission's full name."},
            "kind": {"help_text": "Kind of operation."},
            "start_date": {"help_text": "Start of deployment, if known."},
        }


class MissionDetailSerializer(MissionSerializer):
    """Everything known of a mission: countries, documents, findings, measures used."""

    cite = CiteUrlField("api:mission-cite", lookup_field="acronym")

    countries = CountrySummarySerializer(many=True, read_only=True, help_text="Host countries.")
    establishing_document = DocumentSummarySerializer(
        read_only=True, allow_null=True, help_text="The document that established the mission."
    )
    documents = DocumentSummarySerializer(
        many=True, read_only=True, help_text="Documents concerning the mission."
    )
    findings = FindingSummarySerializer(
        many=True, read_only=True, help_text="Findings (evidence of interfaces) in the mission."
    )
    applications = ApplicationSummarySerializer(
        many=True,
        read_only=True,
        help_text="Measures the mission employed (Annex examples), with the interfaces addressed.",
    )

    class Meta(MissionSerializer.Meta):
        fields = [*MissionSerializer.Meta.fields, "documents", "findings", "applications", "cite"]
