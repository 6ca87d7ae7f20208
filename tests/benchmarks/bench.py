"""make bench: ocpo under gunicorn against its floors and Datasette, in one run.

Builds (or reuses) the data sets — PostgreSQL at --factor (default 1000) and SQLite at the
bundled size, plus a SQLite copy of the factor data for Datasette — starts each server on
loopback, warms it up, loads it with wrk at 1, 16 and 64 connections and writes a JSON
report (BENCH_OUT, default bench-results.json). The last line printed is a one-line
summary of the worst ratio and the worst p95.
"""

import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
BIN = Path(PYTHON).parent
VAR = ROOT / "var"
LUA = Path(__file__).with_name("wrk_report.lua")
SEED = 7
GUNICORN_WORKERS = 3  # 2 cores: 2 x cores - 1 sync workers, leaving room for PostgreSQL
GUNICORN_THREADS = 2

PG_ADMIN = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ocpo_bench")


def log(message):
    print(message, file=sys.stderr, flush=True)


def run(args, env=None, **kwargs):
    return subprocess.run(args, cwd=ROOT, env={**os.environ, **(env or {})}, check=True, **kwargs)


def manage(env, *args):
    run([PYTHON, "manage.py", *args], env=env)


# ------------------------------------------------------------------------ data sets


def marker_ok(marker, wanted):
    return marker.exists() and marker.read_text() == wanted


def build_postgres(factor):
    """PostgreSQL at ``factor``: the bundled knowledge base plus synthetic records."""
    wanted = f"factor={factor} seed={SEED} {PG_URL}"
    marker = VAR / "bench-postgres.done"
    env = {"DATABASE_URL": PG_URL}
    if marker_ok(marker, wanted):
        log(f"reusing {PG_URL} (factor {factor})")
        return env
    name = PG_URL.rsplit("/", 1)[1]
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
    manage(env, "migrate", "--verbosity", "0")
    manage(env, "load_kb")
    manage(env, "generate_scale_data", "--factor", str(factor), "--seed", str(SEED))
    run(["psql", PG_URL, "-qc", "VACUUM ANALYZE"])
    marker.write_text(wanted)
    return env


def build_sqlite(path, factor, marker_name):
    """A SQLite file with the bundled data, plus synthetic records when factor > 0."""
    wanted = f"factor={factor} seed={SEED}"
    marker = VAR / marker_name
    env = {"DATABASE_URL": f"sqlite:///{path}"}
    if path.exists() and marker_ok(marker, wanted):
        return env
    path.unlink(missing_ok=True)
    manage(env, "migrate", "--verbosity", "0")
    manage(env, "load_kb")
    if factor:
        manage(env, "generate_scale_data", "--factor", str(factor), "--seed", str(SEED))
    marker.write_text(wanted)
    return env


def prepare_datasette_db(path):
    """Datasette finds the FTS5 table the migrations made (``interfaces_finding_fts``, the
    portal's own index, kept by triggers); replacing it would break those triggers."""
    for table, column in (
        ("interfaces_finding", "interface_id"),
        ("interfaces_finding_missions", "mission_id"),
    ):
        run(
            [str(BIN / "sqlite-utils"), "create-index", str(path), table, column, "--if-not-exists"]
        )


def collect_static():
    """Production serves hashed, compressed static files: they must be collected first."""
    run(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        env={"OCPO_ENV": "production", "SECRET_KEY": "bench-" + "x" * 50},
    )


# -------------------------------------------------------------------------- servers


class Server:
    """A server process on loopback, stopped with its children."""

    def __init__(self, name, args, env, port):
        self.name, self.args, self.env, self.port = name, args, env, port
        self.process = None

    def __enter__(self):
        self.process = subprocess.Popen(
            self.args,
            cwd=ROOT,
            env={**os.environ, **self.env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/", timeout=2)
                return self
            except urllib.error.HTTPError:
                return self
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"{self.name} did not start on port {self.port}")

    def __exit__(self, *exc):
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)

    def peak_rss_mb(self):
        """Peak resident memory of the server and its workers (VmHWM), in MB."""
        total = 0
        pids = [self.process.pid]
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        if children.exists():
            pids += [int(pid) for pid in children.read_text().split()]
        for pid in pids:
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        total += int(line.split()[1])
            except FileNotFoundError:
                pass
        return round(total / 1024, 1)


def gunicorn(name, env, port):
    env = {
        "DJANGO_SETTINGS_MODULE": "tests.benchmarks.settings",
        "OCPO_ENV": "production",
        "SECRET_KEY": "bench-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "CONN_MAX_AGE": "60",
        **env,
    }
    args = [
        str(BIN / "gunicorn"),
        "ocpo.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(GUNICORN_WORKERS),
        "--threads",
        str(GUNICORN_THREADS),
        "--worker-class",
        "gthread",
        "--log-level",
        "warning",
    ]
    return Server(name, args, env, port)


def datasette(path, port):
    args = [
        str(BIN / "datasette"),
        "serve",
        str(path),
        "--port",
        str(port),
        "--host",
        "127.0.0.1",
        "--setting",
        "default_page_size",
        "50",
        "--setting",
        "sql_time_limit_ms",
        "5000",
        "--setting",
        "num_sql_threads",
        "3",
    ]
    return Server("datasette", args, {}, port)


# ---------------------------------------------------------------------------- load


def wrk(url, connections, duration, header=None):
    env = {**os.environ, **({"WRK_HEADER": header} if header else {})}
    out = subprocess.run(
        [
            "wrk",
            f"-t{min(connections, 2)}",
            f"-c{connections}",
            f"-d{duration}s",
            "--timeout",
            "10s",
            "-s",
            str(LUA),
            url,
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    line = next(line for line in out.splitlines() if line.startswith("WRK_JSON "))
    result = json.loads(line.removeprefix("WRK_JSON "))
    result["rps"] = round(result["requests"] / (result["duration_us"] / 1e6), 1)
    return result


def warm_up(url, header=None, seconds=2):
    wrk(url, 4, seconds, header)


def count_queries(env, urls):
    out = run(
        [PYTHON, "tests/benchmarks/count_queries.py", *urls],
        env={
            "OCPO_ENV": "production",
            "SECRET_KEY": "bench-" + "x" * 50,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            **env,
        },
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def etag_of(url):
    with urllib.request.urlopen(url) as response:
        return response.headers["ETag"]


def measure(server, scenarios, connections, duration, env=None):
    """Load every scenario on a fresh start of ``server``; per scenario and concurrency."""
    results = {}
    queries = count_queries(env, [s["path"] for s in scenarios]) if env else {}
    for scenario in scenarios:
        with server:
            base = f"http://127.0.0.1:{server.port}"
            url = base + scenario["path"]
            header = None
            if scenario.get("conditional"):
                header = f"If-None-Match: {etag_of(url)}"
            warm_up(url, header)
            runs = {}
            for c in connections:
                runs[str(c)] = wrk(url, c, duration, header)
                log(
                    f"  {scenario['name']:<28} c={c:<3} {runs[str(c)]['rps']:>9} req/s  "
                    f"p95 {runs[str(c)]['p95_ms']:.1f} ms"
                )
            results[scenario["name"]] = {
                "path": scenario["path"],
                "kind": scenario["kind"],
                "runs": runs,
                "sql_queries": queries.get(scenario["path"], {}).get("queries"),
                "peak_rss_mb": server.peak_rss_mb(),
            }
    return results


def csv_memory(env, port=8105):
    """Stream the full findings CSV through one worker: how much its peak memory grows."""
    server = gunicorn("ocpo-csv", {**env, "OCPO_ANONYMOUS_CACHE": "false"}, port)
    server.args[server.args.index("--workers") + 1] = "1"
    with server:
        base = f"http://127.0.0.1:{port}/api/v1/findings/"
        urllib.request.urlopen(base + "?limit=1").read()
        before = server.peak_rss_mb()
        start, rows, size = time.monotonic(), 0, 0
        with urllib.request.urlopen(base + "?format=csv", timeout=600) as response:
            for line in response:
                rows += 1
                size += len(line)
        seconds = time.monotonic() - start
        after = server.peak_rss_mb()
    return {
        "rows": rows - 1,
        "megabytes": round(size / 1e6, 1),
        "seconds": round(seconds, 1),
        "peak_rss_before_mb": before,
        "peak_rss_after_mb": after,
        "peak_rss_growth_mb": round(after - before, 1),
    }


def search_comparison(env):
    out = run(
        [PYTHON, "tests/benchmarks/search_compare.py"], env=env, capture_output=True, text=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


# ------------------------------------------------------------------------ scenarios


def ocpo_scenarios(mission, country, interface="oc-fuels-conflict"):
    return [
        {
            "name": "api_list_two_filters",
            "kind": "api_list",
            "path": f"/api/v1/findings/?interface={interface}&mission={mission}",
        },
        {
            "name": "api_mission_detail",
            "kind": "api_detail",
            "path": f"/api/v1/missions/{mission}/",
        },
        {
            "name": "csv_export_filtered",
            "kind": "csv",
            "path": f"/api/v1/findings/?format=csv&country={country}",
        },
        {"name": "full_text_search", "kind": "html_search", "path": "/search/?q=cocaine"},
        {"name": "matrix_page", "kind": "html_list", "path": "/matrix/"},
        {"name": "mission_profile_page", "kind": "html_detail", "path": f"/missions/{mission}/"},
        {
            "name": "filtered_list_page",
            "kind": "html_list",
            "path": f"/findings/?interface={interface}&mission={mission}",
        },
    ]


FLOORS = [
    {"name": "floor_static_1kb", "kind": "floor", "path": "/static/ocpo/bench-1kb.txt"},
    {"name": "floor_django_json", "kind": "floor", "path": "/bench/floor/"},
]


def conditional(mission):
    return [
        {
            "name": "conditional_get_304",
            "kind": "conditional",
            "conditional": True,
            "path": f"/api/v1/missions/{mission}/",
        }
    ]


def datasette_scenarios(interface_id, mission_id):
    where = (
        f"id in (select finding_id from interfaces_finding_missions where mission_id={mission_id})"
    )
    return [
        {
            "name": "datasette_filtered_rows",
            "kind": "peer",
            "path": f"/bench/interfaces_finding.json?interface_id={interface_id}&_where="
            + urllib.parse.quote(where)
            + "&_size=50",
        },
        {
            "name": "datasette_full_text_search",
            "kind": "peer",
            "path": "/bench/interfaces_finding.json?_search=cocaine&_size=50",
        },
    ]


def ids_for(env, mission):
    code = (
        "import django,os,json;django.setup();"
        "from missions.models import Mission;from interfaces.models import Interface;"
        f"print(json.dumps([Interface.objects.get(slug='oc-fuels-conflict').pk,"
        f"Mission.objects.get(acronym='{mission}').pk]))"
    )
    out = run(
        [PYTHON, "-c", code],
        env={"DJANGO_SETTINGS_MODULE": "ocpo.settings", **env},
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


# -------------------------------------------------------------------------- report


def ratio(a, b):
    return round(a / b, 3) if a and b else None


def summarise(report, reference_c="16"):
    pg = report["postgres"]
    floor_json = pg["floor_django_json"]["runs"][reference_c]["rps"]
    peer = report.get("datasette", {})
    ratios = {}
    for name, result in pg.items():
        if result["kind"] in ("floor",):
            continue
        rps = result["runs"][reference_c]["rps"]
        ratios[name] = {"vs_floor": ratio(rps, floor_json)}
    pairs = {
        "api_list_two_filters": "datasette_filtered_rows",
        "full_text_search": "datasette_full_text_search",
    }
    if peer:
        for ours, theirs in pairs.items():
            ratios[ours]["vs_datasette"] = ratio(
                pg[ours]["runs"][reference_c]["rps"], peer[theirs]["runs"][reference_c]["rps"]
            )
    uncached = report.get("postgres_uncached", {})
    for name, result in uncached.items():
        rps = result["runs"][reference_c]["rps"]
        ratios[f"{name} (uncached)"] = {"vs_floor": ratio(rps, floor_json)}
        pair = pairs.get(name) if peer else None
        if pair:
            ratios[f"{name} (uncached)"]["vs_datasette"] = ratio(
                rps, peer[pair]["runs"][reference_c]["rps"]
            )
    report["ratios_at_16_connections"] = ratios
    return ratios


def print_table(report):
    print(
        f"{'server':<18} {'scenario':<28} {'conn':>4} {'req/s':>9} {'p50':>7} {'p95':>7} "
        f"{'p99':>7} {'SQL':>4} {'RSS MB':>7}"
    )
    for server in ("postgres", "postgres_uncached", "sqlite", "datasette"):
        for name, result in report.get(server, {}).items():
            for c, r in result["runs"].items():
                print(
                    f"{server:<18} {name:<28} {c:>4} {r['rps']:>9.1f} {r['p50_ms']:>7.1f} "
                    f"{r['p95_ms']:>7.1f} {r['p99_ms']:>7.1f} {str(result['sql_queries']):>4} "
                    f"{result['peak_rss_mb']:>7.1f}"
                )
    print("\nratios at 16 connections (requests/s, higher is better):")
    for name, r in report["ratios_at_16_connections"].items():
        print(f"  {name:<28} " + "  ".join(f"{k} {v}" for k, v in r.items()))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--factor", type=int, default=int(os.environ.get("BENCH_FACTOR", 1000)))
    parser.add_argument("--duration", type=int, default=int(os.environ.get("BENCH_DURATION", 10)))
    parser.add_argument("--connections", default=os.environ.get("BENCH_CONNECTIONS", "1,16,64"))
    args = parser.parse_args()
    connections = [int(c) for c in args.connections.split(",")]
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    VAR.mkdir(exist_ok=True)

    log(f"data: PostgreSQL at factor {args.factor}, SQLite at the bundled size")
    pg_env = build_postgres(args.factor)
    sqlite_env = build_sqlite(VAR / "bench-bundled.sqlite3", 0, "bench-bundled.done")
    peer_path = VAR / "bench.db"
    peer_env = build_sqlite(peer_path, args.factor, "bench-datasette.done")
    prepare_datasette_db(peer_path)
    collect_static()

    mission, country = "SYN17", None
    code = (
        "import django,json;django.setup();from missions.models import Mission;"
        f"print(Mission.objects.get(acronym='{mission}').countries.first().iso3)"
    )
    country = (
        run(
            [PYTHON, "-c", code],
            env={"DJANGO_SETTINGS_MODULE": "ocpo.settings", **pg_env},
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )

    report = {
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "settings": {
            "factor": args.factor,
            "duration_s": args.duration,
            "connections": connections,
            "gunicorn_workers": GUNICORN_WORKERS,
            "gunicorn_threads": GUNICORN_THREADS,
        },
    }
    log("ocpo on PostgreSQL")
    report["postgres"] = measure(
        gunicorn("ocpo-postgres", pg_env, 8101),
        ocpo_scenarios(mission, country) + FLOORS + conditional(mission),
        connections,
        args.duration,
        env=pg_env,
    )
    log("ocpo on PostgreSQL without the anonymous page cache (every request runs its view)")
    report["postgres_uncached"] = measure(
        gunicorn("ocpo-postgres-uncached", {**pg_env, "OCPO_ANONYMOUS_CACHE": "false"}, 8104),
        ocpo_scenarios(mission, country),
        connections,
        args.duration,
        env={**pg_env, "OCPO_ANONYMOUS_CACHE": "false"},
    )
    log("ocpo on SQLite (bundled size)")
    report["sqlite"] = measure(
        gunicorn("ocpo-sqlite", sqlite_env, 8102),
        ocpo_scenarios("UNMIL", "LBR"),
        connections,
        args.duration,
        env=sqlite_env,
    )
    log("Datasette on the same data")
    interface_id, mission_id = ids_for(peer_env, mission)
    report["datasette"] = measure(
        datasette(peer_path, 8103),
        datasette_scenarios(interface_id, mission_id),
        connections,
        args.duration,
    )

    log("CSV export of every finding, and full-text search against icontains")
    report["csv_export_memory"] = csv_memory(pg_env)
    report["search_index"] = search_comparison(pg_env)
    summarise(report)
    out = Path(os.environ.get("BENCH_OUT", ROOT / "bench-results.json"))
    out.write_text(json.dumps(report, indent=2))
    print_table(report)
    worst_ratio = min(
        (
            (name, value)
            for name, r in report["ratios_at_16_connections"].items()
            for value in r.values()
            if value is not None
        ),
        key=lambda item: item[1],
    )
    worst_p95 = max(
        (
            (f"{server}/{name}", result["runs"]["16"]["p95_ms"])
            for server in ("postgres", "postgres_uncached", "sqlite")
            for name, result in report[server].items()
            if "16" in result["runs"]
        ),
        key=lambda item: item[1],
    )
    print(f"\nCSV export: {json.dumps(report['csv_export_memory'])}")
    print(f"search: {json.dumps(report['search_index'])}")
    print(f"\nreport: {out}")
    print(
        f"SUMMARY worst ratio {worst_ratio[1]} ({worst_ratio[0]}); "
        f"worst p95 at 16 connections {worst_p95[1]:.1f} ms ({worst_p95[0]})"
    )


if __name__ == "__main__":
    main()
