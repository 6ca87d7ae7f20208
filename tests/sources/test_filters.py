"""The sources' FilterSet, as the API uses it."""

from tests.api_cases import FilterSetCases

from .cases import SOURCE


class TestSourceFilterSet(FilterSetCases):
    case = SOURCE
