"""The data state: a token that changes whenever any knowledge-base record changes.

ETags and cached pages are keyed on it, so a write anywhere makes every cached answer
stale at once. It lives in the shared cache (Redis in production), bumped by model
signals and by the commands that write in bulk. A missing token (a flushed cache) is
replaced by a fresh random one, so an answer is never served from before a change.

The bump happens after the writing transaction commits: bumped before, a reader between
the bump and the commit would cache the old data under the new token, and serve it until
the next write. When the cache cannot be reached, callers get ``None`` (cache nothing)
and a bump that could not be made is made as soon as the cache answers again.
"""

import logging
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from redis.exceptions import RedisError

from .kb import KB_APPS

STATE_KEY = "ocpo:data-state"
# What a shared cache that is down, full or unreachable raises.
CACHE_ERRORS = (RedisError, OSError)
# After a failure, the cache is left alone this long: a dead Redis costs no time per request.
RETRY_AFTER_SECONDS = 5.0

logger = logging.getLogger("ocpo.cache")


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


def data_state():
    """The current token, or None when the shared cache cannot be used (cache nothing)."""
    if not cache_usable():
        return None
    try:
        if _CacheHealth.bump_owed:
            _set_new_state()
            _CacheHealth.bump_owed = False
        state = cache.get(STATE_KEY)
        if state is None:
            state = uuid.uuid4().hex[:12]
            if not cache.add(STATE_KEY, state, timeout=None):
                state = cache.get(STATE_KEY, state)
    except CACHE_ERRORS as error:
        cache_failed(error, "reading the data state")
        return None
    if _CacheHealth.failing:
        _CacheHealth.failing = False
        logger.warning("shared cache available again")
    return state


def _set_new_state():
    cache.set(STATE_KEY, uuid.uuid4().hex[:12], timeout=None)


def bump_data_state():
    """A new token now; for bulk writes outside signals, after their transaction commits."""
    try:
        _set_new_state()
    except CACHE_ERRORS as error:
        cache_failed(error, "bumping the data state")


def bump_on_change(sender, **kwargs):
    """Signal receiver for saves, deletes and link changes of knowledge-base models.

    The token changes once the transaction commits (at once outside a transaction), and
    not at all if it rolls back. For link changes only the ``post_*`` actions count.
    """
    action = kwargs.get("action")
    if action is not None and not action.startswith("post_"):
        return
    if sender._meta.app_label in KB_APPS:
        transaction.on_commit(bump_data_state, using=kwargs.get("using"))


def memoized(name, compute, timeout=60 * 60):
    """``compute()``, kept in the shared cache under the data state until any record changes.

    For the counts over the whole knowledge base (the matrix, the home page's figures):
    they change only when a record does, yet computing them reads every link (about 2 s at
    factor 1000). Unlike the anonymous page cache this serves every visitor and every
    variant of a page. ``OCPO_AGGREGATE_CACHE=false`` computes on every call.
    """
    state = data_state() if settings.OCPO_AGGREGATE_CACHE else None
    if state is None:
        return compute()
    key = f"ocpo:memo:{state}:{name}"
    try:
        value = cache.get(key)
    except CACHE_ERRORS as error:
        cache_failed(error, "reading a memo")
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(key, value, timeout)
        except CACHE_ERRORS as error:
            cache_failed(error, "keeping a memo")
    return value
