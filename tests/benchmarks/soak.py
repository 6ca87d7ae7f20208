"""The soak: mixed reads at high concurrency while an editor writes, on gunicorn + PostgreSQL.

Passes when the readers saw no 5xx (nor any other error status) and no connection error,
and every write the API acknowledged is in the database afterwards. Bounded: it runs
--duration seconds (default 60) at --connections (default 64) against loopback only.
``--short`` is the CI form (15 s, 32 connections).
"""

import argparse
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.benchmarks.bench import (  # noqa: E402
    PG_ADMIN,
    PYTHON,
    ROOT,
    collect_static,
    gunicorn,
    manage,
    run,
)

SOAK_URL = os.environ.get("SOAK_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ocpo_soak")
PORT = 8111
READS = [
    "/",
    "/interfaces/oc-fuels-conflict/",
    "/missions/",
    "/missions/UNMIL/",
    "/findings/",
    "/findings/?mission=MINUSTAH",
    "/documents/",
    "/measures/",
    "/matrix/",
    "/search/?q=diamonds",
    "/api/v1/missions/UNMIL/",
    "/api/v1/findings/?interface=oc-fuels-conflict",
    "/api/v1/documents/?year=2012",
    "/api/v1/measures/?mission=UNMIL",
    "/api/v1/findings/?format=csv&country=HTI",
    "/healthz",
]


def setup_database():
    name = SOAK_URL.rsplit("/", 1)[1]
    run(
        [
            "psql",
            PG_ADMIN,
            "-qc",
            f"DROP DATABASE IF EXISTS {name}",
            "-c",
            f"CREATE DATABASE {name}",
        ]
    )
    env = {"DATABASE_URL": SOAK_URL}
    manage(env, "migrate", "--verbosity", "0")
    manage(env, "load_kb", "--verbosity", "0")
    collect_static()
    out = run(
        [PYTHON, "manage.py", "create_editor", "soak-editor"],
        env={**env, "OCPO_EDITOR_PASSWORD": "soak-editor-password-123"},
        capture_output=True,
        text=True,
    ).stdout
    token = out.rsplit("API token: ", 1)[1].strip()
    return env, token


class Writer(threading.Thread):
    """An editor creating questions through the API until told to stop."""

    def __init__(self, token):
        super().__init__(daemon=True)
        self.token = token
        self.stop = threading.Event()
        self.acknowledged, self.failed = [], []

    def run(self):
        number = 1000
        while not self.stop.is_set():
            number += 1
            slug = f"soak-question-{number}"
            body = json.dumps(
                {
                    "number": number,
                    "slug": slug,
                    "text": f"Soak question {number}?",
                    "interfaces": ["oc-fuels-conflict"],
                }
            ).encode()
            request = urllib.request.Request(
                f"http://127.0.0.1:{PORT}/api/v1/questions/",
                data=body,
                method="POST",
                headers={
                    "Content-Type": "application/json",
                    "Authorization": f"Token {self.token}",
                },
            )
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    if response.status == 201:
                        self.acknowledged.append(slug)
                    else:
                        self.failed.append((slug, response.status))
            except (urllib.error.URLError, OSError) as error:
                self.failed.append((slug, str(error)))
            time.sleep(0.05)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--short", action="store_true", help="The CI form: 15 s, 32 connections.")
    args = parser.parse_args()
    if args.short:
        args.duration, args.connections = 15, 32

    env, token = setup_database()
    server_env = {**env, "OCPO_API_ANON_RATE": "1000000/minute"}
    with gunicorn("ocpo-soak", server_env, PORT) as server:
        writer = Writer(token)
        writer.start()
        wrk_env = {**os.environ, "SOAK_PATHS": " ".join(READS)}
        out = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{args.connections}",
                f"-d{args.duration}s",
                "--timeout",
                "10s",
                "-s",
                str(Path(__file__).with_name("soak.lua")),
                f"http://127.0.0.1:{PORT}",
            ],
            env=wrk_env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        writer.stop.set()
        writer.join(timeout=60)
        rss = server.peak_rss_mb()
    reads = json.loads(
        next(x for x in out.splitlines() if x.startswith("WRK_JSON ")).split(" ", 1)[1]
    )

    check = (
        "import django,json;django.setup();from interfaces.models import Question;"
        "print(json.dumps(list(Question.objects.filter(slug__startswith='soak-question-')"
        ".values_list('slug', flat=True))))"
    )
    stored = set(
        json.loads(
            run(
                [PYTHON, "-c", check],
                capture_output=True,
                text=True,
                env={"DJANGO_SETTINGS_MODULE": "ocpo.settings", **env},
            )
            .stdout.strip()
            .splitlines()[-1]
        )
    )
    lost = [slug for slug in writer.acknowledged if slug not in stored]
    result = {
        "duration_s": args.duration,
        "connections": args.connections,
        "reads": reads["requests"],
        "reads_per_s": round(reads["requests"] / args.duration, 1),
        "read_error_statuses": reads["http_errors"],
        "connection_errors": reads["socket_errors"],
        "p50_ms": reads["p50_ms"],
        "p95_ms": reads["p95_ms"],
        "p99_ms": reads["p99_ms"],
        "writes_acknowledged": len(writer.acknowledged),
        "writes_failed": len(writer.failed),
        "writes_lost": len(lost),
        "peak_rss_mb": rss,
    }
    print(json.dumps(result, indent=2))
    ok = (
        reads["http_errors"] == 0
        and reads["socket_errors"] == 0
        and not lost
        and not writer.failed
        and writer.acknowledged
    )
    print(
        f"SOAK {'passed' if ok else 'FAILED'}: {result['reads']} reads, "
        f"{result['read_error_statuses']} error statuses, {result['connection_errors']} "
        f"connection errors, {result['writes_acknowledged']} writes acknowledged, "
        f"{result['writes_lost']} lost, {result['writes_failed']} failed"
    )
    if writer.failed:
        print("first failed writes:", writer.failed[:5])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
