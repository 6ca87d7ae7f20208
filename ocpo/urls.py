"""Root URLs: the portal pages of each app, the API under /api/v1/, the admin."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("interfaces.urls")),
    path("", include("missions.urls")),
    path("", include("measures.urls")),
    path("admin/", admin.site.urls),
]
