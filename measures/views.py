"""Portal pages for the Annex measures and Box 2."""

from django.views.generic import DetailView, ListView

from .models import Measure, PoliceFunction


class MeasureListView(ListView):
    model = Measure


class MeasureDetailView(DetailView):
    model = Measure


class PoliceFunctionListView(ListView):
    model = PoliceFunction
