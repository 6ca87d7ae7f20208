"""Read-after-write and a Redis outage, live: gunicorn + PostgreSQL + a Redis of its own.

Reader threads ask for the question lists (API and page) without pause while an editor
creates questions through the API. After each acknowledged write, a fresh anonymous read
of both lists must show it: a stale read fails the run (with the data state bumped before
the commit, readers cached the old lists under the new state). Midway the script kills its
redis-server: reads must stay 200, writes 201, ``/healthz/ready`` report the cache down
(200, degraded), and after Redis is back the lists must again be fresh.

Loopback only, bounded: ``--short`` (the CI form) runs phases of 4 s with 4 readers. The
race is timing-dependent here (with the old bump, 1 of 3 writes read stale on a loaded
2-core machine); tests/test_read_after_write.py is its deterministic form.
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.benchmarks.bench import PG_ADMIN, PYTHON, collect_static, gunicorn, manage, run  # noqa: E402

DATABASE_URL = os.environ.get(
    "FRESHNESS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ocpo_freshness"
)
# The new questions have the highest numbers: the list page's last page shows them however
# many questions earlier runs (the soak) left before them.
LISTS = ["/api/v1/questions/?limit=500", "/questions/?page=last"]
# Readers ask mostly for the lists a write changes: a reader that renders one between the
# write and its commit is what used to leave the old list cached under the new state.
READS = [*LISTS, *LISTS, "/", "/api/v1/findings/", "/healthz/ready"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, timeout=10):
    """(status, body) of an anonymous GET; status 0 for a connection error."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except OSError:
        return 0, ""


class Redis:
    def __init__(self):
        self.port = free_port()
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--daemonize", "no"]
            + ["--save", "", "--appendonly", "no", "--maxmemory", "64mb"]
            + ["--maxmemory-policy", "allkeys-lru"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            if (
                subprocess.run(
                    ["redis-cli", "-p", str(self.port), "ping"], capture_output=True
                ).returncode
                == 0
            ):
                return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def kill(self):
        self.process.kill()
        self.process.wait()


class Readers:
    """Threads reading every URL in turn; every status is kept."""

    def __init__(self, base, count):
        self.base, self.stop = base, threading.Event()
        self.statuses = []
        self.threads = [threading.Thread(target=self.run, daemon=True) for _ in range(count)]

    def run(self):
        while not self.stop.is_set():
            for url in READS:
                self.statuses.append((url, get(self.base + url)[0]))

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=30)


class Editor:
    def __init__(self, base, token):
        # Numbers of their own (a small integer field), apart from the soak's 1001 onwards.
        self.number = 20000 + os.getpid() % 100 * 100
        self.base, self.token = base, token

    def create(self):
        self.number += 1
        slug = f"fresh-question-{self.number}"
        body = {"number": self.number, "slug": slug, "text": f"Fresh {self.number}?"}
        request = urllib.request.Request(
            f"{self.base}/api/v1/questions/",
            data=json.dumps(body).encode(),
            method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Token {self.token}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return slug, response.status
        except urllib.error.HTTPError as error:
            return slug, error.code
        except OSError:
            return slug, 0


def phase(name, base, editor, seconds, readers):
    """Write and check freshness for ``seconds`` under ``readers`` concurrent readers."""
    writes, stale = [], []
    with Readers(base, readers) as load:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            slug, status = editor.create()
            writes.append(status)
            if status == 201:
                for url in LISTS:
                    code, body = get(base + url)
                    if code != 200 or slug not in body:
                        stale.append((url, slug, code))
    bad_reads = [(u, s) for u, s in load.statuses if s != 200]
    result = {
        "phase": name,
        "writes": len(writes),
        "writes_not_201": sum(1 for s in writes if s != 201),
        "stale_reads_after_write": len(stale),
        "reads": len(load.statuses),
        "reads_not_200": len(bad_reads),
        "examples": (stale + bad_reads)[:3],
    }
    print(json.dumps(result), flush=True)
    return result


def setup(env, reuse):
    """A fresh database with the knowledge base (or, with ``reuse``, the loaded one given,
    brought up to date: migrations are cheap when there is nothing to do)."""
    if not reuse:
        name = DATABASE_URL.rsplit("/", 1)[1]
        drop, create = f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}"
        run(["psql", PG_ADMIN, "-qc", drop, "-c", create])
    manage(env, "migrate", "--verbosity", "0")
    if not reuse:
        manage(env, "load_kb", "--verbosity", "0")
        collect_static()
    out = run(
        [PYTHON, "manage.py", "create_editor", f"fresh-editor-{os.getpid()}"],
        env={**env, "OCPO_EDITOR_PASSWORD": "fresh-editor-password-123"},
        capture_output=True,
        text=True,
    ).stdout
    return out.rsplit("API token: ", 1)[1].strip()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=15, help="per phase")
    parser.add_argument("--readers", type=int, default=8)
    parser.add_argument("--short", action="store_true", help="The CI form: 4 s, 4 readers.")
    parser.add_argument(
        "--reuse-database",
        action="store_true",
        help="Use FRESHNESS_DATABASE_URL as it is (migrated, loaded, static collected).",
    )
    args = parser.parse_args()
    if args.short:
        args.seconds, args.readers = 4, 4

    env = {"DATABASE_URL": DATABASE_URL}
    token = setup(env, args.reuse_database)
    redis = Redis()
    redis.start()
    port = free_port()
    server_env = {
        **env,
        "CACHE_URL": f"redis://127.0.0.1:{redis.port}/0",
        "OCPO_API_ANON_RATE": "1000000/minute",
        "OCPO_PAGE_ANON_RATE": "1000000/minute",
        "OCPO_CACHE_FILL_RATE": "1000000/minute",
    }
    base = f"http://127.0.0.1:{port}"
    results = []
    try:
        with gunicorn("ocpo-freshness", server_env, port):
            editor = Editor(base, token)
            results.append(phase("redis up", base, editor, args.seconds, args.readers))
            redis.kill()
            ready_status, ready_body = get(base + "/healthz/ready")
            results.append(phase("redis killed", base, editor, args.seconds, args.readers))
            redis.start()
            time.sleep(5.5)  # the workers leave a failed cache alone for 5 s
            after_status, after_body = get(base + "/healthz/ready")
            results.append(phase("redis back", base, editor, args.seconds, args.readers))
    finally:
        if redis.process.poll() is None:
            redis.kill()
    down = json.loads(ready_body or "{}")
    back = json.loads(after_body or "{}")
    print(json.dumps({"ready_while_down": [ready_status, down], "ready_after": back}))
    ok = (
        all(r["writes"] and not r["writes_not_201"] for r in results)
        and all(not r["stale_reads_after_write"] and not r["reads_not_200"] for r in results)
        and ready_status == 200
        and down.get("cache") == "unavailable"
        and back.get("cache") == "ok"
    )
    print("freshness:", "PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
