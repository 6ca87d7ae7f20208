"""Serializers for the Annex (areas, measures, applications) and Box 2 (police functions)."""

from rest_framework import serializers

from interfaces.models import Finding, Interface
from interfaces.serializers import InterfaceSummarySerializer
from missions.models import Country, Mission
from missions.serializers import (
    CountrySummarySerializer,
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
from sources.serializers import LinksField, SourcedLinksWriteMixin

from .models import ActivityArea, Measure, MeasureApplication, PoliceFunction

REPEATED_LINKS_HELP = (
    "Each finding repeating the record, with its basis: 'paper' when the finding quotes the "
    "record's own words, 'editors' when only its summary restates them (with their reason). "
    "Links written through the API are the editors' until checked."
)


class AreaSummarySerializer(SummarySerializer):
    """An area of activity as other records list it."""

    url = RecordUrlField(view_name="api:area-detail", lookup_field="slug")
    number = serializers.IntegerField(help_text="Row group in the Annex.")
    slug = serializers.SlugField()
    name = serializers.CharField()


class MeasureSummarySerializer(SummarySerializer):
    """A measure as other records list it, with the interfaces it addresses."""

    url = RecordUrlField(view_name="api:measure-detail", lookup_field="slug")
    slug = serializers.SlugField()
    name = serializers.CharField()
    interfaces = RelatedKeysField(
        "interfaces", order_by="number", help_text="Slugs of the interfaces it addresses."
    )


class AreaMeasureSerializer(MeasureSummarySerializer):
    """A measure as its area lists it: where it was applied."""

    missions = RelatedKeysField(
        "applications.mission", key="acronym", help_text="Acronyms of the missions applying it."
    )


class PoliceFunctionSummarySerializer(SummarySerializer):
    """A UN Police function as other records list it."""

    url = RecordUrlField(view_name="api:police-function-detail", lookup_field="slug")
    slug = serializers.SlugField()
    kind = serializers.CharField(help_text="`core_function` or `activity`.")
    name = serializers.CharField()


class ActivityAreaSerializer(KBModelSerializer):
    """An area of activity, its measures by slug (lists and writes)."""

    url = RecordUrlField(view_name="api:area-detail", lookup_field="slug")
    html_url = HtmlUrlField(help_text="The area on the portal's measures page.")
    measures = KeyRelatedField(
        many=True, read_only=True, slug_field="slug", help_text="Slugs of its measures."
    )

    class Meta:
        model = ActivityArea
        fields = [
            "url",
            "html_url",
            "number",
            "slug",
            "name",
            "editorial_note",
            "measures",
            "created",
            "modified",
        ]
        extra_kwargs = {"name": {"help_text": "Name of the area, as the Annex gives it."}}


class ActivityAreaDetailSerializer(ActivityAreaSerializer):
    """An area of activity with its measures and where they were applied."""

    cite = CiteUrlField("api:area-cite", lookup_field="slug")

    measures = AreaMeasureSerializer(many=True, read_only=True, help_text="Its measures.")

    class Meta(ActivityAreaSerializer.Meta):
        fields = [*ActivityAreaSerializer.Meta.fields, "cite"]


class MeasureSerializer(KBModelSerializer):
    """A measure, its links by natural key (lists and writes)."""

    url = RecordUrlField(view_name="api:measure-detail", lookup_field="slug")
    html_url = HtmlUrlField()
    area = KeyRelatedField(
        slug_field="slug",
        queryset=ActivityArea.objects.all(),
        help_text="Slug of the area of activity.",
    )
    interfaces = KeyRelatedField(
        many=True,
        slug_field="slug",
        queryset=Interface.objects.all(),
        required=False,
        help_text="Slugs of the interfaces the measure addresses (editors' judgement).",
    )
    missions = RelatedKeysField(
        "applications.mission",
        key="acronym",
        help_text="Acronyms of the missions its examples name.",
    )
    countries = RelatedKeysField(
        "applications.country",
        key="iso3",
        help_text="ISO3 codes of the countries its examples name.",
    )
    police_functions = KeyRelatedField(
        many=True,
        read_only=True,
        slug_field="slug",
        help_text="Slugs of the UN Police functions linked to it (Box 2).",
    )

    class Meta:
        model = Measure
        fields = [
            "url",
            "html_url",
            "slug",
            "area",
            "position",
            "name",
            "description",
            "interfaces",
            "interfaces_note",
            "editorial_note",
            "missions",
            "countries",
            "police_functions",
            "created",
            "modified",
        ]
        extra_kwargs = {"name": {"help_text": "The measure, as the Annex names it."}}


class MeasureApplicationInlineSerializer(SummarySerializer):
    """An example as its measure lists it."""

    url = RecordUrlField(view_name="api:application-detail")
    id = serializers.IntegerField()
    label = serializers.CharField(help_text="The example as the Annex names it.")
    all_missions = serializers.BooleanField(help_text="The paper says 'all missions'.")
    mission = serializers.CharField(
        source="mission.acronym", allow_null=True, help_text="Acronym of the mission, if named."
    )
    country = serializers.CharField(
        source="country.iso3", allow_null=True, help_text="ISO3 code of the country, if named."
    )
    note = serializers.CharField(help_text="Further detail from the paper.")


class MeasureDetailSerializer(MeasureSerializer):
    """A measure with its area, interfaces, examples and police functions."""

    cite = CiteUrlField("api:measure-cite", lookup_field="slug")

    area = AreaSummarySerializer(read_only=True, help_text="The area of activity.")
    interfaces = InterfaceSummarySerializer(
        many=True, read_only=True, help_text="Interfaces addressed (editors' judgement)."
    )
    applications = MeasureApplicationInlineSerializer(
        many=True, read_only=True, help_text="Examples of the measure in practice (Annex)."
    )
    police_functions = PoliceFunctionSummarySerializer(
        many=True, read_only=True, help_text="UN Police functions linked to it (Box 2)."
    )

    class Meta(MeasureSerializer.Meta):
        fields = [*MeasureSerializer.Meta.fields, "applications", "cite"]


class MeasureApplicationSerializer(
    ProvenanceSerializerMixin, SourcedLinksWriteMixin, KBModelSerializer
):
    """An example of a measure in practice, links by natural key."""

    url = RecordUrlField(view_name="api:application-detail")
    html_url = HtmlUrlField(help_text="The measure's page on the portal.")
    measure = KeyRelatedField(
        slug_field="slug", queryset=Measure.objects.all(), help_text="Slug of the measure."
    )
    area = serializers.SlugField(
        source="measure.area.slug", read_only=True, help_text="Slug of the measure's area."
    )
    mission = KeyRelatedField(
        slug_field="acronym",
        queryset=Mission.objects.all(),
        allow_null=True,
        required=False,
        help_text="Acronym of the mission the example names.",
    )
    country = KeyRelatedField(
        slug_field="iso3",
        queryset=Country.objects.all(),
        allow_null=True,
        required=False,
        help_text="ISO3 code of the country the example names.",
    )
    interfaces = RelatedKeysField(
        "measure.interfaces",
        order_by="number",
        help_text="Slugs of the interfaces the measure addresses (editors' judgement).",
    )
    repeated_in = KeyRelatedField(
        many=True,
        slug_field="slug",
        queryset=Finding.objects.all(),
        required=False,
        help_text="Slugs of the findings that repeat this example.",
    )
    links = LinksField({"repeated_in": "finding_links"}, help_text=REPEATED_LINKS_HELP)

    class Meta:
        model = MeasureApplication
        fields = [
            "url",
            "html_url",
            "id",
            "measure",
            "area",
            "position",
            "mission",
            "mission_basis",
            "mission_reason",
            "country",
            "country_basis",
            "country_reason",
            "label",
            "note",
            "all_missions",
            "interfaces",
            "repeated_in",
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
        extra_kwargs = {"note": {"help_text": "Further detail from the paper."}}


class MeasureApplicationDetailSerializer(MeasureApplicationSerializer):
    """An example with summaries of its measure, mission and country."""

    cite = CiteUrlField("api:application-cite")

    measure = MeasureSummarySerializer(read_only=True, help_text="The measure applied.")
    mission = MissionSummarySerializer(
        read_only=True, allow_null=True, help_text="The mission named."
    )
    country = CountrySummarySerializer(
        read_only=True, allow_null=True, help_text="The country named."
    )
    repeated_in = FindingSummarySerializer(
        many=True, read_only=True, help_text="Findings that repeat this example."
    )

    class Meta(MeasureApplicationSerializer.Meta):
        fields = [*MeasureApplicationSerializer.Meta.fields, "cite"]


class PoliceFunctionSerializer(SourcedLinksWriteMixin, KBModelSerializer):
    """A UN Police function, its measures and repeating findings by slug (lists and writes)."""

    url = RecordUrlField(view_name="api:police-function-detail", lookup_field="slug")
    html_url = HtmlUrlField(help_text="The function on the portal's Box 2 page.")
    measures = KeyRelatedField(
        many=True,
        slug_field="slug",
        queryset=Measure.objects.all(),
        required=False,
        help_text="Slugs of the measures linked to it (editors' judgement).",
    )
    repeated_in = KeyRelatedField(
        many=True,
        slug_field="slug",
        queryset=Finding.objects.all(),
        required=False,
        help_text="Slugs of the findings that repeat this function.",
    )
    links = LinksField({"repeated_in": "finding_links"}, help_text=REPEATED_LINKS_HELP)

    class Meta:
        model = PoliceFunction
        fields = [
            "url",
            "html_url",
            "slug",
            "kind",
            "position",
            "name",
            "measures",
            "repeated_in",
            "links",
            "editorial_note",
            "created",
            "modified",
        ]
        extra_kwargs = {
            "kind": {"help_text": "Core function or activity."},
            "name": {"help_text": "The function or activity, as Box 2 names it."},
        }


class PoliceFunctionDetailSerializer(PoliceFunctionSerializer):
    """A UN Police function with summaries of its measures."""

    cite = CiteUrlField("api:police-function-cite", lookup_field="slug")

    measures = MeasureSummarySerializer(
        many=True, read_only=True, help_text="Measures linked to it (editors' judgement)."
    )
    repeated_in = FindingSummarySerializer(
        many=True, read_only=True, help_text="Findings that repeat this function."
    )

    class Meta(PoliceFunctionSerializer.Meta):
        fields = [*PoliceFunctionSerializer.Meta.fields, "cite"]
