"""The app server is reachable only by the proxy: every bind the README and deploy/ show
is a Unix socket or loopback (else a client could forge X-Forwarded-For), and Redis is
shipped with a memory limit and an eviction policy."""

import ipaddress
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _local(address):
    if address.startswith("unix:"):
        return True
    host = address.rsplit(":", 1)[0].strip("[]") if ":" in address else address
    return host == "localhost" or ipaddress.ip_address(host).is_loopback


def test_every_gunicorn_bind_in_the_readme_is_local():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    binds = re.findall(r"--bind[ =](\S+)", readme)
    assert binds, "the README shows how gunicorn is bound"
    assert [b for b in binds if not _local(b.strip("`"))] == []
    assert "listens only where the proxy reaches it" in readme


def test_every_listening_address_in_deploy_is_local():
    found = []
    for path in (ROOT / "deploy").iterdir():
        text = path.read_text(encoding="utf-8")
        found += re.findall(r"^\s*(?:bind|listen_addr(?:esses)?)\s*=?\s*'?([^'\s;]+)", text, re.M)
        found += re.findall(r"^\s*listen\s+([^\s;]+)", text, re.M)
        found += re.findall(r'"--bind",\s*f?"([^"]+)"', text)
    assert found
    addresses = [a.split("{")[0].rstrip(":") or "127.0.0.1" for a in found]
    assert [a for a in addresses if not _local(a)] == []


def test_redis_is_shipped_with_a_memory_limit_and_eviction():
    conf = (ROOT / "deploy" / "redis.conf").read_text(encoding="utf-8")
    assert re.search(r"^maxmemory \d+[kmg]b?$", conf, re.M)
    assert re.search(r"^maxmemory-policy allkeys-lru$", conf, re.M)
