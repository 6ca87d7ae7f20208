"""Root URLs: the portal pages of each app, the API under /api/v1/, the admin."""

from django.contrib import admin
from django.urls import include, path, re_path
from django.views.decorators.http import require_safe

from . import health, views
from .feeds import ChangesFeed
from .middleware import cache_params

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("matrix/", views.matrix, name="matrix"),
    path("compare/", views.compare, name="compare"),
    path("about/", views.about, name="about"),
    path("data/", views.data, name="data"),
    path("changes.atom", cache_params("since")(require_safe(ChangesFeed())), name="changes_atom"),
    path("data/ocpo-<str:version>.zip", views.release_download, name="release_download"),
    re_path(
        r"^v/(?P<version>[0-9][0-9A-Za-z.-]*)/(?P<path>.*)$", views.versioned, name="versioned"
    ),
    path("", include("interfaces.urls")),
    path("", include("missions.urls")),
    path("", include("measures.urls")),
    path("", include("sources.urls")),
    path("api/v1/", include(("ocpo.api", "api"))),
    path("admin/", admin.site.urls),
    path("healthz", health.ready, name="healthz"),
    path("healthz/ready", health.ready, name="healthz_ready"),
    path("healthz/live", health.live, name="healthz_live"),
]

# A lost database connection answers 503 with Retry-After (JSON for the API), not a 500.
handler500 = "ocpo.health.server_error"
