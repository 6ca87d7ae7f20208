"""The data state's bookkeeping when the shared cache fails: what it logs, how long it
leaves the cache alone, and the bump it owes (found by mutation testing, ocpo/datastate.py)."""

import logging

import pytest
from redis.exceptions import RedisError

from ocpo import datastate


class BrokenCache:
    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise RedisError("connection refused")

        return fail


@pytest.fixture
def health(monkeypatch):
    """A fresh per-process health record and a clock the test moves."""
    for name, value in (("down_until", 0.0), ("bump_owed", False), ("failing", False)):
        monkeypatch.setattr(datastate._CacheHealth, name, value)
    now = [1000.0]
    monkeypatch.setattr(datastate.time, "monotonic", lambda: now[0])
    return now


def test_a_failed_bump_is_logged_with_what_failed_and_owed(health, monkeypatch, caplog):
    monkeypatch.setattr(datastate, "cache", BrokenCache())
    with caplog.at_level(logging.WARNING, logger="ocpo.cache"):
        datastate.bump_data_state()
    assert caplog.messages == [
        "shared cache unavailable while bumping the data state (connection refused); "
        "serving without it"
    ]
    assert datastate._CacheHealth.bump_owed


def test_after_a_failure_the_cache_is_left_alone_for_the_retry_delay(health, caplog):
    datastate.cache_failed(RedisError("down"), "reading the data state")
    assert not datastate.cache_usable()
    assert datastate.data_state() is None
    health[0] += datastate.RETRY_AFTER_SECONDS - 0.5
    assert not datastate.cache_usable()
    health[0] += 0.5  # exactly the delay: usable again
    assert datastate.cache_usable()


def test_an_outage_is_logged_once(health, caplog):
    with caplog.at_level(logging.WARNING, logger="ocpo.cache"):
        datastate.cache_failed(RedisError("down"), "reading the data state")
        datastate.cache_failed(RedisError("down"), "reading the data state")
    assert len(caplog.messages) == 1
