"""Portal pages for the Annex measures and Box 2."""

from django.views.generic import DetailView

from ocpo.portal import FilteredListView, key_choices

from .filters import MeasureFilterSet, PoliceFunctionFilterSet
from .models import Measure, PoliceFunction, PoliceFunctionKind


class MeasureListView(FilteredListView):
    """The Annex table as the paper has it: areas as row groups, measures, examples."""

    queryset = Measure.objects.for_list()
    filterset_class = MeasureFilterSet
    api_resource = "measures"
    filter_choices = {
        "area": key_choices("measures.ActivityArea", "slug", lambda a: f"{a.number}. {a.name}"),
        "mission": key_choices("missions.Mission", "acronym", lambda m: f"{m.acronym}: {m.name}"),
        "country": key_choices("missions.Country", "iso3"),
        "interface": key_choices("interfaces.Interface", "slug"),
    }
    paginate_by = 100


class MeasureDetailView(DetailView):
    queryset = Measure.objects.for_detail()


class PoliceFunctionListView(FilteredListView):
    queryset = PoliceFunction.objects.for_list()
    filterset_class = PoliceFunctionFilterSet
    api_resource = "police-functions"
    paginate_by = 100
    filter_choices = {"kind": lambda: PoliceFunctionKind.choices}
