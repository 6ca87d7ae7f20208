"""The revision history's wiring: one revision per write request, kept only if it succeeds.

django-reversion's own middleware commits the revision (and the request's writes) whatever
the response, so a request that saved and then failed with a 500 left a version of a change
that never happened; reverting to it would apply that change. Here a server error rolls
back the request's writes and its revision together.
"""

from reversion.revisions import create_revision
from reversion.views import _request_creates_revision, _set_user_from_request


class _ServerError(Exception):
    """Carries a failed response out of the revision's atomic block, rolling it back."""

    def __init__(self, response):
        super().__init__(response.status_code)
        self.response = response


class RevisionMiddleware:
    """Wraps every write request (not GET, HEAD, OPTIONS) in one atomic revision.

    Only server errors roll back: a 4xx answer is a refusal made before anything is saved
    (validation, permissions, If-Match), and some refusals must keep their own writes
    (a login lockout records the failed attempt).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _request_creates_revision(request):
            return self.get_response(request)
        try:
            with create_revision(atomic=True):
                response = self.get_response(request)
                if response.status_code >= 500:
                    raise _ServerError(response)
                _set_user_from_request(request)
                return response
        except _ServerError as failed:
            return failed.response
