"""API v1 for sources."""

from tests.api_cases import APICases

from .cases import SOURCE


class TestSourceAPI(APICases):
    case = SOURCE
