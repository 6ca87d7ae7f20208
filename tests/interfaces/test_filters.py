"""The interfaces app's FilterSets, as the portal's list pages use them."""

from tests.api_cases import FilterSetCases

from .cases import ACTIVITY, FINDING, INTERFACE, QUESTION


class TestInterfaceFilterSet(FilterSetCases):
    case = INTERFACE


class TestFindingFilterSet(FilterSetCases):
    case = FINDING


class TestIllicitActivityFilterSet(FilterSetCases):
    case = ACTIVITY


class TestQuestionFilterSet(FilterSetCases):
    case = QUESTION
