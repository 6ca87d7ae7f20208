"""The benchmark checks its own answers: wrk's Lua script counts every status, a run with
an unexpected one has no throughput, and varied scenarios never repeat a path."""

import http.server
import itertools
import shutil
import threading

import pytest

from tests.benchmarks import bench

needs_wrk = pytest.mark.skipif(not shutil.which("wrk"), reason="needs wrk (apt-get install wrk)")


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


@pytest.fixture
def server():
    """A loopback server answering 429 to every third request, recording the paths asked."""
    asked, counter, lock = [], itertools.count(), threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        refuse_every = 3

        def do_GET(self):
            with lock:
                n = next(counter)
                asked.append(self.path)
            code = 429 if self.server.refuse and n % self.refuse_every == 2 else 200
            body = b"ok"
            self.send_response(code)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = _Server(("127.0.0.1", 0), Handler)
    httpd.refuse = True
    httpd.asked = asked
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def _url(httpd):
    return f"http://127.0.0.1:{httpd.server_address[1]}/"


@needs_wrk
def test_a_run_with_an_unexpected_status_fails_and_has_no_throughput(server):
    result = bench.wrk(_url(server), 2, 1)
    assert result["statuses"]["429"] > 0
    assert result["statuses"]["200"] > 0
    assert sum(result["statuses"].values()) == result["requests"]
    assert "expected every answer 200" in result["failed"]
    assert result["rps"] is None


@needs_wrk
def test_a_run_whose_answers_are_all_expected_has_a_throughput(server):
    server.refuse = False
    result = bench.wrk(_url(server), 2, 1)
    assert "failed" not in result
    assert result["statuses"] == {"200": result["requests"]}
    assert result["rps"] > 0


def test_a_run_with_a_timeout_fails_and_keeps_only_its_raw_counts():
    """One request of 45 not answered within wrk's timeout: the 44 answers were all 200,
    but neither their rate nor their latencies are the run's."""
    run = {"requests": 44, "duration_us": 10_057_566, "socket_errors": 1, "http_errors": 0}
    run.update(p50_ms=6044.5, p95_ms=9318.1, p99_ms=9859.1, statuses={"200": 44})
    result = bench.judge(run, 200)
    assert result["failed"] == "1 connection errors or timeouts"
    assert [result[k] for k in ("rps", "p50_ms", "p95_ms", "p99_ms")] == [None] * 4
    assert (result["requests"], result["socket_errors"], result["statuses"]) == (
        44,
        1,
        {"200": 44},
    )
    assert bench.failures({"postgres_uncached": {"list": {"runs": {"64": result}}}}) == [
        "postgres_uncached/list c=64: 1 connection errors or timeouts"
    ]


@needs_wrk
def test_a_redirect_is_unexpected_too(server):
    """wrk counts only statuses >= 400 as errors; a 200 expected where 304 was is caught."""
    server.refuse = False
    result = bench.wrk(_url(server), 1, 1, expected=304)
    assert result["failed"] and result["rps"] is None


@needs_wrk
def test_varied_paths_are_not_repeated_across_wrk_threads(server):
    server.refuse = False
    paths = [f"/q/{n}" for n in range(200_000)]
    result = bench.wrk(_url(server), 4, 1, paths=paths)
    asked = server.asked
    assert result["requests"] <= len(asked) < len(paths)
    assert len(set(asked)) == len(asked)  # each request a query not asked before
    assert set(asked) <= set(paths)


def test_ratios_leave_out_failed_runs_and_failures_are_listed():
    ok = {"rps": 100.0, "p95_ms": 5.0}
    bad = {"rps": None, "failed": "expected every answer 200, got {'429': 9}"}

    def result(kind, run):
        return {"kind": kind, "path": "/", "runs": {"16": run}, "sql_queries": 1}

    report = {
        "postgres": {
            "floor_django_json": result("floor", {"rps": 1000.0}),
            "api_list_two_filters": result("api_list", bad),
            "home_page": result("html_list", ok),
        },
        "postgres_uncached": {
            "floor_django_json": result("floor", {"rps": 500.0}),
            "api_list_two_filters": result("api_list", ok),
        },
        "datasette": {"datasette_filtered_rows": result("peer", {"rps": 50.0})},
    }
    ratios = bench.summarise(report)
    assert ratios["api_list_two_filters"]["cached_vs_floor"] is None
    assert ratios["api_list_two_filters"]["cached_vs_datasette"] is None
    assert ratios["api_list_two_filters"]["uncached_vs_floor"] == 0.2
    assert ratios["api_list_two_filters"]["uncached_vs_datasette"] == 2.0
    assert ratios["home_page"]["cached_vs_floor"] == 0.1
    assert bench.failures(report) == [
        "postgres/api_list_two_filters c=16: expected every answer 200, got {'429': 9}"
    ]


def test_filter_combinations_are_distinct():
    combos = bench.filter_combinations(["a", "b", "c"], [f"M{n}" for n in range(100)], 250, 1)
    assert len(combos) == len(set(combos)) == 250


def test_fifty_search_words():
    assert len(set(bench.SEARCH_WORDS)) == len(bench.SEARCH_WORDS) == 50
