"""Requests refused before any view runs, because no view could answer them faithfully.

- A NUL character in the path or the query: PostgreSQL refuses NUL in text, so a lookup
  with one fails in the database (a 500 for everyone who sends it). No record can hold
  one, so a path with NUL is a 404 and a query parameter with NUL a 400 naming it.
- A chunked request body (``Transfer-Encoding: chunked``): Django reads ``Content-Length``
  bytes of a body, so a chunked one would be silently taken as empty (a PATCH answering 200
  and changing nothing). It is refused with 411 Length Required instead.
"""

from django.http import Http404, HttpResponse

from .problems import API_PREFIX, problem_response


def _refuse(request, status_code, detail, code, errors=()):
    if request.path.startswith(API_PREFIX):
        extensions = {"errors": list(errors)} if errors else {}
        return problem_response(status_code, detail, code, **extensions)
    return HttpResponse(detail, status=status_code, content_type="text/plain; charset=utf-8")


class RequestGuardMiddleware:
    """Refuses NUL characters in the URL (404/400) and chunked bodies (411)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path:
            raise Http404("No page has a NUL character in its address.")
        refused = sorted(
            {
                name
                for name, values in request.GET.lists()
                if "\x00" in name or any("\x00" in value for value in values)
            }
        )
        if refused:
            names = ", ".join(name.replace("\x00", "\\x00") for name in refused)
            errors = [
                {
                    "name": name,
                    "in": "query",
                    "code": "null_character",
                    "detail": "A NUL character (%00) cannot be part of any value.",
                }
                for name in refused
            ]
            return _refuse(
                request, 400, f"Query parameters with a NUL character: {names}.", "invalid", errors
            )
        if "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
            return _refuse(
                request,
                411,
                "Chunked request bodies are not read: send the body with a Content-Length.",
                "length_required",
            )
        return self.get_response(request)
