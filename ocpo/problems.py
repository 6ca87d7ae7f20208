"""RFC 9457 problem details: the one format of every error the API answers.

Every error under ``/api/`` is ``application/problem+json``::

    {"type": "about:blank", "title": "Bad Request", "status": 400, "code": "invalid",
     "detail": "1 query parameter was refused: contry.",
     "errors": [{"name": "contry", "in": "query", "code": "unknown_parameter",
                 "detail": "Unknown parameter. Accepted: country, ..."}]}

Errors raised in DRF views go through drf-standardized-errors' handler, which
``ocpo/exception_handler.py`` configures. Errors answered outside DRF (an unknown route, a
refused host, CSRF, a crash in a middleware) are rewritten by ``ProblemMiddleware``. This
module imports no app and no DRF view: DRF imports ``ContentNegotiation`` while it
defines ``APIView``.
"""

import json
from http import HTTPStatus

from django.http import Http404, HttpResponse
from rest_framework import exceptions, renderers, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.settings import api_settings

PROBLEM_MEDIA_TYPE = "application/problem+json"
API_PREFIX = "/api/"


class ProblemRenderer(renderers.JSONRenderer):
    """JSON under the problem media type; every error is rendered by it, whatever was asked."""

    media_type = PROBLEM_MEDIA_TYPE
    format = "problem"


class InvalidQuery(exceptions.ValidationError):
    """400 about query parameters (``errors[].in`` is ``query``) even on a write.

    ``accepted`` (optional) lists the parameters the operation takes, for a client to
    correct a typo without reading the documentation.
    """

    def __init__(self, detail, code=None, accepted=None):
        super().__init__(detail, code)
        self.extensions = {"accepted": sorted(accepted)} if accepted else {}


class NotAcceptableFormat(exceptions.NotAcceptable):
    """406 for ``?format=`` naming no format this operation answers in; the formats are named."""

    def __init__(self, given, formats):
        listed = ", ".join(formats)
        super().__init__(f"Unknown format {given!r}: this operation answers in {listed}.")
        self.extensions = {
            "errors": [
                {
                    "name": "format",
                    "in": "query",
                    "code": "unknown_format",
                    "detail": f"Use one of: {listed}.",
                }
            ],
            "accepted": list(formats),
        }


class ContentNegotiation(DefaultContentNegotiation):
    """DRF's negotiation, but ``?format=`` naming no format is a 406 naming the formats.

    DRF answers it with a bare 404, which reads as "no such record".
    """

    def select_renderer(self, request, renderers_, format_suffix=None):
        try:
            return super().select_renderer(request, renderers_, format_suffix)
        except Http404:
            given = format_suffix or request.query_params.get(api_settings.URL_FORMAT_OVERRIDE)
            formats = list(dict.fromkeys(r.format for r in renderers_ if r.format != "api"))
            raise NotAcceptableFormat(given, formats) from None


def problem(status_code, detail, code=None, **extensions):
    """The problem document for ``status_code`` (``type`` is ``about:blank``: see the README)."""
    return {
        "type": "about:blank",
        "title": HTTPStatus(status_code).phrase,
        "status": status_code,
        "code": code or HTTPStatus(status_code).phrase.lower().replace(" ", "_").replace("-", "_"),
        "detail": detail,
        **extensions,
    }


def problem_response(status_code, detail, code=None, headers=None, **extensions):
    """A plain Django response holding a problem: for code outside DRF (middleware, handlers)."""
    body = json.dumps(problem(status_code, detail, code, **extensions), ensure_ascii=False)
    response = HttpResponse(body, status=status_code, content_type=PROBLEM_MEDIA_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _detail_for(request, status_code):
    if status_code == status.HTTP_404_NOT_FOUND:
        return f"Nothing at {request.path}: the API's resources are listed at /api/v1/."
    if status_code == status.HTTP_403_FORBIDDEN:
        return "The request was refused (for a write, send a token: Authorization: Token ...)."
    if status_code == status.HTTP_400_BAD_REQUEST:
        return "The request could not be read."
    if status_code >= 500:
        return "The server failed to answer; the error was logged. Try again later."
    return HTTPStatus(status_code).description


class ProblemMiddleware:
    """Under ``/api/``, any error answer not already a problem document becomes one.

    Catches what no DRF view answered: an unknown route (Django's 404, the debug page in
    development), a refused Host, a CSRF failure, a crash in another middleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not request.path.startswith(API_PREFIX)
            or response.get("Content-Type", "").startswith(PROBLEM_MEDIA_TYPE)
        ):
            return response
        status_code = response.status_code
        # Allow, Retry-After, WWW-Authenticate, the data version...: kept, the body replaced.
        headers = {
            name: value
            for name, value in response.items()
            if name not in ("Content-Type", "Content-Length", "Content-Disposition")
        }
        return problem_response(status_code, _detail_for(request, status_code), headers=headers)
