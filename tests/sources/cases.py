"""API and filter cases for sources."""

from sources.api import SourceFilterSet
from tests.api_cases import Case

SOURCE = Case(
    basename="source",
    key="slug",
    filterset=SourceFilterSet,
    filters={},
    ordering="title",
    search="diamonds",
    payload=lambda pair: {"slug": "another-report", "title": "Another report"},
)
