"""One request's cost, in process: wall and CPU time, queries and their time, a profile.

On a machine shared with other work, throughput under load says little; the cost of one
request does. This runs ocpo in its production settings (the page cache off unless
``--cached``) against ``DATABASE_URL`` and serves each path ``--repeat`` times through the
whole middleware stack, after one warm-up request:

    DATABASE_URL=postgres://.../ocpo_bench .venv/bin/python tests/benchmarks/profile_request.py \
        /matrix/ "/missions/SYN17/" --repeat 5 [--profile] [--explain]

It prints, per path, the median wall and CPU milliseconds, the number of queries and the
milliseconds spent waiting for them; ``--profile`` adds a pyinstrument profile of one
request, ``--explain`` the slowest queries with ``EXPLAIN (ANALYZE, BUFFERS)``.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "tests.benchmarks.settings",
    "OCPO_ENV": "production",
    "SECRET_KEY": "profile-" + "x" * 50,
    "OCPO_API_ANON_RATE": "1000000/minute",
    "OCPO_PAGE_ANON_RATE": "1000000/minute",
    "SECURE_SSL_REDIRECT": "false",
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "CONN_MAX_AGE": "60",
}


class QueryLog:
    """Every query's SQL and duration (a database execute wrapper: DEBUG stays off)."""

    def __init__(self):
        self.queries = []

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append((time.perf_counter() - start, sql, params))


def serve(client, path):
    response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"{path}: status {response.status_code}")
    if response.streaming:
        return sum(len(chunk) for chunk in response.streaming_content)
    return len(response.content)


def measure(client, path, repeat):
    from django.db import connection

    serve(client, path)  # warm-up: connection, URL resolver, templates, aggregate cache
    runs = []
    for _ in range(repeat):
        log = QueryLog()
        with connection.execute_wrapper(log):
            wall, cpu = time.perf_counter(), time.process_time()
            size = serve(client, path)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        runs.append((wall, cpu, log, size))
    wall = statistics.median(r[0] for r in runs) * 1000
    cpu = statistics.median(r[1] for r in runs) * 1000
    log = runs[-1][2]
    return {
        "path": path,
        "wall_ms": round(wall, 1),
        "cpu_ms": round(cpu, 1),
        "queries": len(log.queries),
        "query_ms": round(sum(q[0] for q in log.queries) * 1000, 1),
        "bytes": runs[-1][3],
        "slowest": sorted(log.queries, key=lambda q: q[0], reverse=True)[:3],
    }


def explain(sql, params):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--cached", action="store_true", help="keep the anonymous page cache")
    parser.add_argument("--profile", action="store_true", help="pyinstrument, one request")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN the slowest queries")
    parser.add_argument("--json", action="store_true", help="one JSON line per path")
    args = parser.parse_args()

    for name, value in PRODUCTION.items():
        os.environ.setdefault(name, value)
    if not args.cached:
        os.environ["OCPO_ANONYMOUS_CACHE"] = "false"
    import django

    django.setup()
    from django.test import Client

    client = Client()
    for path in args.paths:
        result = measure(client, path, args.repeat)
        slowest = result.pop("slowest")
        if args.json:
            print(json.dumps(result))
        else:
            print(
                f"{path}: {result['wall_ms']} ms wall, {result['cpu_ms']} ms CPU, "
                f"{result['queries']} queries in {result['query_ms']} ms, {result['bytes']} bytes"
            )
        if args.explain:
            for seconds, sql, params in slowest:
                print(f"--- {seconds * 1000:.1f} ms: {sql[:300]}")
                print(explain(sql, params))
        if args.profile:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005)
            with profiler:
                serve(client, path)
            print(profiler.output_text(unicode=False, color=False, show_all=False))


if __name__ == "__main__":
    main()
