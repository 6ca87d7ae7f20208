"""The data state: a token that changes whenever any knowledge-base record changes.

ETags and cached pages are keyed on it, so a write anywhere makes every cached answer
stale at once. It lives in the shared cache (Redis in production), bumped by model
signals and by the commands that write in bulk. A missing token (a flushed cache) is
replaced by a fresh random one, so an answer is never served from before a change.
"""

import uuid

from django.core.cache import cache

from .kb import KB_APPS

STATE_KEY = "ocpo:data-state"


def data_state():
    state = cache.get(STATE_KEY)
    if state is None:
        state = uuid.uuid4().hex[:12]
        if not cache.add(STATE_KEY, state, timeout=None):
            state = cache.get(STATE_KEY, state)
    return state


def bump_data_state():
    cache.set(STATE_KEY, uuid.uuid4().hex[:12], timeout=None)


def bump_on_change(sender, **kwargs):
    """Signal receiver for saves, deletes and link changes of knowledge-base models."""
    if sender._meta.app_label in KB_APPS:
        bump_data_state()
