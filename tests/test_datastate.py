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


# ---------------------------------------------------------------- memoized (whole-KB counts)


class FailingFor:
    """The real cache, but ``method`` on a memo's key raises as a down Redis does."""

    def __init__(self, real, method):
        self.real, self.method = real, method

    def __getattr__(self, name):
        attribute = getattr(self.real, name)
        if name != self.method:
            return attribute

        def call(key, *args, **kwargs):
            if key.startswith("ocpo:memo:"):
                raise RedisError("connection refused")
            return attribute(key, *args, **kwargs)

        return call


def _computes(calls, value):
    def compute():
        calls.append(value)
        return value

    return compute


@pytest.fixture
def memos(settings, health):
    settings.OCPO_AGGREGATE_CACHE = True
    datastate.cache.clear()
    return []


def test_a_memo_is_kept_per_name_until_the_data_changes(memos):
    assert datastate.memoized("matrix", _computes(memos, 1)) == 1
    assert datastate.memoized("matrix", _computes(memos, 99)) == 1  # kept: not computed
    assert datastate.memoized("home", _computes(memos, 2)) == 2  # another name, its own
    datastate.bump_data_state()
    assert datastate.memoized("matrix", _computes(memos, 3)) == 3  # the data changed
    assert memos == [1, 2, 3]


def test_a_memo_is_computed_every_time_while_the_cache_is_down(memos):
    datastate.cache_failed(RedisError("down"), "reading the data state")
    assert datastate.memoized("matrix", _computes(memos, 1)) == 1
    assert datastate.memoized("matrix", _computes(memos, 2)) == 2
    assert memos == [1, 2]


@pytest.mark.parametrize(("method", "doing"), [("get", "reading"), ("set", "keeping")])
def test_a_memo_the_cache_refuses_is_computed_and_the_failure_logged(
    memos, monkeypatch, caplog, method, doing
):
    monkeypatch.setattr(datastate, "cache", FailingFor(datastate.cache, method))
    with caplog.at_level(logging.WARNING, logger="ocpo.cache"):
        assert datastate.memoized("matrix", _computes(memos, 1)) == 1
    assert memos == [1]
    assert caplog.messages == [
        f"shared cache unavailable while {doing} a memo (connection refused); serving without it"
    ]
    assert not datastate.cache_usable()  # left alone for the retry delay


# ------------------------------------------------- table tokens (the anonymous page cache)


@pytest.mark.parametrize(
    ("call", "doing"),
    [
        (lambda: datastate.data_state(), "reading the data state"),
        (lambda: datastate.table_states(["interfaces_finding"]), "reading the data state"),
        (lambda: datastate.bump_tables({"interfaces_finding"}), "bumping the data state"),
    ],
    ids=["data_state", "table_states", "bump_tables"],
)
def test_a_failure_over_table_tokens_is_logged_and_serves_without_the_cache(
    health, monkeypatch, caplog, call, doing
):
    monkeypatch.setattr(datastate, "cache", BrokenCache())
    with caplog.at_level(logging.WARNING, logger="ocpo.cache"):
        assert call() is None  # nothing to key an answer on: cache nothing
    assert caplog.messages == [
        f"shared cache unavailable while {doing} (connection refused); serving without it"
    ]
    assert not datastate.cache_usable()
    assert datastate._CacheHealth.bump_owed


def test_on_recovery_every_table_goes_stale_once_and_the_return_is_logged_once(
    health, monkeypatch, caplog
):
    """Writes made during the outage could not move their tables' tokens: the first read
    after it moves every table's (the epoch), and only the first."""
    datastate.cache.clear()
    before = datastate.table_states(["interfaces_finding"])
    datastate.cache_failed(RedisError("down"), "reading the data state")
    health[0] += datastate.RETRY_AFTER_SECONDS
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="ocpo.cache"):
        after = datastate.table_states(["interfaces_finding"])
        again = datastate.table_states(["interfaces_finding"])
    assert after[datastate.EVERY_TABLE] != before[datastate.EVERY_TABLE]
    assert after["interfaces_finding"] == before["interfaces_finding"]
    assert again == after  # the owed bump is made once
    assert caplog.messages == ["shared cache available again"]
