"""A throwaway redis-server of the test's own, on a free loopback port.

Outage and eviction tests stop it, fill it and reconfigure it; the shared Redis is never
touched. The fixture points Django's cache at it and restores everything afterwards.
"""

import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
import redis

from ocpo import datastate

SHIPPED_CONFIG = Path(__file__).resolve().parents[1] / "deploy" / "redis.conf"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """One redis-server process; ``start`` again after ``kill`` reuses the port."""

    def __init__(self, config=None):
        self.port = free_port()
        self.config = [str(config)] if config else []
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self):
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=2)

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", *self.config, "--bind", "127.0.0.1", "--port", str(self.port)]
            + ["--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                if self.client().ping():
                    return self
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def kill(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def cache_settings(url):
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


@pytest.fixture
def own_redis(settings, monkeypatch):
    """Start a redis-server with the shipped deploy/redis.conf, use it as the cache, and let
    the cache be retried 0.2 s after a failure instead of 5 s."""
    if shutil.which("redis-server") is None:
        pytest.skip("needs redis-server")
    server = RedisServer(SHIPPED_CONFIG)
    monkeypatch.setattr(datastate, "RETRY_AFTER_SECONDS", 0.2)
    _reset_health()
    server.start()
    settings.CACHES = cache_settings(server.url)
    yield server
    server.kill()
    _reset_health()


def _reset_health():
    datastate._CacheHealth.down_until = 0.0
    datastate._CacheHealth.bump_owed = datastate._CacheHealth.failing = False


def wait_past_retry():
    time.sleep(datastate.RETRY_AFTER_SECONDS + 0.05)
