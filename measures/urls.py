from django.urls import path

from . import views

app_name = "measures"

urlpatterns = [
    path("measures/", views.MeasureListView.as_view(), name="measure_list"),
    path("measures/<slug:slug>/", views.MeasureDetailView.as_view(), name="measure_detail"),
    path(
        "measures/<slug:slug>/history/", views.MeasureHistoryView.as_view(), name="measure_history"
    ),
    path("police-functions/", views.PoliceFunctionListView.as_view(), name="police_function_list"),
]
