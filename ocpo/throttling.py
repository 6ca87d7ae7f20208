"""Rate limits for anonymous clients, counted atomically in the cache all workers share.

DRF's own throttles read a list of timestamps, append and write it back: two workers
reading at once both pass, so under concurrency the limit leaked by a third. Here each
request is one atomic increment of a counter per client and fixed window (``SET NX EX`` and
``INCR`` in one Redis transaction), so exactly the rate passes in each window.

What is counted is what costs: a request that runs a view. Answers served from the
anonymous page cache (and 304s) never reach a throttle. When the shared cache cannot be
reached the limits fail open (the request is served, and the outage is logged once):
refusing every reader because Redis is down would turn a cache outage into a full one.
"""

import time

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpResponse
from django.utils.html import escape
from rest_framework.throttling import AnonRateThrottle

from .datastate import CACHE_ERRORS, cache_failed, cache_usable


def _increment(key, duration):
    """Add one to the counter ``key`` (created with a ``duration`` expiry); its new value."""
    backend = caches[DEFAULT_CACHE_ALIAS]
    if isinstance(backend, RedisCache):
        full_key = backend.make_and_validate_key(key)
        client = backend._cache.get_client(full_key, write=True)
        pipe = client.pipeline(transaction=True)
        pipe.set(full_key, 0, ex=duration, nx=True)
        pipe.incr(full_key)
        return pipe.execute()[1]
    # Other backends (local memory in development and tests) increment under a lock.
    for _ in range(2):
        backend.add(key, 0, duration)
        try:
            return backend.incr(key)
        except ValueError:  # expired between add and incr: start the window again
            continue
    return 1


def count_hit(key, duration, now=None):
    """Count one hit in the current ``duration``-second window of ``key``.

    Returns ``(count, seconds left in the window)``, or ``(None, 0)`` when the cache is
    unavailable (the caller fails open).
    """
    now = time.time() if now is None else now
    window = int(now // duration)
    if not cache_usable():
        return None, 0
    try:
        count = _increment(f"{key}:{window}", duration + 1)
    except CACHE_ERRORS as error:
        cache_failed(error, "counting a rate limit")
        return None, 0
    return count, (window + 1) * duration - now


class AtomicRateThrottle(AnonRateThrottle):
    """An anonymous rate per client address, counted with one atomic increment."""

    setting = ""

    def get_rate(self):
        """Read the setting on every request, so it follows the environment and overrides."""
        return getattr(settings, self.setting)

    def allow_request(self, request, view):
        self.wait_seconds = None
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        count, left = count_hit(self.key, self.duration)
        if count is None or count <= self.num_requests:
            return True
        self.wait_seconds = left
        return False

    def wait(self):
        return self.wait_seconds


class AnonReadThrottle(AtomicRateThrottle):
    """API requests by anonymous clients, at ``settings.OCPO_API_ANON_RATE`` (None: no limit)."""

    scope = "anon"
    setting = "OCPO_API_ANON_RATE"


class AnonPageThrottle(AtomicRateThrottle):
    """Portal pages rendered for anonymous clients, at ``settings.OCPO_PAGE_ANON_RATE``."""

    scope = "page"
    setting = "OCPO_PAGE_ANON_RATE"


class PageRateLimitMiddleware:
    """Rate-limits anonymous portal pages that reach a view (the API has DRF's throttle).

    Placed after the page cache and the authentication middleware: cached answers are
    free, editors are not limited, and the admin login has its own lockout (axes).
    """

    EXEMPT = ("/api/", "/admin/", "/healthz", "/static/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(self.EXEMPT):
            return self.get_response(request)
        throttle = AnonPageThrottle()
        if throttle.allow_request(request, None):
            return self.get_response(request)
        wait = max(1, round(throttle.wait()))
        response = HttpResponse(
            "<!doctype html><title>Too many requests</title>"
            "<h1>Too many requests</h1>"
            f"<p>This address asked for more pages than ocpo serves in a minute. "
            f"Please try again in {escape(wait)} seconds.</p>",
            status=429,
            content_type="text/html; charset=utf-8",
        )
        response.headers["Retry-After"] = str(wait)
        return response
