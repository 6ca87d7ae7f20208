"""Middleware: every response, page or API, names the data set's version."""

from .kb import data_version

DATA_VERSION_HEADER = "X-OCPO-Data-Version"


class DataVersionMiddleware:
    """Adds ``X-OCPO-Data-Version`` so a researcher can cite what they read or downloaded."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault(DATA_VERSION_HEADER, data_version())
        return response
