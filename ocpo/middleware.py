"""Middleware: the data set's version on every response, and anonymous answers cached."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags

from .datastate import data_state
from .kb import data_version

# Never cached: pages for editors, and the health check (it must ask the database).
EXCLUDED_PATHS = ("/admin/", "/healthz")

DATA_VERSION_HEADER = "X-OCPO-Data-Version"


class DataVersionMiddleware:
    """Adds ``X-OCPO-Data-Version`` so a researcher can cite what they read or downloaded."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault(DATA_VERSION_HEADER, data_version())
        return response


class AnonymousCacheMiddleware:
    """Anonymous GETs: an ETag from the data state, 304 before any work, cached answers.

    Every anonymous visitor sees the same page for the same URL, so a successful answer is
    kept in the shared cache under (data state, URL, Accept) and served again until any
    record changes. A client that sends back the ETag gets 304 without the view running.
    Logged-in users, the admin, streamed answers and answers that set cookies pass through.
    """

    TIMEOUT = 60 * 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not self.applies(request):
            return self.get_response(request)
        key = self.key(request)
        wanted = parse_etags(request.headers.get("If-None-Match", ""))
        etag = f'W/"{key[:24]}"'
        if etag in wanted:
            return self.not_modified(etag)
        response = cache.get(f"ocpo:page:{key}")
        if response is None:
            response = self.get_response(request)
            if not self.storable(response):
                return response
            # A view's own ETag (an API record's version, for If-Match) is kept; else ours.
            response.headers.setdefault("ETag", etag)
            patch_vary_headers(response, ["Accept"])
            cache.set(f"ocpo:page:{key}", response, self.TIMEOUT)
        if response.headers["ETag"] in wanted:
            return self.not_modified(response.headers["ETag"])
        return response

    @staticmethod
    def not_modified(etag):
        response = HttpResponseNotModified()
        response.headers["ETag"] = etag
        return response

    @staticmethod
    def applies(request):
        return (
            settings.OCPO_ANONYMOUS_CACHE
            and request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and "Authorization" not in request.headers
            and not request.path.startswith(EXCLUDED_PATHS)
        )

    @staticmethod
    def key(request):
        parts = (
            data_state(),
            data_version(),
            request.get_full_path(),
            request.headers.get("Accept", ""),
        )
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()

    @staticmethod
    def storable(response):
        return response.status_code == 200 and not response.streaming and not response.cookies
