"""Serializers for interfaces, findings, illicit activities and questions."""

from rest_framework import serializers

from missions.models import Country, Document, Mission
from missions.serializers import (
    CountrySummarySerializer,
    DocumentSummarySerializer,
    FindingSummarySerializer,
    MissionSummarySerializer,
)
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
from sources.serializers import LinksField, OwnerLinksField, SourcedLinksWriteMixin

from .models import Finding, IllicitActivity, Interface, Question


class InterfaceSummarySerializer(SummarySerializer):
    """An interface as other records list it."""

    url = RecordUrlField(view_name="api:interface-detail", lookup_field="slug")
    number = serializers.IntegerField(help_text="Position in Box 1 (1-7).")
    slug = serializers.SlugField()
    title = serializers.CharField(help_text="As printed in Box 1.")


class ActivitySummarySerializer(SummarySerializer):
    """An illicit activity as other records list it."""

    url = RecordUrlField(view_name="api:activity-detail", lookup_field="slug")
    slug = serializers.SlugField()
    name = serializers.CharField()


class InterfaceFindingSerializer(FindingSummarySerializer):
    """A finding as its interface lists it: where the case was seen."""

    missions = RelatedKeysField("missions", key="acronym", help_text="Acronyms of its missions.")
    countries = RelatedKeysField("countries", key="iso3", help_text="ISO3 codes of its countries.")


class MechanismSerializer(SummarySerializer):
    """One way the interface works, as the paper describes it."""

    position = serializers.IntegerField(help_text="Order within the interface.")
    description = serializers.CharField(help_text="How the interface works, as the paper says.")


class QuestionSummarySerializer(SummarySerializer):
    """A question for discussion as other records list it."""

    url = RecordUrlField(view_name="api:question-detail", lookup_field="slug")
    number = serializers.IntegerField(help_text="Order in section IV.")
    slug = serializers.SlugField()
    text = serializers.CharField(help_text="The question.")


class InterfaceMeasureSerializer(SummarySerializer):
    """A measure as an interface lists it (measures live in the app above: related names)."""

    url = RecordUrlField(view_name="api:measure-detail", lookup_field="slug")
    slug = serializers.SlugField()
    name = serializers.CharField()
    area = serializers.SlugField(source="area.slug", help_text="Slug of the measure's area.")


class InterfaceSerializer(KBModelSerializer):
    """An interface, with where its findings place it (lists and writes)."""

    url = RecordUrlField(view_name="api:interface-detail", lookup_field="slug")
    html_url = HtmlUrlField()
    missions = RelatedKeysField(
        "findings.missions",
        key="acronym",
        help_text="Acronyms of the missions where findings show this interface.",
    )
    countries = RelatedKeysField(
        "findings.countries",
        key="iso3",
        help_text="ISO3 codes of the countries where findings show this interface.",
    )
    activities = RelatedKeysField(
        "findings.activities",
        help_text="Slugs of the illicit activities its findings name.",
    )

    class Meta:
        model = Interface
        fields = [
            "url",
            "html_url",
            "number",
            "slug",
            "title",
            "summary",
            "paper_section",
            "editorial_note",
            "missions",
            "countries",
            "activities",
            "created",
            "modified",
        ]
        extra_kwargs = {
            "paper_section": {"help_text": "Section of the paper that discusses the interface."}
        }


class InterfaceDetailSerializer(InterfaceSerializer):
    """An interface with its mechanisms, evidence, questions and measures."""

    cite = CiteUrlField("api:interface-cite", lookup_field="slug")

    mechanisms = MechanismSerializer(many=True, read_only=True, help_text="How it works.")
    findings = InterfaceFindingSerializer(many=True, read_only=True, help_text="The evidence.")
    questions = QuestionSummarySerializer(
        many=True, read_only=True, help_text="Questions for discussion concerning it."
    )
    measures = InterfaceMeasureSerializer(
        many=True, read_only=True, help_text="Measures addressing it (editors' judgement)."
    )

    class Meta(InterfaceSerializer.Meta):
        fields = [
            *InterfaceSerializer.Meta.fields,
            "mechanisms",
            "findings",
            "questions",
            "measures",
            "cite",
        ]


class FindingSerializer(ProvenanceSerializerMixin, SourcedLinksWriteMixin, KBModelSerializer):
    """A finding, its links by natural key (lists and writes)."""

    url = RecordUrlField(view_name="api:finding-detail", lookup_field="slug")
    html_url = HtmlUrlField()
    interface = KeyRelatedField(
        slug_field="slug",
        queryset=Interface.objects.all(),
        help_text="Slug of the interface the finding shows.",
    )
    missions = KeyRelatedField(
        many=True,
        slug_field="acronym",
        queryset=Mission.objects.all(),
        required=False,
        help_text="Acronyms of the missions the case concerns.",
    )
    countries = KeyRelatedField(
        many=True,
        slug_field="iso3",
        queryset=Country.objects.all(),
        required=False,
        help_text="ISO3 codes of the countries the case concerns.",
    )
    documents = KeyRelatedField(
        many=True,
        slug_field="slug",
        queryset=Document.objects.all(),
        required=False,
        help_text="Slugs of the documents the finding cites.",
    )
    activities = KeyRelatedField(
        many=True,
        slug_field="slug",
        queryset=IllicitActivity.objects.all(),
        required=False,
        help_text="Slugs of the illicit activities the case names.",
    )
    quoted_document = KeyRelatedField(
        slug_field="slug",
        queryset=Document.objects.all(),
        allow_null=True,
        required=False,
        help_text="Slug of the document whose words the quotation is; null for the paper's own.",
    )
    quotation_speaker = serializers.CharField(
        read_only=True,
        help_text="Whose words the quotation is, e.g. 'the paper, quoting S/RES/2070'.",
    )
    links = LinksField(
        {
            "missions": "mission_links",
            "countries": "country_links",
            "documents": "document_links",
            "activities": "activity_links",
        },
        help_text=(
            "Each link with its basis: 'paper' when the passage states it, 'editors' for "
            "the editors' inference (with their reason). Links written through the API "
            "are the editors' until checked."
        ),
    )

    class Meta:
        model = Finding
        fields = [
            "url",
            "html_url",
            "id",
            "slug",
            "interface",
            "position",
            "title",
            "summary",
            "quotation",
            "quoted_document",
            "quoted_speaker",
            "quotation_speaker",
            "actors",
            "missions",
            "countries",
            "documents",
            "activities",
            "links",
            "source",
            "section",
            "paper_section",
            "cited_as",
            "footnotes",
            "page",
            "editorial_note",
            "created",
            "modified",
        ]
        extra_kwargs = {
            "title": {"help_text": "Short title of the case."},
            "summary": {"help_text": "The evidence, in the editors' own words."},
        }


class FindingDetailSerializer(FindingSerializer):
    """A finding with summaries of its interface, missions, countries, sources."""

    cite = CiteUrlField("api:finding-cite", lookup_field="slug")

    interface = InterfaceSummarySerializer(read_only=True, help_text="The interface shown.")
    missions = MissionSummarySerializer(many=True, read_only=True, help_text="Missions concerned.")
    countries = CountrySummarySerializer(
        many=True, read_only=True, help_text="Countries concerned."
    )
    documents = DocumentSummarySerializer(many=True, read_only=True, help_text="Documents cited.")
    activities = ActivitySummarySerializer(
        many=True, read_only=True, help_text="Illicit activities named."
    )
    repeats = OwnerLinksField(
        {
            "applications": ("application_links", "pk", "integer"),
            "police_functions": ("police_function_links", "slug", "string"),
        },
        help_text=(
            "The records the finding repeats, each link with its basis: Annex examples (by "
            "id, /api/v1/applications/<id>/) and Box 2 police functions (by slug)."
        ),
    )

    class Meta(FindingSerializer.Meta):
        fields = [*FindingSerializer.Meta.fields, "repeats", "cite"]


class IllicitActivitySerializer(KBModelSerializer):
    """An illicit activity and the interfaces it appears in (lists and writes)."""

    url = RecordUrlField(view_name="api:activity-detail", lookup_field="slug")
    html_url = HtmlUrlField(help_text="The portal's list of findings naming this activity.")
    interfaces = RelatedKeysField(
        "findings.interface",
        order_by="number",
        help_text="Slugs of the interfaces whose findings name this activity.",
    )

    class Meta:
        model = IllicitActivity
        fields = [
            "url",
            "html_url",
            "slug",
            "name",
            "description",
            "interfaces",
            "created",
            "modified",
        ]
        extra_kwargs = {
            "name": {"help_text": "Name of the kind of crime."},
            "description": {"help_text": "What the paper says of it."},
        }


class IllicitActivityDetailSerializer(IllicitActivitySerializer):
    """An illicit activity with the findings naming it."""

    cite = CiteUrlField("api:activity-cite", lookup_field="slug")

    findings = FindingSummarySerializer(
        many=True, read_only=True, help_text="Findings naming the activity."
    )

    class Meta(IllicitActivitySerializer.Meta):
        fields = [*IllicitActivitySerializer.Meta.fields, "findings", "cite"]


class QuestionSerializer(KBModelSerializer):
    """A question for discussion, its interfaces by slug (lists and writes)."""

    url = RecordUrlField(view_name="api:question-detail", lookup_field="slug")
    html_url = HtmlUrlField()
    interfaces = KeyRelatedField(
        many=True,
        slug_field="slug",
        queryset=Interface.objects.all(),
        required=False,
        help_text="Slugs of the interfaces the question concerns (editors' judgement).",
    )

    class Meta:
        model = Question
        fields = [
            "url",
            "html_url",
            "id",
            "number",
            "slug",
            "text",
            "interfaces",
            "editorial_note",
            "created",
            "modified",
        ]
        extra_kwargs = {"text": {"help_text": "The question, as section IV asks it."}}


class QuestionDetailSerializer(QuestionSerializer):
    """A question for discussion with summaries of its interfaces."""

    cite = CiteUrlField("api:question-cite", lookup_field="slug")

    interfaces = InterfaceSummarySerializer(
        many=True, read_only=True, help_text="The interfaces the question concerns."
    )

    class Meta(QuestionSerializer.Meta):
        fields = [*QuestionSerializer.Meta.fields, "cite"]
