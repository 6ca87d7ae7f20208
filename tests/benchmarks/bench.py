"""make bench: ocpo under gunicorn against its floors and Datasette, in one run.

Builds (or reuses) the data sets — PostgreSQL at --factor (default 1000) and SQLite at the
bundled size, plus a SQLite copy of the factor data for Datasette — starts each server on
loopback, warms it up, loads it with wrk at 1, 16 and 64 connections and writes a JSON
report (BENCH_OUT, default bench-results.json).

Every scenario runs twice, on a server with the anonymous page cache and on one without
it (every request runs its view), and is reported side by side. Scenarios that vary the
query per request (a filter combination or a search word not asked before) and a record
page read right after an editor's write show what the cache cannot help with.

Every answer's status is checked (``wrk_report.lua`` counts them): a run with any answer
other than the expected status, or any connection error, is reported as FAILED without a
throughput, and the whole bench exits non-zero. The anonymous API rate limit is lifted for
the load generator by the documented setting ``OCPO_API_ANON_RATE`` (recorded in the
report): wrk sends everything from one address.
"""

import argparse
import json
import os
import platform
import random
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
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
CACHE_URL = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/1")

# Settings the bench overrides in ocpo's production configuration, recorded in the report.
# The per-address limits (API, pages, cache fills) stay on, as their Redis counting is part
# of every answer's cost, but at a rate one load generator on one address cannot reach.
OVERRIDES = {
    "OCPO_API_ANON_RATE": "1000000/minute",
    "OCPO_PAGE_ANON_RATE": "1000000/minute",
    # New cache entries per address (120/minute): from one address, a scenario that varies
    # its query would use it up and leave the next scenarios' answers served but not kept.
    "OCPO_CACHE_FILL_RATE": "1000000/minute",
    "SECURE_SSL_REDIRECT": "false",  # loopback has no TLS proxy in front
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "CONN_MAX_AGE": "60",
    "CACHE_URL": CACHE_URL,
}

# The search words the varied search draws from: domain words the data holds (the bundled
# records and the synthetic ones), each matching from a handful to thousands of records.
SEARCH_WORDS = (
    "cocaine diamond smuggling arms embargo gangs elite corruption police mission border "
    "port airport rubber plantation sanctions panel resolution report capacity building "
    "security sector reform peace process spoilers illicit economy human trafficking piracy "
    "kidnapping protection rackets intelligence analysis drug timber gold heroin opium "
    "militia prison justice customs election Liberia Haiti Kosovo"
).split()


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
    """PostgreSQL at ``factor``: the bundled knowledge base plus synthetic records.

    A database built before is reused (generating factor 1000 takes minutes) but always
    migrated, so a schema change since is measured.
    """
    wanted = f"factor={factor} seed={SEED} {PG_URL}"
    marker = VAR / "bench-postgres.done"
    env = {"DATABASE_URL": PG_URL}
    if marker_ok(marker, wanted):
        log(f"reusing {PG_URL} (factor {factor})")
        manage(env, "migrate", "--verbosity", "0")
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


def build_sqlite(path, factor, marker_name, served_by_ocpo=True):
    """A SQLite file with the bundled data, plus synthetic records when factor > 0.

    A file ocpo serves is migrated when reused; Datasette's copy is left as it was built
    (its full-text table, made by sqlite-utils, replaces ocpo's own of the same name).
    """
    wanted = f"factor={factor} seed={SEED}"
    marker = VAR / marker_name
    env = {"DATABASE_URL": f"sqlite:///{path}"}
    if path.exists() and marker_ok(marker, wanted):
        if served_by_ocpo:
            manage(env, "migrate", "--verbosity", "0")
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
        ("interfaces_findingmission", "mission_id"),
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


def editor_token(env):
    """An API token for the editor whose writes the after-a-write scenario makes."""
    out = run(
        [PYTHON, "manage.py", "create_editor", "bench-editor"],
        env={**env, "OCPO_EDITOR_PASSWORD": "bench-editor-password-123"},
        capture_output=True,
        text=True,
    ).stdout
    return out.rsplit("API token: ", 1)[1].strip()


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
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:  # requests still running past gunicorn's grace
            os.killpg(self.process.pid, signal.SIGKILL)
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


def production_env(env):
    return {
        "DJANGO_SETTINGS_MODULE": "tests.benchmarks.settings",
        "OCPO_ENV": "production",
        "SECRET_KEY": "bench-" + "x" * 50,
        **OVERRIDES,
        **env,
    }


def gunicorn(name, env, port):
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
    return Server(name, args, production_env(env), port)


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


def problems(result, expected):
    """What is wrong with a run: any answer of another status, any connection error."""
    found = []
    unexpected = {c: n for c, n in result.get("statuses", {}).items() if int(c) != expected}
    if unexpected:
        found.append(f"expected every answer {expected}, got {json.dumps(result['statuses'])}")
    if result.get("socket_errors"):
        found.append(f"{result['socket_errors']} connection errors or timeouts")
    if not result.get("requests"):
        found.append("no answer at all")
    return found


def judge(result, expected):
    """Throughput only for a run whose every answer was the expected one; else FAILED."""
    result["expected_status"] = expected
    found = problems(result, expected)
    if found:
        fail(result, "; ".join(found))
    else:
        result["rps"] = round(result["requests"] / (result["duration_us"] / 1e6), 1)
    return result


def fail(result, why):
    """A failed run has no figures, only its raw counts (answers by status, connection
    errors): error answers are not throughput, and the latencies of the answers that did
    come leave out the requests that timed out."""
    result["failed"] = why
    result.update(rps=None, p50_ms=None, p95_ms=None, p99_ms=None)


def wrk(url, connections, duration, header=None, paths=None, expected=200):
    threads = min(connections, 2)
    env = {**os.environ, "WRK_THREADS": str(threads)}
    if header:
        env["WRK_HEADER"] = header
    if paths:
        with tempfile.NamedTemporaryFile("w", suffix=".paths", delete=False) as handle:
            handle.write("\n".join(paths))
        env["WRK_PATHS_FILE"] = handle.name
    try:
        out = subprocess.run(
            [
                "wrk",
                f"-t{threads}",
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
    finally:
        if paths:
            os.unlink(env["WRK_PATHS_FILE"])
    line = next(line for line in out.splitlines() if line.startswith("WRK_JSON "))
    return judge(json.loads(line.removeprefix("WRK_JSON ")), expected)


def after_write(base, token, connections, duration, acronyms):
    """Each client edits a mission through the API, then reads its profile page; timed reads.

    A write changes the data state, so the page read after it is never a cached one (on a
    server with the cache, the write empties it): this is what a reader meets after an
    editor's change. Only the reads are counted; every write must answer 200 as well.
    """
    deadline = time.monotonic() + duration
    latencies, statuses, write_statuses, errors = [], {}, {}, [0]
    lock = threading.Lock()
    counter = iter(range(10**9))

    def client():
        while time.monotonic() < deadline:
            with lock:
                acronym = acronyms[next(counter) % len(acronyms)]
            body = json.dumps({"summary": f"Edited by the benchmark at {time.time():.6f}."})
            write = urllib.request.Request(
                f"{base}/api/v1/missions/{acronym}/",
                data=body.encode(),
                method="PATCH",
                headers={"Content-Type": "application/json", "Authorization": f"Token {token}"},
            )
            try:
                code = _status(write)
                start = time.perf_counter()
                read_code = _status(f"{base}/missions/{acronym}/")
                elapsed = time.perf_counter() - start
            except OSError:
                with lock:
                    errors[0] += 1
                continue
            with lock:
                write_statuses[str(code)] = write_statuses.get(str(code), 0) + 1
                statuses[str(read_code)] = statuses.get(str(read_code), 0) + 1
                latencies.append(elapsed * 1000)

    started = time.monotonic()
    workers = [threading.Thread(target=client) for _ in range(connections)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed_us = int((time.monotonic() - started) * 1e6)
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0] * 99
    result = {
        "requests": len(latencies),
        "duration_us": elapsed_us,
        "socket_errors": errors[0],
        "http_errors": sum(n for c, n in statuses.items() if int(c) >= 400),
        "p50_ms": round(cuts[49], 3),
        "p95_ms": round(cuts[94], 3),
        "p99_ms": round(cuts[98], 3),
        "statuses": statuses,
        "write_statuses": write_statuses,
    }
    judge(result, 200)
    if any(code != "200" for code in write_statuses):
        fail(result, f"writes answered {json.dumps(write_statuses)}")
    return result


def _status(request):
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def count_queries(env, urls):
    out = run(
        [PYTHON, "tests/benchmarks/count_queries.py", *urls],
        env=production_env(env),
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def etag_of(url):
    with urllib.request.urlopen(url) as response:
        return response.headers["ETag"]


def measure(server, scenarios, connections, duration, env=None, token=None):
    """Load every scenario on a fresh start of ``server``; per scenario and concurrency."""
    results = {}
    queries = count_queries(env, [s["path"] for s in scenarios]) if env else {}
    for scenario in scenarios:
        with server:
            base = f"http://127.0.0.1:{server.port}"
            url = base + scenario["path"]
            paths = scenario.get("paths")
            header, expected = None, 200
            if scenario.get("conditional"):
                header, expected = f"If-None-Match: {etag_of(url)}", 304
            runs = {}
            if scenario["kind"] == "after_write":
                for c in connections:
                    runs[str(c)] = after_write(base, token, c, duration, scenario["acronyms"])
                    report_run(scenario["name"], c, runs[str(c)])
            else:
                # The warm-up asks for other paths than the runs do: a varied scenario's
                # paths stay unseen by the cache.
                warm = paths[-200:] if paths else None
                warm_up = wrk(url, 4, 2, header, warm, expected)
                if warm_up.get("failed"):
                    log(f"  FAILED {scenario['name']} warm-up: {warm_up['failed']}")
                for index, c in enumerate(connections):
                    part = _share(paths[:-200], index, len(connections)) if paths else None
                    runs[str(c)] = wrk(url, c, duration, header, part, expected)
                    report_run(scenario["name"], c, runs[str(c)])
            results[scenario["name"]] = {
                "path": scenario["path"],
                "kind": scenario["kind"],
                "varied": len(paths) if paths else None,
                "runs": runs,
                "sql_queries": queries.get(scenario["path"], {}).get("queries"),
                "peak_rss_mb": server.peak_rss_mb(),
            }
    return results


def _share(paths, index, parts):
    """The ``index``-th of ``parts`` disjoint slices: each load level asks unseen paths."""
    size = len(paths) // parts
    return paths[index * size : (index + 1) * size]


def report_run(name, connections, result):
    if result.get("failed"):
        log(f"  FAILED {name:<26} c={connections:<3} {result['failed']}")
    else:
        log(
            f"  {name:<33} c={connections:<3} {result['rps']:>9} req/s  "
            f"p95 {result['p95_ms']:.1f} ms"
        )


def csv_memory(env, port=8105):
    """Stream the full findings CSV through one worker: its speed and peak memory growth."""
    server = gunicorn("ocpo-csv", {**env, "OCPO_ANONYMOUS_CACHE": "false"}, port)
    server.args[server.args.index("--workers") + 1] = "1"
    with server:
        base = f"http://127.0.0.1:{port}/api/v1/findings/"
        urllib.request.urlopen(base + "?limit=1").read()
        before = server.peak_rss_mb()
        start, rows, size = time.monotonic(), 0, 0
        with urllib.request.urlopen(base + "?format=csv", timeout=600) as response:
            status = response.status
            for line in response:
                rows += 1
                size += len(line)
        seconds = time.monotonic() - start
        after = server.peak_rss_mb()
    return {
        "status": status,
        "rows": rows - 1,
        "megabytes": round(size / 1e6, 1),
        "seconds": round(seconds, 1),
        "rows_per_s": round((rows - 1) / seconds),
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


def filter_combinations(interfaces, missions, count, seed):
    """``count`` distinct (interface, mission) pairs in a random order: queries not asked
    before, as each researcher's own filter combination is."""
    rnd = random.Random(seed)
    total = len(interfaces) * len(missions)
    picks = rnd.sample(range(total), min(count, total))
    return [(interfaces[p % len(interfaces)], missions[p // len(interfaces)]) for p in picks]


def word_paths(template, seed, count=4000):
    """Search paths with words drawn from ``SEARCH_WORDS`` (50 words), in a random order."""
    rnd = random.Random(seed)
    return [template.format(word=rnd.choice(SEARCH_WORDS)) for _ in range(count)]


def ocpo_scenarios(mission, country, interfaces, missions, interface="oc-fuels-conflict"):
    combos = filter_combinations(interfaces, missions, 20000, SEED)
    return [
        {
            "name": "api_list_two_filters",
            "kind": "api_list",
            "path": f"/api/v1/findings/?interface={interface}&mission={mission}",
        },
        {
            "name": "api_list_varied_filters",
            "kind": "api_list",
            "path": f"/api/v1/findings/?interface={combos[0][0]}&mission={combos[0][1]}",
            "paths": [f"/api/v1/findings/?interface={i}&mission={m}" for i, m in combos],
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
        {
            "name": "search_varied_words",
            "kind": "html_search",
            "path": "/search/?q=cocaine",
            "paths": word_paths("/search/?q={word}", SEED),
        },
        {"name": "home_page", "kind": "html_list", "path": "/"},
        {"name": "matrix_page", "kind": "html_list", "path": "/matrix/"},
        {"name": "mission_profile_page", "kind": "html_detail", "path": f"/missions/{mission}/"},
        {
            "name": "mission_page_after_write",
            "kind": "after_write",
            "path": f"/missions/{mission}/",
            "acronyms": missions[: len(missions) // 2],
        },
        {
            "name": "filtered_list_page",
            "kind": "html_list",
            "path": f"/findings/?interface={interface}&mission={mission}",
        },
        {
            "name": "filtered_list_varied",
            "kind": "html_list",
            "path": f"/findings/?interface={combos[0][0]}&mission={combos[0][1]}",
            "paths": [f"/findings/?interface={i}&mission={m}" for i, m in reversed(combos)],
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


def datasette_scenarios(path, mission, interfaces, missions):
    """Datasette's answers to the same questions: filtered rows and full-text search."""
    with sqlite3.connect(path) as db:
        interface_ids = dict(db.execute("select slug, id from interfaces_interface"))
        mission_ids = dict(db.execute("select acronym, id from missions_mission"))

    def rows(interface, acronym):
        where = (
            "id in (select finding_id from interfaces_findingmission "
            f"where mission_id={mission_ids[acronym]})"
        )
        return (
            f"/bench/interfaces_finding.json?interface_id={interface_ids[interface]}&_where="
            + urllib.parse.quote(where)
            + "&_size=50"
        )

    combos = filter_combinations(interfaces, missions, 20000, SEED)
    search = "/bench/interfaces_finding.json?_search={word}&_size=50"
    return [
        {
            "name": "datasette_filtered_rows",
            "kind": "peer",
            "path": rows("oc-fuels-conflict", mission),
        },
        {
            "name": "datasette_filtered_varied",
            "kind": "peer",
            "path": rows(*combos[0]),
            "paths": [rows(i, m) for i, m in combos],
        },
        {
            "name": "datasette_full_text_search",
            "kind": "peer",
            "path": search.format(word="cocaine"),
        },
        {
            "name": "datasette_search_varied",
            "kind": "peer",
            "path": search.format(word="cocaine"),
            "paths": word_paths(search, SEED),
        },
    ]


# Which Datasette scenario answers the same question as which of ours.
PEERS = {
    "api_list_two_filters": "datasette_filtered_rows",
    "api_list_varied_filters": "datasette_filtered_varied",
    "full_text_search": "datasette_full_text_search",
    "search_varied_words": "datasette_search_varied",
}


def django_query(env, code):
    out = run(
        [PYTHON, "-c", "import django,json;django.setup();" + code],
        env={"DJANGO_SETTINGS_MODULE": "ocpo.settings", **env},
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


# -------------------------------------------------------------------------- report


def ratio(a, b):
    return round(a / b, 3) if a and b else None


def rps_at(result, c):
    run_ = result["runs"].get(c) if result else None
    return run_["rps"] if run_ else None


def summarise(report, reference_c="16"):
    """Ratios at ``reference_c`` connections, cached and uncached side by side.

    Each server's scenarios are divided by that server's own floor (a constant JSON view
    through the same middleware), and the varied and fixed scenarios by Datasette's answer
    to the same question. A FAILED run has no throughput, so no ratio.
    """
    peer = report.get("datasette", {})
    ratios = {}
    for server in ("postgres", "postgres_uncached"):
        results = report.get(server, {})
        floor = rps_at(results.get("floor_django_json"), reference_c)
        for name, result in results.items():
            if result["kind"] == "floor":
                continue
            rps = rps_at(result, reference_c)
            entry = ratios.setdefault(name, {})
            label = "cached" if server == "postgres" else "uncached"
            entry[f"{label}_vs_floor"] = ratio(rps, floor)
            if name in PEERS and peer:
                entry[f"{label}_vs_datasette"] = ratio(rps, rps_at(peer[PEERS[name]], reference_c))
    report["ratios_at_16_connections"] = ratios
    return ratios


def failures(report):
    """Every run that failed, as ``server/scenario c=N: why``."""
    found = []
    for server, results in report.items():
        if not isinstance(results, dict):
            continue
        for name, result in results.items():
            if not isinstance(result, dict) or "runs" not in result:
                continue
            for c, r in result["runs"].items():
                if r.get("failed"):
                    found.append(f"{server}/{name} c={c}: {r['failed']}")
    return found


def _cell(result, c, key):
    run_ = result["runs"].get(c) if result else None
    if not run_:
        return "-"
    if run_.get("failed"):
        return "FAILED"
    return f"{run_[key]:.1f}"


def print_table(report):
    print("cached | uncached, per scenario (req/s and p95 ms; FAILED: unexpected answers)")
    print(
        f"{'scenario':<28} {'conn':>4} {'req/s':>9} {'p95':>8} | {'req/s':>9} {'p95':>8} {'SQL':>4}"
    )
    cached, uncached = report.get("postgres", {}), report.get("postgres_uncached", {})
    for name in dict.fromkeys([*cached, *uncached]):
        a, b = cached.get(name), uncached.get(name)
        for c in (a or b)["runs"]:
            print(
                f"{name:<28} {c:>4} {_cell(a, c, 'rps'):>9} {_cell(a, c, 'p95_ms'):>8} | "
                f"{_cell(b, c, 'rps'):>9} {_cell(b, c, 'p95_ms'):>8} "
                f"{str((b or a)['sql_queries']):>4}"
            )
    for server in ("sqlite", "datasette"):
        for name, result in report.get(server, {}).items():
            for c in result["runs"]:
                print(
                    f"{server + '/' + name:<28} {c:>4} {_cell(result, c, 'rps'):>9} "
                    f"{_cell(result, c, 'p95_ms'):>8}"
                )
    print("\nratios at 16 connections (requests/s, higher is better):")
    for name, r in report["ratios_at_16_connections"].items():
        print(f"  {name:<28} " + "  ".join(f"{k} {v}" for k, v in r.items()))


def machine():
    """What the figures were measured on, and how busy it was (other work runs beside)."""
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        model = next(
            (
                line.split(":", 1)[1].strip()
                for line in cpuinfo.read_text().splitlines()
                if line.startswith("model name")
            ),
            "",
        )
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kb = int(meminfo.read_text().split()[1])
        memory = f"{kb / 1024 / 1024:.1f} GiB"
    return {
        "host": platform.node(),
        "cpu": model,
        "cpus": os.cpu_count(),
        "memory": memory,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "load_average_at_start": os.getloadavg(),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--factor", type=int, default=int(os.environ.get("BENCH_FACTOR", 1000)))
    parser.add_argument("--duration", type=int, default=int(os.environ.get("BENCH_DURATION", 10)))
    parser.add_argument("--connections", default=os.environ.get("BENCH_CONNECTIONS", "1,16,64"))
    parser.add_argument(
        "--only",
        default=os.environ.get("BENCH_ONLY", ""),
        help="Comma-separated scenario names: measure these alone (for profiling work).",
    )
    args = parser.parse_args()
    connections = [int(c) for c in args.connections.split(",")]
    only = set(filter(None, args.only.split(",")))
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    VAR.mkdir(exist_ok=True)

    def chosen(scenarios):
        if not only:
            return scenarios
        return [s for s in scenarios if s["name"] in only or s["kind"] == "floor"]

    log(f"data: PostgreSQL at factor {args.factor}, SQLite at the bundled size")
    pg_env = build_postgres(args.factor)
    sqlite_env = build_sqlite(VAR / "bench-bundled.sqlite3", 0, "bench-bundled.done")
    peer_path = VAR / "bench.db"
    build_sqlite(peer_path, args.factor, "bench-datasette.done", served_by_ocpo=False)
    prepare_datasette_db(peer_path)
    collect_static()

    mission = "SYN17"
    country, interfaces, missions = django_query(
        pg_env,
        "from missions.models import Mission;from interfaces.models import Interface;"
        f"print(json.dumps([Mission.objects.get(acronym='{mission}').countries.first().iso3,"
        "list(Interface.objects.values_list('slug', flat=True)),"
        "list(Mission.objects.filter(acronym__startswith='SYN')"
        ".values_list('acronym', flat=True))]))",
    )
    token = editor_token(pg_env)

    report = {
        "machine": machine(),
        "settings": {
            "factor": args.factor,
            "duration_s": args.duration,
            "connections": connections,
            "gunicorn_workers": GUNICORN_WORKERS,
            "gunicorn_threads": GUNICORN_THREADS,
            "production_settings_overridden": OVERRIDES,
            "uncached_server": {"OCPO_ANONYMOUS_CACHE": "false"},
        },
    }
    scenarios = ocpo_scenarios(mission, country, interfaces, missions)
    log("ocpo on PostgreSQL with the anonymous page cache")
    report["postgres"] = measure(
        gunicorn("ocpo-postgres", pg_env, 8101),
        chosen(scenarios + FLOORS + conditional(mission)),
        connections,
        args.duration,
        env=pg_env,
        token=token,
    )
    log("ocpo on PostgreSQL without the anonymous page cache (every request runs its view)")
    uncached_env = {**pg_env, "OCPO_ANONYMOUS_CACHE": "false"}
    report["postgres_uncached"] = measure(
        gunicorn("ocpo-postgres-uncached", uncached_env, 8104),
        chosen(scenarios + FLOORS[1:]),
        connections,
        args.duration,
        env=uncached_env,
        token=token,
    )
    if not only:
        log("ocpo on SQLite (bundled size)")
        bundled = [
            s
            for s in ocpo_scenarios("UNMIL", "LBR", interfaces, ["UNMIL", "MINUSTAH", "UNMIK"])
            if s["kind"] != "after_write" and "paths" not in s  # too few records to vary
        ]
        report["sqlite"] = measure(
            gunicorn("ocpo-sqlite", sqlite_env, 8102),
            bundled,
            connections,
            args.duration,
            env=sqlite_env,
        )
    peers = [
        s
        for s in datasette_scenarios(peer_path, mission, interfaces, missions)
        if not only or any(PEERS.get(name) == s["name"] for name in only)
    ]
    if peers:
        log("Datasette on the same data (no cache of its own)")
        report["datasette"] = measure(datasette(peer_path, 8103), peers, connections, args.duration)

    if not only or "csv_export_filtered" in only:
        log("CSV export of every finding, one client")
        report["csv_export_memory"] = csv_memory(pg_env)
    if not only:
        report["search_index"] = search_comparison(pg_env)
    report["machine"]["load_average_at_end"] = os.getloadavg()
    summarise(report)
    failed = failures(report)
    report["failed_runs"] = failed
    out = Path(os.environ.get("BENCH_OUT", ROOT / "bench-results.json"))
    out.write_text(json.dumps(report, indent=2))
    print_table(report)
    if "csv_export_memory" in report:
        print(f"\nCSV export: {json.dumps(report['csv_export_memory'])}")
    if "search_index" in report:
        print(f"search: {json.dumps(report['search_index'])}")
    print(f"\nreport: {out}")
    if failed:
        print(f"\nBENCH FAILED: {len(failed)} runs had unexpected answers:", file=sys.stderr)
        for line in failed:
            print(f"  {line}", file=sys.stderr)
        sys.exit(1)
    print("BENCH passed: every answer had the expected status")


if __name__ == "__main__":
    main()
