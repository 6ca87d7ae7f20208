"""Health checks for load balancers and orchestrators, and answers during an outage.

``/healthz/live`` says the process answers (restart it if not); ``/healthz/ready`` (and
``/healthz``) checks each dependency and says whether to send traffic here; with a read
replica configured, also its state and lag in seconds. The database
is required: without it nothing can be read, so ready answers 503. The cache is not: pages
are served without it (slower), so a cache outage reports ``degraded`` with a 200 rather
than taking every instance out of the pool at once. Neither is ever cached or redirected
to HTTPS (a probe speaks plain HTTP to the app server).

When the database is unreachable, every request answers 503 with ``Retry-After``: API
clients an RFC 9457 problem in JSON, readers a page saying so, never a 500.
"""

import sys

from django.core.cache import cache
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.defaults import server_error as default_server_error
from rest_framework.exceptions import APIException

from .datastate import CACHE_ERRORS, STATE_KEY
from .kb import data_version
from .problems import API_PREFIX, problem_response
from .replicas import replica_health

RETRY_AFTER_SECONDS = 30
UNAVAILABLE = "The database is unavailable; try again shortly."


class DatabaseUnavailable(APIException):
    """What the API's exception handler answers for a lost database connection."""

    status_code = 503
    default_detail = UNAVAILABLE
    default_code = "database_unavailable"
    wait = RETRY_AFTER_SECONDS


def check_database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return "unavailable"
    return "ok"


def check_cache():
    """Ask the shared cache itself (not the circuit breaker): a probe must see recovery."""
    try:
        cache.get(STATE_KEY)
    except CACHE_ERRORS:
        return "unavailable"
    return "ok"


@never_cache
@require_safe
def live(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def ready(request):
    checks = {"database": check_database(), "cache": check_cache()}
    replica = replica_health()  # reads fall back to the primary: degraded, not down
    if replica is not None:
        checks["replica"] = replica
    if checks["database"] != "ok":
        status, code = "unavailable", 503
    elif checks["cache"] != "ok" or (replica and replica["status"] != "ok"):
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    return JsonResponse({"status": status, **checks, "data_version": data_version()}, status=code)


def database_unavailable(request):
    """503 with Retry-After: a problem document for the API, a short page for readers."""
    if request.path.startswith(API_PREFIX):
        response = problem_response(503, UNAVAILABLE, "database_unavailable")
    else:
        template = loader.get_template("503.html")
        response = HttpResponse(template.render(), status=503)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request, *args, **kwargs):
    """handler500: a lost database connection is an outage (503), anything else a 500."""
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        return database_unavailable(request)
    return default_server_error(request, *args, **kwargs)
