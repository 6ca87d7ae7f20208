"""API v1 wiring: the router over every app's viewsets, the OpenAPI schema and its docs.

Mounted under ``/api/v1/`` with the namespace ``api`` (``ocpo/urls.py``). The building
blocks the viewsets share live in ``ocpo/rest.py``.
"""

from collections import OrderedDict

from django.urls import path
from django.urls.exceptions import NoReverseMatch
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import routers
from rest_framework.response import Response
from rest_framework.reverse import reverse

from interfaces.api import FindingViewSet, IllicitActivityViewSet, InterfaceViewSet, QuestionViewSet
from measures.api import (
    ActivityAreaViewSet,
    MeasureApplicationViewSet,
    MeasureViewSet,
    PoliceFunctionViewSet,
)
from missions.api import CountryViewSet, DocumentViewSet, MissionViewSet
from sources.api import SourceViewSet

from . import cite_api, history_api
from .changes_api import ChangeListView
from .middleware import cache_params

DOC_LINKS = {"changes": "api:changes", "schema": "api:schema", "docs": "api:docs"}


class APIRootView(routers.APIRootView):
    """The resources of the ocpo API, and its OpenAPI schema and documentation."""

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        links = OrderedDict(response.data)
        for name, url_name in DOC_LINKS.items():
            try:
                links[name] = reverse(url_name, request=request, format=kwargs.get("format"))
            except NoReverseMatch:
                continue
        return Response(links)


class Router(routers.DefaultRouter):
    """The v1 router: the root lists the resources and the documentation."""

    APIRootView = APIRootView
    include_format_suffixes = False  # ?format=csv instead: natural keys may contain dots


router = Router()
router.register("interfaces", InterfaceViewSet, basename="interface")
router.register("findings", FindingViewSet, basename="finding")
router.register("activities", IllicitActivityViewSet, basename="activity")
router.register("questions", QuestionViewSet, basename="question")
router.register("missions", MissionViewSet, basename="mission")
router.register("countries", CountryViewSet, basename="country")
router.register("documents", DocumentViewSet, basename="document")
router.register("measure-areas", ActivityAreaViewSet, basename="area")
router.register("measures", MeasureViewSet, basename="measure")
router.register("applications", MeasureApplicationViewSet, basename="application")
router.register("police-functions", PoliceFunctionViewSet, basename="police-function")
router.register("sources", SourceViewSet, basename="source")

urlpatterns = [
    *cite_api.urls(router),
    path(
        "changes/",
        cache_params("since", "limit", "offset", "format")(ChangeListView.as_view()),
        name="changes",
    ),
    *history_api.urls(router),
    *router.urls,
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The reference under the strict CSP: Swagger UI's start-up script is served as a file
    # (the split view), its assets by the sidecar from this site. ReDoc is not offered: its
    # styled-components inject <style> elements that a CSP without 'unsafe-inline' blocks.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", template_name="api/swagger_ui.html"
        ),
        name="docs",
    ),
]
