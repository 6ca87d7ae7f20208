"""Portal pages for interfaces, findings and questions."""

from collections import Counter

from django.views.generic import DetailView

from ocpo.history import RecordHistoryView
from ocpo.portal import FilteredListView, group_by, key_choices

from .filters import FindingFilterSet, InterfaceFilterSet, QuestionFilterSet
from .models import Finding, Interface, Question

INTERFACE_CHOICES = key_choices("interfaces.Interface", "slug")
MISSION_CHOICES = key_choices("missions.Mission", "acronym", lambda m: f"{m.acronym}: {m.name}")
COUNTRY_CHOICES = key_choices("missions.Country", "iso3")
ACTIVITY_CHOICES = key_choices("interfaces.IllicitActivity", "slug")


class InterfaceListView(FilteredListView):
    queryset = Interface.objects.with_counts().prefetch_related("mechanisms")
    filterset_class = InterfaceFilterSet
    api_resource = "interfaces"
    filter_choices = {
        "mission": MISSION_CHOICES,
        "country": COUNTRY_CHOICES,
        "activity": ACTIVITY_CHOICES,
    }


class InterfaceDetailView(DetailView):
    """An interface: summary, mechanisms, evidence by case, measures, documents, questions."""

    queryset = Interface.objects.for_detail()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        findings = self.object.first_findings
        documents = {
            link.document.pk: link.document for f in findings for link in f.document_links.all()
        }
        context.update(
            findings_by_case=group_by(findings, lambda f: f.case_label),
            documents=sorted(documents.values(), key=lambda d: (d.year, d.slug)),
        )
        return context


class FindingListView(FilteredListView):
    queryset = Finding.objects.for_list()
    filterset_class = FindingFilterSet
    api_resource = "findings"
    filter_choices = {
        "interface": INTERFACE_CHOICES,
        "mission": MISSION_CHOICES,
        "country": COUNTRY_CHOICES,
        "document": key_choices("missions.Document", "slug", lambda d: d.symbol or d.title),
        "activity": ACTIVITY_CHOICES,
        "source": key_choices("sources.Source", "slug"),
    }


class FindingDetailView(DetailView):
    queryset = Finding.objects.for_detail()


class QuestionListView(FilteredListView):
    queryset = Question.objects.for_list()
    filterset_class = QuestionFilterSet
    api_resource = "questions"
    paginate_by = 100
    filter_choices = {"interface": INTERFACE_CHOICES}

    def get_context_data(self, **kwargs):
        """The editors' note most questions share is shown once; each question shows only
        what its own note adds to it."""
        context = super().get_context_data(**kwargs)
        questions = list(context["object_list"])
        notes = [q.editorial_note for q in questions if q.editorial_note]
        common = Counter(notes).most_common(1)[0][0] if notes else ""
        if sum(note.startswith(common) for note in notes) < 2:
            common = ""
        context["common_note"] = common
        context["questions"] = [
            (q, q.editorial_note[len(common) :].strip() if common else q.editorial_note)
            for q in questions
        ]
        return context


class InterfaceHistoryView(RecordHistoryView):
    """The interface's versions, each with what it changed."""

    model = Interface


class FindingHistoryView(RecordHistoryView):
    """The finding's versions, each with what it changed."""

    model = Finding
