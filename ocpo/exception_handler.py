"""DRF's exception handler (``EXCEPTION_HANDLER``): drf-standardized-errors, giving problems.

drf-standardized-errors converts Django's exceptions and unhandled ones, reports 500s to
Django's logging and signals as Django would, and flattens nested field errors into dotted
names; ``ProblemFormatter`` turns its flat list into an RFC 9457 document
(``ocpo.problems``). Kept apart from ``ocpo.problems``: it imports DRF's views.
"""

from django.db import InterfaceError, OperationalError
from drf_standardized_errors.formatter import ExceptionFormatter
from drf_standardized_errors.handler import ExceptionHandler
from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS
from rest_framework.settings import api_settings

from .health import DatabaseUnavailable
from .problems import PROBLEM_MEDIA_TYPE, InvalidQuery, ProblemRenderer, problem


class ProblemFormatter(ExceptionFormatter):
    """drf-standardized-errors' flat error list, as an RFC 9457 problem document."""

    def format_error_response(self, error_response):
        exc = self.exc
        extensions = dict(getattr(exc, "extensions", {}))
        if isinstance(exc, exceptions.ValidationError):
            where = self.location()
            errors = [self.param(error, where) for error in error_response.errors]
            names = sorted({e["name"] for e in errors if e.get("name")})
            noun = "query parameter" if where == "query" else "field"
            detail = (
                f"{len(names)} {noun}{'s' if len(names) != 1 else ''} "
                f"{'was' if len(names) == 1 else 'were'} refused: {', '.join(names)}."
                if names
                else "The request was refused: see errors."
            )
            extensions["errors"] = errors
            return problem(exc.status_code, detail, "invalid", **extensions)
        detail = exc.detail
        if isinstance(detail, dict):  # e.g. 409 {"detail": ..., "blocking": [...]}
            extensions = {k: v for k, v in detail.items() if k != "detail"} | extensions
            detail = detail.get("detail", "")
        code = exc.get_codes()
        code = code.get("detail") if isinstance(code, dict) else code
        return problem(exc.status_code, str(detail), str(code) if code else None, **extensions)

    def location(self):
        """Where the refused values were: the query on a read, the body on a write."""
        request = self.context.get("request")
        if isinstance(self.exc, InvalidQuery) or request is None:
            return "query"
        return "query" if request.method in SAFE_METHODS else "body"

    @staticmethod
    def param(error, where):
        """One refused value: its name (dotted inside the body), code and message."""
        item = {"name": error.attr, "in": where, "code": error.code, "detail": error.detail}
        if where == "body":
            nested = (error.attr or "").replace(".", "/")
            item["pointer"] = "#/" + ("" if nested == api_settings.NON_FIELD_ERRORS_KEY else nested)
        return item


class ProblemHandler(ExceptionHandler):
    """drf-standardized-errors' handler, answering in ``application/problem+json``."""

    def convert_known_exceptions(self, exc):
        # A lost database connection is an outage: 503 with Retry-After, not a 500.
        if isinstance(exc, OperationalError | InterfaceError):
            return DatabaseUnavailable()
        return super().convert_known_exceptions(exc)

    def get_response(self, exc, data):
        response = super().get_response(exc, data)
        request = self.context.get("request")
        if request is not None:
            # Whatever was negotiated (CSV, the browsable API, nothing): a problem document.
            request.accepted_renderer = ProblemRenderer()
            request.accepted_media_type = PROBLEM_MEDIA_TYPE
        return response
