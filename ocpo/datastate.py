"""The data state: tokens that change whenever the data a cached answer was made from does.

Two kinds, both in the shared cache (Redis in production):
- one token per database table, moved after any write to that table commits. The
  anonymous page cache keeps, with each answer, the tables its queries read and their
  tokens at the time; the answer is served again while those tokens stand. So an editor
  adding a question empties the pages that show questions, not every page;
- the whole knowledge base's token (``data_state``), moved by any write to a knowledge-base
  table: the memos of counts over the whole base (``memoized``) are kept under it.
An epoch token stands behind both: a bulk change (``bump_data_state``) or a bump lost to a
cache outage moves it, and every cached answer goes stale at once.

Writes are seen where they happen, in the SQL each database connection runs (an execute
wrapper installed on every connection), so a write no signal reports (``bulk_create``,
``QuerySet.update``, raw SQL, link tables) moves its tables too. A token moves after the
writing transaction commits: moved before, a reader between the move and the commit would
cache the old data under the new token, and serve it until the next write. A reader takes
the tokens before it runs its queries, for the same reason. A missing token (a flushed
cache) is replaced by a fresh random one, so an answer is never served from before a
change. When the cache cannot be reached, callers get ``None`` (cache nothing) and a move
that could not be made becomes an epoch move as soon as the cache answers again.
"""

import contextlib
import contextvars
import dataclasses
import functools
import logging
import re
import time
import uuid

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, transaction
from redis.exceptions import RedisError

from .kb import KB_APPS
from .replicas import ReplicaState

STATE_KEY = "ocpo:data-state"
TABLE_KEY = "ocpo:data-state:table:"
# The epoch: the token of every table at once.
EVERY_TABLE = "*"
# What a shared cache that is down, full or unreachable raises.
CACHE_ERRORS = (RedisError, OSError)
# After a failure, the cache is left alone this long: a dead Redis costs no time per request.
RETRY_AFTER_SECONDS = 5.0
# The statements that change a table (Django's SQL, and ours, start with the verb).
WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "TRUNCATE", "REPLACE")

logger = logging.getLogger("ocpo.cache")
# The tables read by the queries of the answer (or memo) being made, when one is.
_tables_read = contextvars.ContextVar("ocpo_tables_read", default=None)


class _CacheHealth:
    """Per process: whether the shared cache is usable, and whether a bump is owed."""

    down_until = 0.0
    bump_owed = False
    failing = False


def cache_usable():
    return time.monotonic() >= _CacheHealth.down_until


def cache_failed(error, doing):
    """Record a cache failure: log it once per outage, skip the cache for a few seconds."""
    if not _CacheHealth.failing:
        _CacheHealth.failing = True
        logger.warning("shared cache unavailable while %s (%s); serving without it", doing, error)
    _CacheHealth.down_until = time.monotonic() + RETRY_AFTER_SECONDS
    # A write by another worker may have failed to bump meanwhile: bump on recovery.
    _CacheHealth.bump_owed = True


def _recovered():
    """Make a bump owed since an outage; say the cache is back. Raises CACHE_ERRORS."""
    if _CacheHealth.bump_owed:
        _set_new_state()
        _CacheHealth.bump_owed = False
    if _CacheHealth.failing:
        _CacheHealth.failing = False
        logger.warning("shared cache available again")


def _token():
    """A new token; it begins with the time it was made (see ``settled``)."""
    return f"{time.time():.3f}:{uuid.uuid4().hex[:8]}"


def settled(tokens, reads):
    """Whether an answer made from ``reads`` may be kept under ``tokens``.

    A replica applies the primary's writes up to ``OCPO_REPLICA_MAX_LAG`` seconds late
    (checked about once a second): read from it within that long after a table's token
    moved, the answer may show the rows from before the write. It is served, not kept.
    """
    if not reads.from_replica:
        return True
    window = settings.OCPO_REPLICA_MAX_LAG + ReplicaState.PROBE_INTERVAL
    now = time.time()
    for token in tokens:
        made, _, _ = str(token).partition(":")
        try:
            if now - float(made) < window:
                return False
        except ValueError:  # a token of an older layout: its age is unknown
            return False
    return True


class TablesRead(set):
    """The tables an answer's queries read, and whether any query went to a replica."""

    from_replica = False


def _tokens(keys):
    """The tokens under ``keys``, a fresh one set for each that is missing."""
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            cache.add(key, _token(), timeout=None)
            found[key] = cache.get(key) or _token()
    return found


def data_state():
    """The knowledge base's token, or None when the shared cache cannot be used."""
    if not cache_usable():
        return None
    try:
        _recovered()
        return _tokens([STATE_KEY])[STATE_KEY]
    except CACHE_ERRORS as error:
        cache_failed(error, "reading the data state")
        return None


def table_states(tables):
    """``{table: token}`` for ``tables`` and ``EVERY_TABLE`` (the epoch), or None when the
    shared cache cannot be used."""
    if not cache_usable():
        return None
    names = {EVERY_TABLE, *tables}
    try:
        _recovered()
        found = _tokens([TABLE_KEY + name for name in names])
    except CACHE_ERRORS as error:
        cache_failed(error, "reading the data state")
        return None
    return {name: found[TABLE_KEY + name] for name in names}


def _set_new_state():
    cache.set_many({STATE_KEY: _token(), TABLE_KEY + EVERY_TABLE: _token()}, timeout=None)


def bump_data_state():
    """Everything stale now; for bulk writes a caller wants seen at once, after they commit."""
    try:
        _set_new_state()
    except CACHE_ERRORS as error:
        cache_failed(error, "bumping the data state")


def bump_tables(tables):
    """New tokens for ``tables``, and the knowledge base's when one of them is its."""
    tokens = {TABLE_KEY + table: _token() for table in tables}
    if any(table_apps().get(table) in KB_APPS for table in tables):
        tokens[STATE_KEY] = _token()
    try:
        cache.set_many(tokens, timeout=None)
    except CACHE_ERRORS as error:
        cache_failed(error, "bumping the data state")


@functools.cache
def table_apps():
    """Every model's table (links included), with its app's label."""
    return {
        model._meta.db_table: model._meta.app_label
        for model in apps.get_models(include_auto_created=True)
    }


@functools.cache
def _table_names():
    """A pattern finding the tables a statement names; SQLite's ``<table>_fts`` search
    tables, fed by triggers on ``<table>``, count as ``<table>``."""
    names = sorted(table_apps(), key=len, reverse=True)
    return re.compile(rf"\b({'|'.join(map(re.escape, names))})(?:_fts)?\b")


def tables_in(sql):
    return set(_table_names().findall(sql))


def track_tables(execute, sql, params, many, context):
    """An execute wrapper on every connection: writes move their tables' tokens once they
    commit; reads are noted while an answer is being made (``reading_tables``)."""
    result = execute(sql, params, many, context)
    if sql.lstrip()[:8].upper().startswith(WRITE_VERBS):
        written = tables_in(sql)
        if written:
            transaction.on_commit(
                functools.partial(bump_tables, written), using=context["connection"].alias
            )
    else:
        reading = _tables_read.get()
        if reading is not None:
            reading.update(tables_in(sql))
            if context["connection"].alias != DEFAULT_DB_ALIAS:
                reading.from_replica = True
    return result


def install_tracking(sender, connection, **kwargs):
    """``connection_created`` receiver: every connection, on every database, is tracked."""
    if track_tables not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, track_tables)


@contextlib.contextmanager
def reading_tables():
    """Collect the tables the queries inside read (and those of memos served inside)."""
    outer = _tables_read.get()
    tables = TablesRead()
    reset = _tables_read.set(tables)
    try:
        yield tables
    finally:
        _tables_read.reset(reset)
        if outer is not None:
            outer.update(tables)
            outer.from_replica |= tables.from_replica


def memoized(name, compute, timeout=60 * 60):
    """``compute()``, kept in the shared cache under the data state until any record changes.

    For the counts over the whole knowledge base (the matrix, the home page's figures):
    they change only when a record does, yet computing them reads every link (about 2 s at
    factor 1000). Unlike the anonymous page cache this serves every visitor and every
    variant of a page. The tables ``compute`` read are kept with the value, and count as
    read by the answer a memo is served to. ``OCPO_AGGREGATE_CACHE=false`` computes on
    every call.
    """
    state = data_state() if settings.OCPO_AGGREGATE_CACHE else None
    if state is None:
        return compute()
    # "v2": a memo is a ``Memo`` since the tables came with it; servers of the last
    # release, sharing the cache during a deploy, must not read one as their value.
    key = f"ocpo:memo:v2:{state}:{name}"
    try:
        entry = cache.get(key)
    except CACHE_ERRORS as error:
        cache_failed(error, "reading a memo")
        return compute()
    if isinstance(entry, Memo):
        reading = _tables_read.get()
        if reading is not None:
            reading.update(entry.tables)
        return entry.value
    with reading_tables() as tables:
        value = compute()
    if not settled([state], tables):
        return value
    try:
        cache.set(key, Memo(value, frozenset(tables)), timeout)
    except CACHE_ERRORS as error:
        cache_failed(error, "keeping a memo")
    return value


@dataclasses.dataclass(frozen=True)
class Memo:
    """A memoized value and the tables it was computed from."""

    value: object
    tables: frozenset
