from django.urls import path

from . import views

app_name = "interfaces"

urlpatterns = [
    path("interfaces/", views.InterfaceListView.as_view(), name="interface_list"),
    path("interfaces/<slug:slug>/", views.InterfaceDetailView.as_view(), name="interface_detail"),
    path(
        "interfaces/<slug:slug>/history/",
        views.InterfaceHistoryView.as_view(),
        name="interface_history",
    ),
    path("findings/", views.FindingListView.as_view(), name="finding_list"),
    path("findings/<slug:slug>/", views.FindingDetailView.as_view(), name="finding_detail"),
    path(
        "findings/<slug:slug>/history/", views.FindingHistoryView.as_view(), name="finding_history"
    ),
    path("questions/", views.QuestionListView.as_view(), name="question_list"),
]
