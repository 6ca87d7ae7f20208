"""Reads from a PostgreSQL streaming replica, writes to the primary, and never a stale read
for the editor who just wrote.

Active only when ``OCPO_REPLICA_URL`` configures the ``replica`` database. The router sends
a read to the replica unless:
- the request is pinned to the primary: it is a write, or its client (session or API
  token) wrote within ``OCPO_READ_YOUR_WRITES_SECONDS`` (read-your-writes);
- a transaction is open on the primary (reads inside a write see the write);
- the replica is down or lags more than ``OCPO_REPLICA_MAX_LAG`` seconds (checked at most
  once a second per process); and if it fails in the middle of a safe request, the
  request is answered again from the primary.
"""

import contextvars
import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)

REPLICA = "replica"
PRIMARY = "default"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

_pinned = contextvars.ContextVar("ocpo_pinned_to_primary", default=False)

LAG_SQL = (
    "SELECT CASE WHEN NOT pg_is_in_recovery() THEN 0 "
    "WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
    "ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END"
)


def replica_configured():
    return REPLICA in settings.DATABASES


class ReplicaState:
    """The replica's health as this process last saw it: probed at most once a second."""

    PROBE_INTERVAL = 1.0

    def __init__(self):
        self.checked_at = float("-inf")
        self.usable = True
        self.lag = None
        self.error = ""

    def probe(self):
        try:
            with connections[REPLICA].cursor() as cursor:
                cursor.execute(LAG_SQL)
                self.lag = float(cursor.fetchone()[0])
            self.error = ""
            self.usable = self.lag <= settings.OCPO_REPLICA_MAX_LAG
        except DatabaseError as error:
            self.lag, self.error, self.usable = None, str(error).strip(), False
            connections[REPLICA].close()
        self.checked_at = time.monotonic()
        return self

    def current(self):
        if time.monotonic() - self.checked_at >= self.PROBE_INTERVAL:
            self.probe()
        return self

    def mark_down(self, error):
        self.usable, self.error, self.checked_at = False, str(error).strip(), time.monotonic()


replica_state = ReplicaState()


class PrimaryReplicaRouter:
    """Writes to the primary; reads to the replica when that is safe (see the module)."""

    def db_for_read(self, model, **hints):
        if not replica_configured() or _pinned.get():
            return PRIMARY
        if connections[PRIMARY].in_atomic_block:
            return PRIMARY
        return REPLICA if replica_state.current().usable else PRIMARY

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same data on both servers

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY


def client_key(request):
    """Who wrote: the API token or the session, never the (shared) client address."""
    credential = request.headers.get("Authorization") or request.COOKIES.get(
        settings.SESSION_COOKIE_NAME, ""
    )
    if not credential:
        return None
    return "ocpo:wrote:" + hashlib.sha256(credential.encode()).hexdigest()[:32]


class ReadYourWritesMiddleware:
    """Pins writes, and a writer's reads for a bounded time after, to the primary."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_configured():
            return self.get_response(request)
        key = client_key(request)
        writing = request.method not in SAFE_METHODS
        pin = writing or (key is not None and self.recently_wrote(key))
        token = _pinned.set(pin)
        try:
            response = self.get_response(request)
        finally:
            _pinned.reset(token)
        if writing and key is not None and response.status_code < 500:
            self.remember_write(key)
        return response

    def recently_wrote(self, key):
        try:
            return cache.get(key) is not None
        except Exception:  # the cache is down: the primary is always a correct answer
            logger.warning("cache unavailable: reading from the primary", exc_info=True)
            return True

    def remember_write(self, key):
        try:
            cache.set(key, 1, timeout=settings.OCPO_READ_YOUR_WRITES_SECONDS)
        except Exception:
            logger.warning("cache unavailable: cannot remember a write", exc_info=True)

    def process_exception(self, request, exception):
        """A safe request that failed on the replica is answered again from the primary."""
        if request.method not in SAFE_METHODS or getattr(request, "_ocpo_retried", False):
            return None
        if not isinstance(exception, DatabaseError) or not replica_configured():
            return None
        if not connections[REPLICA].errors_occurred:
            return None
        logger.warning("replica failed (%s): answering from the primary", exception)
        replica_state.mark_down(exception)
        connections[REPLICA].close()
        request._ocpo_retried = True
        token = _pinned.set(True)
        try:
            return self.get_response(request)
        finally:
            _pinned.reset(token)


def replica_health():
    """For /healthz: the replica's state and lag, probed now."""
    if not replica_configured():
        return None
    state = replica_state.probe()
    return {
        "status": "ok" if state.usable else "degraded",
        "lag_seconds": None if state.lag is None else round(state.lag, 3),
        "max_lag_seconds": settings.OCPO_REPLICA_MAX_LAG,
        "reads_from": REPLICA if state.usable else PRIMARY,
        **({"error": state.error} if state.error else {}),
    }
