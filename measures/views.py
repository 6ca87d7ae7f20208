"""Portal pages for the Annex measures and Box 2."""

from django.db.models import Prefetch
from django.views.generic import DetailView

from ocpo.history import RecordHistoryView
from ocpo.portal import FilteredListView, key_choices

from .filters import MeasureApplicationFilterSet, MeasureFilterSet, PoliceFunctionFilterSet
from .models import Measure, MeasureApplication, PoliceFunction, PoliceFunctionKind

# Measure filters that select by example: a measure matches when one of its examples does,
# and then only those examples are shown in it (the example FilterSet reads the same keys).
EXAMPLE_FILTERS = ("mission", "country")


class MeasureListView(FilteredListView):
    """The Annex table as the paper has it: areas as row groups, measures, examples."""

    queryset = Measure.objects.for_list()
    filterset_class = MeasureFilterSet
    api_resource = "measures"
    filter_choices = {
        "area": key_choices("measures.ActivityArea", "slug", lambda a: f"{a.number}. {a.name}"),
        "mission": key_choices("missions.Mission", "acronym", lambda m: f"{m.acronym}: {m.name}"),
        "country": key_choices("missions.Country", "iso3", lambda c: f"{c.name} ({c.iso3})"),
        "interface": key_choices("interfaces.Interface", "slug"),
    }
    paginate_by = 100

    def examples_filtered(self):
        """The example filters in force (``{"country": [...]}``), if any."""
        return {
            name: self.request.GET.getlist(name)
            for name in EXAMPLE_FILTERS
            if self.request.GET.getlist(name)
        }

    def get_queryset(self):
        queryset = super().get_queryset()
        filters = self.examples_filtered()
        if not filters:
            return queryset
        examples = MeasureApplicationFilterSet(
            self.request.GET, queryset=MeasureApplication.objects.all()
        )
        shown = examples.qs.select_related("mission", "country") if examples.is_valid() else None
        if shown is None:
            return queryset
        # The examples replace the Annex's full prefetch of them; interfaces stay as they are.
        return queryset.prefetch_related(None).prefetch_related(
            "interfaces", Prefetch("applications", queryset=shown)
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["examples_filtered"] = bool(self.examples_filtered())
        return context


class MeasureDetailView(DetailView):
    queryset = Measure.objects.for_detail()


# Box 2's kinds in the plural, for the headings of its groups.
KIND_PLURALS = {
    PoliceFunctionKind.CORE_FUNCTION: "Core functions",
    PoliceFunctionKind.ACTIVITY: "Activities",
}


class PoliceFunctionListView(FilteredListView):
    queryset = PoliceFunction.objects.for_list()
    filterset_class = PoliceFunctionFilterSet
    api_resource = "police-functions"
    paginate_by = 100
    filter_choices = {"kind": lambda: PoliceFunctionKind.choices}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        groups = {}
        for function in context["object_list"]:
            groups.setdefault(function.kind, []).append(function)
        context["kinds"] = [
            {
                "label": KIND_PLURALS[kind] if len(items) > 1 else items[0].get_kind_display(),
                "members": items,
            }
            for kind, items in groups.items()
        ]
        return context


class MeasureHistoryView(RecordHistoryView):
    """The measure's versions, each with what it changed."""

    model = Measure
