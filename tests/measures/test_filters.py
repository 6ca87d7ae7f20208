"""The measures app's FilterSets, as the portal's list pages use them."""

from tests.api_cases import FilterSetCases

from .cases import APPLICATION, AREA, MEASURE, POLICE_FUNCTION


class TestActivityAreaFilterSet(FilterSetCases):
    case = AREA


class TestMeasureFilterSet(FilterSetCases):
    case = MEASURE


class TestMeasureApplicationFilterSet(FilterSetCases):
    case = APPLICATION


class TestPoliceFunctionFilterSet(FilterSetCases):
    case = POLICE_FUNCTION
