"""API v1 for countries, documents and missions: the generic cases, then what is theirs."""

from tests.api_cases import APICases

from .cases import COUNTRY, DOCUMENT, MISSION


class TestCountryAPI(APICases):
    case = COUNTRY


class TestDocumentAPI(APICases):
    case = DOCUMENT


class TestMissionAPI(APICases):
    case = MISSION
