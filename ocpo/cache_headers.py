"""What proxies and CDNs in front of ocpo may keep (``Cache-Control``).

Anonymous reads are public for ``OCPO_PUBLIC_MAX_AGE`` seconds (30 by default), then
revalidated with their ETag (a cheap 304). Answers for a logged-in editor or an API token,
writes, and answers that set a cookie are ``private, no-store``. A view that sets its own
``Cache-Control`` (the admin, /healthz) keeps it. A CDN in front should also bypass its
cache for requests carrying a session cookie or an ``Authorization`` header.
"""

from django.conf import settings
from django.utils.cache import patch_cache_control


def is_anonymous_read(request):
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "Authorization" not in request.headers
    )


class CacheControlMiddleware:
    """Public and short-lived for anonymous readers; private and never stored otherwise."""

    PUBLIC_STATUSES = (200, 203, 204, 300, 301, 304, 404, 410)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.has_header("Cache-Control"):
            return response
        if (
            is_anonymous_read(request)
            and response.status_code in self.PUBLIC_STATUSES
            and not response.cookies
        ):
            patch_cache_control(response, public=True, max_age=settings.OCPO_PUBLIC_MAX_AGE)
        else:
            patch_cache_control(response, private=True, no_store=True)
        return response
