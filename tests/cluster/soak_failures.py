"""The failure soak against the running cluster (``make cluster`` first).

64 connections of mixed reads go through nginx while an editor writes through the API and
the admin. Phase by phase the script breaks one part: it kills an app server (``kill -9``),
stops the replica for 10 s, restarts the primary's pgbouncer. It reports per phase reads/s,
p95 and error statuses (wrk, every answer's status checked), how long each failure was
visible to a client probing 20 times a second, and after the run that every acknowledged
write is on the primary and on the replica. Exit status 0 only with 0 lost writes and no
read error outside the failure windows' tolerance (see ``--max-error-rate``).

Loopback only, bounded in time: ``--short`` is the CI form (phases of 8 s, 32 connections).
"""

import argparse
import http.cookiejar
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from deploy import cluster  # noqa: E402
from tests.benchmarks.soak import READS as SOAK_READS  # noqa: E402

BASE = f"http://127.0.0.1:{cluster.PORTS['nginx']}"
# The single-server soak's mix, and a static file that nginx serves itself.
READS = [*SOAK_READS, "/static/ocpo/ocpo.css"]
SOAK_LUA = ROOT / "tests" / "benchmarks" / "soak.lua"
# The load generator is one address: the anonymous rate limits are lifted for it (recorded
# in the report), as the benchmark does; everything else is the deployment's own settings.
LOAD_GENERATOR = {
    "OCPO_API_ANON_RATE": "100000000/minute",
    "OCPO_PAGE_ANON_RATE": "100000000/minute",
}


def restart_apps(extra_env=None):
    for name in cluster.APP_SERVERS:
        cluster.stop_app(name)
        cluster.start_app(name, extra_env)


def log(message):
    print(f"[soak] {message}", file=sys.stderr, flush=True)


class InsecureCookiePolicy(http.cookiejar.DefaultCookiePolicy):
    """The loopback cluster speaks HTTP, but production cookies are marked Secure."""

    def return_ok_secure(self, cookie, request):
        return True


def editor_token():
    out = cluster.manage(
        "create_editor",
        cluster.EDITOR,
        env={
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{cluster.PORTS['primary']}/"
            f"{cluster.DATABASE}",
            "OCPO_EDITOR_PASSWORD": cluster.EDITOR_PASSWORD,
        },
        capture_output=True,
        text=True,
    ).stdout
    return out.rsplit("API token: ", 1)[1].strip()


class Probe(threading.Thread):
    """A client asking 20 times a second: when did it see errors, and for how long."""

    def __init__(self, path="/api/v1/missions/UNMIL/"):
        super().__init__(daemon=True)
        self.path, self.stop, self.samples = path, threading.Event(), []

    def run(self):
        while not self.stop.is_set():
            started = time.monotonic()
            try:
                with urllib.request.urlopen(BASE + self.path, timeout=10) as answer:
                    status = answer.status
            except urllib.error.HTTPError as error:
                status = error.code
            except OSError:
                status = 0
            self.samples.append((started, status))
            time.sleep(max(0, 0.05 - (time.monotonic() - started)))

    def errors_between(self, start, end):
        return [(t, s) for t, s in self.samples if start <= t < end and s != 200]


class Writer(threading.Thread):
    """The editor: creates questions through the API, and through the admin every 10th."""

    def __init__(self, token, prefix):
        super().__init__(daemon=True)
        self.token, self.prefix = token, prefix
        self.stop = threading.Event()
        self.acknowledged, self.failed = [], []
        jar = http.cookiejar.CookieJar(policy=InsecureCookiePolicy())
        self.browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        self.jar = jar
        self.logged_in = False

    def csrf(self):
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")

    def admin_login(self):
        page = self.browser.open(BASE + "/admin/login/", timeout=10).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token,
                "username": cluster.EDITOR,
                "password": cluster.EDITOR_PASSWORD,
                "next": "/admin/",
            }
        ).encode()
        self.browser.open(
            urllib.request.Request(
                BASE + "/admin/login/", data=data, headers={"Referer": BASE + "/admin/login/"}
            ),
            timeout=10,
        )
        self.logged_in = any(c.name == "sessionid" for c in self.jar)

    def write_admin(self, number, slug):
        if not self.logged_in:
            self.admin_login()
        page = self.browser.open(BASE + "/admin/interfaces/question/add/", timeout=10).read()
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token.decode(),
                "number": number,
                "slug": slug,
                "text": f"Soak question {number}, from the admin?",
                "_save": "Save",
            }
        ).encode()
        request = urllib.request.Request(
            BASE + "/admin/interfaces/question/add/",
            data=data,
            headers={"Referer": BASE + "/admin/interfaces/question/add/"},
        )
        with self.browser.open(request, timeout=30) as answer:
            # A saved add form redirects to the change list; an invalid one re-renders (200).
            return answer.geturl().rstrip("/").endswith("/admin/interfaces/question")

    def write_api(self, number, slug):
        body = json.dumps(
            {"number": number, "slug": slug, "text": f"Soak question {number}?"}
        ).encode()
        request = urllib.request.Request(
            BASE + "/api/v1/questions/",
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Token {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status == 201

    def run(self):
        # Numbers are unique: carry on after the highest one any earlier run left.
        number = int(
            cluster.psql(
                cluster.PORTS["primary"],
                "SELECT coalesce(max(number), 0) FROM interfaces_question",
                cluster.DATABASE,
            )
        )
        while not self.stop.is_set():
            number += 1
            slug = f"{self.prefix}-{number}"
            via = "admin" if number % 10 == 0 else "api"
            try:
                ok = (self.write_admin if via == "admin" else self.write_api)(number, slug)
            except urllib.error.HTTPError as error:
                ok, why = False, f"{error.code} {error.read()[:200]!r}"
            except (urllib.error.URLError, OSError, AttributeError) as error:
                ok, why = False, str(error)
            else:
                why = "not saved"
            if ok:
                self.acknowledged.append((slug, via))
            else:
                self.failed.append((time.monotonic(), slug, via, why))
            time.sleep(0.1)


def wrk(seconds, connections):
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(SOAK_LUA),
            BASE,
        ],
        env={**os.environ, "SOAK_PATHS": " ".join(READS)},
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("WRK_JSON "))
    return json.loads(line.split(" ", 1)[1])


def slugs_on(port, prefix):
    rows = cluster.psql(
        port, f"SELECT slug FROM interfaces_question WHERE slug LIKE '{prefix}-%'", cluster.DATABASE
    )
    return set(rows.split()) if rows else set()


def wait_replica_caught_up(prefix, wanted, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if wanted <= slugs_on(cluster.PORTS["replica"], prefix):
            return True
        time.sleep(0.5)
    return False


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phase-seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--short", action="store_true", help="CI form: 8 s phases, 32 conn.")
    parser.add_argument(
        "--max-error-rate",
        type=float,
        default=0.01,
        help="Share of reads that may fail in a failure phase (0 in the steady phases).",
    )
    parser.add_argument("--json", type=Path, help="Also write the report here.")
    args = parser.parse_args()
    if args.short:
        args.phase_seconds, args.connections = 8, 32
    if not cluster.http_ok(BASE + "/healthz"):
        sys.exit("The cluster is not running: make cluster")

    restart_apps(LOAD_GENERATOR)
    prefix = f"soak-{int(time.time())}"
    writer = Writer(editor_token(), prefix)
    probe = Probe()
    probe.start()
    writer.start()
    phases = []

    def phase(name, action=None, undo=None, failure=False):
        log(f"phase {name}")
        started = time.monotonic()
        event = None
        if action:
            event = time.monotonic()
            action()
        reads = wrk(args.phase_seconds, args.connections)
        if undo:
            undo()
        ended = time.monotonic()
        write_failures = [f for f in writer.failed if started <= f[0] < ended]
        # What clients saw of the failure: the reading probe's and the editor's errors.
        seen = sorted(
            [t for t, _ in probe.errors_between(event or started, ended + 2)]
            + [f[0] for f in write_failures]
        )
        phases.append(
            {
                "phase": name,
                "failure": failure,
                "reads": reads["requests"],
                "reads_per_s": round(reads["requests"] / args.phase_seconds, 1),
                "p95_ms": reads["p95_ms"],
                "read_error_statuses": reads["http_errors"],
                "connection_errors": reads["socket_errors"],
                "probe_errors": len(probe.errors_between(event or started, ended + 2)),
                "failure_visible_s": round(seen[-1] - seen[0] + 0.1, 2) if seen else 0.0,
                "write_failures": len(write_failures),
            }
        )

    def kill_app1():
        cluster.crash_app("app1")

    def restart_pgbouncer_primary():
        cluster.stop_pgbouncer("primary")
        cluster.start_pgbouncer("primary")

    phase("steady")
    phase(
        "app server killed (kill -9)",
        kill_app1,
        lambda: cluster.start_app("app1", LOAD_GENERATOR),
        True,
    )
    phase("recovered")

    timer = {}

    def replica_down():
        cluster.stop_postgres("replica", "immediate")
        timer["t"] = threading.Timer(
            10, cluster.start_postgres, args=("replica", cluster.VAR / "pg-replica")
        )
        timer["t"].start()

    phase("replica stopped for 10 s", replica_down, lambda: timer["t"].join(), True)
    phase("primary's pgbouncer restarted", restart_pgbouncer_primary, None, True)
    phase("steady again")

    writer.stop.set()
    writer.join(timeout=60)
    probe.stop.set()
    probe.join(timeout=15)
    restart_apps()

    acknowledged = {slug for slug, _ in writer.acknowledged}
    on_primary = slugs_on(cluster.PORTS["primary"], prefix)
    caught_up = wait_replica_caught_up(prefix, acknowledged)
    on_replica = slugs_on(cluster.PORTS["replica"], prefix)
    report = {
        "settings_overridden_for_the_load_generator": LOAD_GENERATOR,
        "phase_seconds": args.phase_seconds,
        "connections": args.connections,
        "phases": phases,
        "writes_acknowledged": len(acknowledged),
        "writes_acknowledged_via_admin": sum(1 for _, via in writer.acknowledged if via == "admin"),
        "writes_failed": len(writer.failed),
        "writes_lost_on_primary": len(acknowledged - on_primary),
        "writes_missing_on_replica": len(acknowledged - on_replica),
        "replica_caught_up": caught_up,
        "first_write_failures": [f[1:] for f in writer.failed[:5]],
    }
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    problems = []
    for p in phases:
        bad = p["read_error_statuses"] + p["connection_errors"]
        allowed = int(p["reads"] * args.max_error_rate) if p["failure"] else 0
        if bad > allowed:
            problems.append(f"{p['phase']}: {bad} failed reads of {p['reads']} (allowed {allowed})")
    if report["writes_lost_on_primary"] or report["writes_missing_on_replica"]:
        problems.append("acknowledged writes lost")
    if not report["writes_acknowledged_via_admin"] or len(acknowledged) < 10:
        problems.append("the editor wrote too little for the check to mean anything")
    for problem in problems:
        print("SOAK problem:", problem)
    print(f"CLUSTER SOAK {'passed' if not problems else 'FAILED'}")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
