"""Middleware: the data set's version on every response, and anonymous answers cached."""

import dataclasses
import hashlib
from urllib.parse import parse_qsl

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags

from .datastate import (
    CACHE_ERRORS,
    EVERY_TABLE,
    cache_failed,
    cache_usable,
    reading_tables,
    settled,
    table_apps,
    table_states,
)
from .kb import data_version
from .throttling import AnonPageThrottle, count_hit

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


def cache_params(*names):
    """Declare the query parameters a function view reads, so its answers can be cached.

    Class-based views and API viewsets need no declaration: their FilterSet, paginator and
    filter backends name their parameters. A view that declares nothing is cached only
    when asked without parameters.
    """

    def decorate(view):
        view.cache_params = frozenset(names)
        return view

    return decorate


def known_params(match):
    """The query parameters the view behind ``match`` (a ResolverMatch) understands."""
    if match is None:
        return frozenset()
    func = match.func
    declared = getattr(func, "cache_params", None)
    if declared is not None:
        return declared
    view = getattr(func, "cls", None) or getattr(func, "view_class", None)
    if view is None:
        return frozenset()
    names = set()
    filterset_class = getattr(view, "filterset_class", None)
    if filterset_class is not None:
        names.update(filterset_class.base_filters)
    if hasattr(func, "cls"):  # Django REST framework
        names.add("format")
        paginator = getattr(view, "pagination_class", None)
        for attr in ("limit_query_param", "offset_query_param", "page_query_param"):
            if paginator is not None and getattr(paginator, attr, None):
                names.add(getattr(paginator, attr))
        for backend in getattr(view, "filter_backends", ()):
            for attr in ("search_param", "ordering_param", "facets_param"):
                if getattr(backend, attr, None):
                    names.add(getattr(backend, attr))
    elif getattr(view, "paginate_by", None):
        names.add(getattr(view, "page_kwarg", "page"))
    return frozenset(names)


class AnonymousCacheMiddleware:
    """Anonymous GETs: cached answers, kept until a table they were made from changes.

    Every anonymous visitor sees the same page for the same URL, so a successful answer is
    kept in the shared cache under (scheme and host, path, parameters in a normalised
    order, Accept), with the tables its queries read and those tables' tokens taken before
    it was made (``ocpo.datastate``). It is served again, and a client that sends back its
    ETag gets 304, without the view running, while those tokens stand: a write elsewhere
    (an editor adding a question) leaves it be. Logged-in users, the admin, streamed
    answers and answers that set cookies pass through.

    The host is checked against ALLOWED_HOSTS before anything is looked up, and is part of
    the key, since pages hold absolute links. What one client can put in the cache is
    bounded: only canonical URLs (parameters the view knows), answers of at most
    ``OCPO_CACHE_MAX_BYTES``, and at most ``OCPO_CACHE_FILL_RATE`` new entries per client.
    When the cache is down, answers are served without it.
    """

    TIMEOUT = 60 * 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not self.applies(request):
            return self.get_response(request)
        host = request.get_host()  # raises DisallowedHost (400) for a host not allowed
        if not cache_usable():  # the shared cache is unavailable: serve without it
            return self.get_response(request)
        key = self.key(request, host)
        wanted = parse_etags(request.headers.get("If-None-Match", ""))
        response = self.cache_get(key)
        if response is None:
            # Every table's token before any query: a write committed while the answer is
            # made leaves it stored under the old token, stale at once.
            before = table_states(table_apps())
            if before is None:
                return self.get_response(request)
            with reading_tables() as read:
                response = self.get_response(request)
            if not self.storable(response):
                return response
            states = {table: before[table] for table in (EVERY_TABLE, *read)}
            etag = f'W/"{self.digest(key, sorted(states.items()))[:24]}"'
            # A view's own ETag (an API record's version, for If-Match) is kept; else ours.
            response.headers.setdefault("ETag", etag)
            patch_vary_headers(response, ["Accept"])
            if settled(states.values(), read) and self.worth_keeping(request, response):
                self.cache_set(key, states, response)
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
    def key(request, host):
        query = sorted(parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True))
        parts = (
            data_version(),
            request.scheme,
            host.lower(),
            request.path,
            repr(query),
            request.headers.get("Accept", ""),
        )
        return AnonymousCacheMiddleware.digest(*parts)

    @staticmethod
    def digest(*parts):
        return hashlib.sha256(repr(parts).encode()).hexdigest()

    @staticmethod
    def storable(response):
        return response.status_code == 200 and not response.streaming and not response.cookies

    @staticmethod
    def worth_keeping(request, response):
        """Canonical URL, a modest answer, and the client's budget of new entries not spent."""
        query = request.META.get("QUERY_STRING", "")
        given = {name for name, _ in parse_qsl(query, keep_blank_values=True)}
        if not given <= known_params(getattr(request, "resolver_match", None)):
            return False
        if len(response.content) > settings.OCPO_CACHE_MAX_BYTES:
            return False
        rate = settings.OCPO_CACHE_FILL_RATE
        if rate is None:
            return True
        throttle = AnonPageThrottle()
        limit, duration = throttle.parse_rate(rate)
        count, _ = count_hit(f"ocpo:fill:{throttle.get_ident(request)}", duration)
        return count is not None and count <= limit

    @staticmethod
    def cache_get(key):
        """The answer kept under ``key``, if the tables it was made from have not changed."""
        try:
            entry = cache.get(f"ocpo:page:{key}")
        except CACHE_ERRORS as error:
            cache_failed(error, "reading a cached page")
            return None
        if not isinstance(entry, CachedAnswer):  # nothing, or an entry of an older layout
            return None
        if table_states(entry.states) != entry.states:
            return None
        response = HttpResponse(entry.content, status=entry.status)
        for name, value in entry.headers:
            response.headers[name] = value
        return response

    def cache_set(self, key, states, response):
        """Keep what was sent (status, headers, bytes), never the response object.

        Pickling a DRF response also pickled its ``data`` (the answer twice over), and
        pickling it while other threads served requests could fail ("dictionary changed
        size during iteration"), turning a good answer into a 500.
        """
        entry = CachedAnswer(states, response.status_code, list(response.items()), response.content)
        try:
            cache.set(f"ocpo:page:{key}", entry, self.TIMEOUT)
        except CACHE_ERRORS as error:  # full (noeviction) or down: the answer still goes out
            cache_failed(error, "storing a page")


@dataclasses.dataclass(frozen=True)
class CachedAnswer:
    """An answer as sent, with the tables it was made from and their tokens then."""

    states: dict
    status: int
    headers: list
    content: bytes
