"""ocpo's URLs plus the floor: a constant JSON view through the full middleware stack."""

from django.http import JsonResponse
from django.urls import include, path


def floor(request):
    return JsonResponse({"status": "ok", "floor": True})


urlpatterns = [
    path("bench/floor/", floor),
    path("", include("ocpo.urls")),
]
