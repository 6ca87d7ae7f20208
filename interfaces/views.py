"""Portal pages for interfaces, findings and questions."""

from django.views.generic import DetailView, ListView

from .models import Finding, Interface, Question


class InterfaceListView(ListView):
    model = Interface


class InterfaceDetailView(DetailView):
    model = Interface


class FindingListView(ListView):
    model = Finding


class FindingDetailView(DetailView):
    model = Finding


class QuestionListView(ListView):
    model = Question
