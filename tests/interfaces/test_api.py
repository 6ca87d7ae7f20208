"""API v1 for interfaces, findings, illicit activities and questions."""

from tests.api_cases import APICases

from .cases import ACTIVITY, FINDING, INTERFACE, QUESTION


class TestInterfaceAPI(APICases):
    case = INTERFACE


class TestFindingAPI(APICases):
    case = FINDING


class TestIllicitActivityAPI(APICases):
    case = ACTIVITY


class TestQuestionAPI(APICases):
    case = QUESTION
