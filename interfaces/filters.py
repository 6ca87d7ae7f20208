"""FilterSets for interfaces, findings, illicit activities and questions."""

from django_filters import FilterSet

from ocpo.filters import KeyFilter

from .models import Finding, IllicitActivity, Interface, Question

INTERFACE_HELP = "Slug or number (1-7) of an interface, e.g. oc-fuels-conflict or 1."


class InterfaceFilterSet(FilterSet):
    """Interfaces by where the paper's findings show them and which crimes they involve."""

    mission = KeyFilter(
        "findings__missions__acronym",
        label="Mission",
        help_text="Acronym of a mission where a finding shows the interface, e.g. UNMIL.",
    )
    country = KeyFilter(
        "findings__countries__iso3",
        label="Country",
        help_text="ISO 3166-1 alpha-3 code of a country where a finding shows the interface.",
    )
    activity = KeyFilter(
        "findings__activities__slug",
        label="Illicit activity",
        help_text="Slug of an illicit activity a finding names, e.g. drug-trafficking.",
    )

    class Meta:
        model = Interface
        fields = ["mission", "country", "activity"]


class FindingFilterSet(FilterSet):
    """Findings by interface, mission, country, cited document or illicit activity."""

    interface = KeyFilter(
        "interface__slug",
        number_path="interface__number",
        label="Interface",
        help_text=INTERFACE_HELP,
    )
    mission = KeyFilter(
        "missions__acronym",
        label="Mission",
        help_text="Acronym of a mission the finding concerns, e.g. UNMIL.",
    )
    country = KeyFilter(
        "countries__iso3",
        label="Country",
        help_text="ISO 3166-1 alpha-3 code of a country the finding concerns, e.g. LBR.",
    )
    document = KeyFilter(
        "documents__slug",
        label="Document",
        help_text="Slug of a document the finding cites.",
    )
    activity = KeyFilter(
        "activities__slug",
        label="Illicit activity",
        help_text="Slug of an illicit activity the finding names, e.g. drug-trafficking.",
    )

    class Meta:
        model = Finding
        fields = ["interface", "mission", "country", "document", "activity"]


class IllicitActivityFilterSet(FilterSet):
    """Illicit activities by the interfaces and missions of the findings naming them."""

    interface = KeyFilter(
        "findings__interface__slug",
        number_path="findings__interface__number",
        label="Interface",
        help_text=INTERFACE_HELP,
    )
    mission = KeyFilter(
        "findings__missions__acronym",
        label="Mission",
        help_text="Acronym of a mission where a finding names the activity, e.g. UNMIL.",
    )

    class Meta:
        model = IllicitActivity
        fields = ["interface", "mission"]


class QuestionFilterSet(FilterSet):
    """Questions for discussion by the interfaces they concern."""

    interface = KeyFilter(
        "interfaces__slug",
        number_path="interfaces__number",
        label="Interface",
        help_text=INTERFACE_HELP,
    )

    class Meta:
        model = Question
        fields = ["interface"]
