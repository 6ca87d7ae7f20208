"""API v1 for areas of activity, measures, applications and police functions."""

from tests.api_cases import APICases

from .cases import APPLICATION, AREA, MEASURE, POLICE_FUNCTION


class TestActivityAreaAPI(APICases):
    case = AREA


class TestMeasureAPI(APICases):
    case = MEASURE


class TestMeasureApplicationAPI(APICases):
    case = APPLICATION


class TestPoliceFunctionAPI(APICases):
    case = POLICE_FUNCTION
