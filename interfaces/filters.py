"""FilterSets for interfaces, findings, illicit activities and questions."""

from ocpo.filters import BasisFilter, BasisFilterSetMixin, KBFilterSet, KeyFilter, PaperPath

from .models import Finding, IllicitActivity, Interface, Question

INTERFACE_HELP = "Slug or number (1-7) of an interface, e.g. oc-fuels-conflict or 1."


class InterfaceFilterSet(BasisFilterSetMixin, KBFilterSet):
    """Interfaces by where the paper's findings show them and which crimes they involve."""

    mission = KeyFilter(
        "findings__missions__acronym",
        paper=PaperPath("findings__mission_links", "mission__acronym"),
        label="Mission",
        help_text="Acronym of a mission where a finding shows the interface, e.g. UNMIL.",
        label_field="name",
    )
    country = KeyFilter(
        "findings__countries__iso3",
        paper=PaperPath("findings__country_links", "country__iso3"),
        label="Country",
        help_text="ISO 3166-1 alpha-3 code of a country where a finding shows the interface.",
        label_field="name",
    )
    activity = KeyFilter(
        "findings__activities__slug",
        paper=PaperPath("findings__activity_links", "activity__slug"),
        label="Illicit activity",
        help_text="Slug of an illicit activity a finding names, e.g. drug-trafficking.",
        label_field="name",
    )

    basis = BasisFilter()

    class Meta:
        model = Interface
        fields = ["mission", "country", "activity", "basis"]


class FindingFilterSet(BasisFilterSetMixin, KBFilterSet):
    """Findings by interface, mission, country, cited document or illicit activity."""

    interface = KeyFilter(
        "interface__slug",
        number_path="interface__number",
        label="Interface",
        help_text=INTERFACE_HELP,
        label_field="title",
    )
    mission = KeyFilter(
        "missions__acronym",
        paper=PaperPath("mission_links", "mission__acronym"),
        label="Mission",
        help_text="Acronym of a mission the finding concerns, e.g. UNMIL.",
        label_field="name",
    )
    country = KeyFilter(
        "countries__iso3",
        paper=PaperPath("country_links", "country__iso3"),
        label="Country",
        help_text="ISO 3166-1 alpha-3 code of a country the finding concerns, e.g. LBR.",
        label_field="name",
    )
    document = KeyFilter(
        "documents__slug",
        paper=PaperPath("document_links", "document__slug"),
        label="Document",
        help_text="Slug of a document the finding cites.",
        label_field="title",
    )
    activity = KeyFilter(
        "activities__slug",
        paper=PaperPath("activity_links", "activity__slug"),
        label="Illicit activity",
        help_text="Slug of an illicit activity the finding names, e.g. drug-trafficking.",
        label_field="name",
    )

    basis = BasisFilter()

    class Meta:
        model = Finding
        fields = ["interface", "mission", "country", "document", "activity", "basis"]


class IllicitActivityFilterSet(BasisFilterSetMixin, KBFilterSet):
    """Illicit activities by the interfaces and missions of the findings naming them."""

    interface = KeyFilter(
        "findings__interface__slug",
        number_path="findings__interface__number",
        paper=PaperPath("finding_links", "finding__interface__slug", "finding__interface__number"),
        label="Interface",
        help_text=INTERFACE_HELP,
        label_field="title",
    )
    mission = KeyFilter(
        "findings__missions__acronym",
        paper=PaperPath("finding_links__finding__mission_links", "mission__acronym"),
        label="Mission",
        help_text="Acronym of a mission where a finding names the activity, e.g. UNMIL.",
        label_field="name",
    )

    basis = BasisFilter()

    class Meta:
        model = IllicitActivity
        fields = ["interface", "mission", "basis"]


class QuestionFilterSet(KBFilterSet):
    """Questions for discussion by the interfaces they concern."""

    interface = KeyFilter(
        "interfaces__slug",
        number_path="interfaces__number",
        label="Interface",
        help_text=INTERFACE_HELP,
        label_field="title",
    )

    class Meta:
        model = Question
        fields = ["interface"]
