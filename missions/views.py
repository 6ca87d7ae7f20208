"""Portal pages for missions, countries and documents."""

from django.views.generic import DetailView

from ocpo.history import RecordHistoryView
from ocpo.portal import FilteredListView, distinct_choices, group_by, key_choices

from .filters import CountryFilterSet, DocumentFilterSet, MissionFilterSet
from .models import Country, Document, DocumentKind, Mission, MissionKind

COUNTRY_CHOICES = key_choices("missions.Country", "iso3")
MISSION_CHOICES = key_choices("missions.Mission", "acronym", lambda m: f"{m.acronym}: {m.name}")
INTERFACE_CHOICES = key_choices("interfaces.Interface", "slug")
SOURCE_CHOICES = key_choices("sources.Source", "slug")


class MissionListView(FilteredListView):
    queryset = Mission.objects.for_list()
    filterset_class = MissionFilterSet
    api_resource = "missions"
    filter_choices = {
        "country": COUNTRY_CHOICES,
        "region": distinct_choices("missions.Country", "region"),
        "kind": lambda: MissionKind.choices,
        "lead_organization": distinct_choices("missions.Mission", "lead_organization"),
        "interface": INTERFACE_CHOICES,
        "source": SOURCE_CHOICES,
    }


class MissionDetailView(DetailView):
    """The mission profile: facts, interfaces seen with evidence, measures, documents."""

    queryset = Mission.objects.for_profile()
    slug_field = slug_url_kwarg = "acronym"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        mission = self.object
        applications = mission.applications
        hosts = list(mission.countries.all())
        # Evidence the paper records for a host country without naming this mission: the
        # country's, shown apart and marked so. Reached through the relation, as above.
        from_hosts = mission.findings.model.objects.for_list().for_countries_not_naming(
            hosts, mission
        )
        context.update(
            findings_by_interface=group_by(mission.findings.all(), lambda f: f.interface),
            host_findings_by_interface=group_by(from_hosts, lambda f: f.interface),
            hosts=hosts,
            applications_by_area=group_by(applications.all(), lambda a: a.measure.area),
            # Reached through the relation: this app imports nothing from measures.
            all_mission_applications=applications.model.objects.for_all_missions(),
        )
        return context


class CountryListView(FilteredListView):
    queryset = Country.objects.for_list()
    filterset_class = CountryFilterSet
    api_resource = "countries"
    filter_choices = {
        "region": distinct_choices("missions.Country", "region"),
        "mission": MISSION_CHOICES,
    }
    paginate_by = 100


class CountryDetailView(DetailView):
    queryset = Country.objects.for_profile()
    slug_field = slug_url_kwarg = "iso3"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        country = self.object
        context.update(
            findings_by_interface=group_by(country.findings.all(), lambda f: f.interface),
            applications_by_area=group_by(country.applications.all(), lambda a: a.measure.area),
        )
        return context


class DocumentListView(FilteredListView):
    queryset = Document.objects.for_list()
    filterset_class = DocumentFilterSet
    api_resource = "documents"
    filter_choices = {
        "kind": lambda: DocumentKind.choices,
        "country": COUNTRY_CHOICES,
        "mission": MISSION_CHOICES,
        "interface": INTERFACE_CHOICES,
        "year": distinct_choices("missions.Document", "year"),
        "source": SOURCE_CHOICES,
    }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        matching = Document.objects.filter(pk__in=self.object_list.values("pk"))
        context["per_year"] = matching.per_year()
        return context


class DocumentDetailView(DetailView):
    queryset = Document.objects.for_detail()


class MissionHistoryView(RecordHistoryView):
    """The mission's versions, each with what it changed."""

    model = Mission
    slug_field = slug_url_kwarg = "acronym"


class CountryHistoryView(RecordHistoryView):
    """The country's versions, each with what it changed."""

    model = Country
    slug_field = slug_url_kwarg = "iso3"


class DocumentHistoryView(RecordHistoryView):
    """The document's versions, each with what it changed."""

    model = Document
