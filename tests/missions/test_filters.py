"""The missions app's FilterSets, as the portal's list pages use them."""

from tests.api_cases import FilterSetCases

from .cases import COUNTRY, DOCUMENT, MISSION


class TestCountryFilterSet(FilterSetCases):
    case = COUNTRY


class TestDocumentFilterSet(FilterSetCases):
    case = DOCUMENT


class TestMissionFilterSet(FilterSetCases):
    case = MISSION
