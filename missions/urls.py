from django.urls import path

from . import views

app_name = "missions"

urlpatterns = [
    path("missions/", views.MissionListView.as_view(), name="mission_list"),
    path("missions/<str:acronym>/", views.MissionDetailView.as_view(), name="mission_detail"),
    path(
        "missions/<str:acronym>/history/",
        views.MissionHistoryView.as_view(),
        name="mission_history",
    ),
    path("countries/", views.CountryListView.as_view(), name="country_list"),
    path("countries/<str:iso3>/", views.CountryDetailView.as_view(), name="country_detail"),
    path(
        "countries/<str:iso3>/history/", views.CountryHistoryView.as_view(), name="country_history"
    ),
    path("documents/", views.DocumentListView.as_view(), name="document_list"),
    path("documents/<slug:slug>/", views.DocumentDetailView.as_view(), name="document_detail"),
    path(
        "documents/<slug:slug>/history/",
        views.DocumentHistoryView.as_view(),
        name="document_history",
    ),
]
