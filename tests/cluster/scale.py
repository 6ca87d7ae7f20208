"""How reads scale with app servers: the main scenarios through nginx against one app server
and against two, alternating scenario by scenario in one run, with the page cache off (every
request runs its view). nginx has a second listener whose only upstream is the first app
server, so both configurations run side by side without restarts.

Every answer's status is checked: a scenario with any error answer fails the run. On one
machine the app servers share its cores with nginx, PostgreSQL, pgbouncer and wrk, so the
ratio is a floor for what separate hosts give; the report estimates requests per second per
core of app server for sizing.
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from deploy import cluster  # noqa: E402

BASES = {
    1: f"http://127.0.0.1:{cluster.PORTS['nginx-one-app']}",
    2: f"http://127.0.0.1:{cluster.PORTS['nginx']}",
}
SCENARIOS = {
    "API list, two filters": "/api/v1/findings/?interface=oc-fuels-conflict&country=HTI",
    "API mission detail": "/api/v1/missions/UNMIL/",
    "filtered list page": "/findings/?mission=MINUSTAH",
    "mission profile page": "/missions/UNMIL/",
    "matrix page": "/matrix/",
    "search page": "/search/?q=diamonds",
}
# The load generator is one address: lift the anonymous limits for it, page cache off.
UNCACHED = {
    "OCPO_ANONYMOUS_CACHE": "false",
    "OCPO_API_ANON_RATE": "100000000/minute",
    "OCPO_PAGE_ANON_RATE": "100000000/minute",
}
LUA = ROOT / "tests" / "benchmarks" / "soak.lua"


def wrk(base, path, seconds, connections):
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(LUA)]
        + [base],
        env={**os.environ, "SOAK_PATHS": path},
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result = json.loads(
        next(x for x in out.splitlines() if x.startswith("WRK_JSON ")).split(" ", 1)[1]
    )
    result["rps"] = round(result["requests"] / (result["duration_us"] / 1e6), 1)
    return result


def restart_apps(extra_env=None):
    for name in cluster.APP_SERVERS:
        cluster.stop_app(name)
    for name in cluster.APP_SERVERS:
        cluster.start_app(name, extra_env)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--short", action="store_true", help="CI form: 4 s per scenario.")
    args = parser.parse_args()
    if args.short:
        args.seconds = 4
    if not cluster.http_ok(BASES[2] + "/healthz"):
        sys.exit("The cluster is not running: make cluster")
    cores = os.cpu_count()
    results, failures = {}, []
    try:
        restart_apps(UNCACHED)
        for name, path in SCENARIOS.items():
            for count, base in BASES.items():
                wrk(base, path, 1, args.connections)  # warm the workers' connections
                run = wrk(base, path, args.seconds, args.connections)
                results.setdefault(name, {})[count] = run
                if run["http_errors"] or run["socket_errors"]:
                    failures.append(f"{name} with {count} app server(s): {run}")
    finally:
        restart_apps()
    print(f"machine: {cores} cores shared by nginx, gunicorn, PostgreSQL x2, pgbouncer x2, wrk")
    print(
        f"{'scenario':<24} {'1 app req/s':>12} {'2 apps req/s':>13} {'ratio':>6} {'p95 1/2 ms':>14}"
    )
    report = {"cores": cores, "connections": args.connections, "seconds": args.seconds}
    for name, runs in results.items():
        one, two = runs[1], runs.get(2, {"rps": 0, "p95_ms": 0})
        ratio = round(two["rps"] / one["rps"], 2) if one["rps"] else None
        print(
            f"{name:<24} {one['rps']:>12} {two['rps']:>13} {ratio:>6} "
            f"{one['p95_ms']:>6.0f}/{two['p95_ms']:<6.0f}"
        )
        report[name] = {"one": one, "two": two, "ratio": ratio}
    print(json.dumps(report))
    for failure in failures:
        print("SCALE FAILED:", failure)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
