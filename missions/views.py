"""Portal pages for missions, countries and documents."""

from django.views.generic import DetailView, ListView

from .models import Country, Document, Mission


class MissionListView(ListView):
    model = Mission


class MissionDetailView(DetailView):
    model = Mission
    slug_field = slug_url_kwarg = "acronym"


class CountryListView(ListView):
    model = Country


class CountryDetailView(DetailView):
    model = Country
    slug_field = slug_url_kwarg = "iso3"


class DocumentListView(ListView):
    model = Document


class DocumentDetailView(DetailView):
    model = Document
