"""The deployment as its clients meet it: nginx, two app servers, a primary and a replica
behind pgbouncer, Redis. Each test breaks or delays a part and checks what a client sees."""

import csv
import io
import json
import os
import subprocess
import time
import urllib.error
import urllib.request
import uuid

import pytest

from deploy import cluster

PRIMARY, REPLICA = cluster.PORTS["primary"], cluster.PORTS["replica"]


def get(base, path, headers=None):
    request = urllib.request.Request(base + path, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=15) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def send(base, method, path, body, token):
    request = urllib.request.Request(
        base + path,
        data=json.dumps(body).encode(),
        method=method,
        headers={"Content-Type": "application/json", "Authorization": f"Token {token}"},
    )
    with urllib.request.urlopen(request, timeout=15) as answer:
        return answer.status, json.loads(answer.read())


def sql(port, query):
    return cluster.psql(port, query, cluster.DATABASE)


def rows_read(port):
    return int(sql(port, "SELECT tup_returned FROM pg_stat_database WHERE datname = 'ocpo'"))


def health(base):
    return json.loads(get(base, "/healthz")[2])


@pytest.fixture(scope="module")
def token(running_cluster):
    from tests.cluster.soak_failures import editor_token

    return editor_token()


@pytest.fixture
def replica_delayed():
    """The replica applies the primary's changes 4 s late, as a loaded replica would."""
    sql(REPLICA, "ALTER SYSTEM SET recovery_min_apply_delay = '4s'")
    sql(REPLICA, "SELECT pg_reload_conf()")
    yield
    sql(REPLICA, "ALTER SYSTEM RESET recovery_min_apply_delay")
    sql(REPLICA, "SELECT pg_reload_conf()")


def test_anonymous_reads_are_answered_by_the_replica(running_cluster):
    before = rows_read(REPLICA)
    for offset in range(5):  # distinct URLs: the page cache cannot answer them
        status, _, _ = get(running_cluster, f"/api/v1/findings/?offset={offset}&limit=7")
        assert status == 200
    assert rows_read(REPLICA) > before


def test_an_editor_reads_their_write_at_once_though_the_replica_lags(
    running_cluster, token, replica_delayed
):
    slug = f"ryw-{uuid.uuid4().hex[:8]}"
    number = int(sql(PRIMARY, "SELECT coalesce(max(number), 0) + 1 FROM interfaces_question"))
    status, _ = send(
        running_cluster,
        "POST",
        "/api/v1/questions/",
        {"number": number, "slug": slug, "text": "Before?"},
        token,
    )
    assert status == 201
    status, _ = send(
        running_cluster, "PATCH", f"/api/v1/questions/{slug}/", {"text": "After?"}, token
    )
    assert status == 200

    status, _, body = get(
        running_cluster, f"/api/v1/questions/{slug}/", {"Authorization": f"Token {token}"}
    )
    # The replica has not applied the write yet, so only the primary could answer this.
    assert sql(REPLICA, f"SELECT count(*) FROM interfaces_question WHERE slug = '{slug}'") == "0"
    assert status == 200
    assert json.loads(body)["text"] == "After?"


def test_reads_fall_back_to_the_primary_while_the_replica_is_down(running_cluster):
    cluster.stop_postgres("replica", "immediate")
    try:
        statuses = [
            get(running_cluster, f"/api/v1/documents/?offset={n}&limit=3")[0] for n in range(12)
        ]
        statuses += [get(running_cluster, f"/findings/?page={n}")[0] for n in (1, 2)]
        assert set(statuses) == {200}
        replica = health(running_cluster)["replica"]
        assert replica["status"] == "degraded"
        assert replica["reads_from"] == "default"
    finally:
        cluster.start_postgres("replica", cluster.VAR / "pg-replica")
    deadline = time.monotonic() + 30
    while health(running_cluster)["replica"]["status"] != "ok":
        assert time.monotonic() < deadline, "the replica did not come back"
        time.sleep(0.5)


def test_health_reports_the_replica_lag(running_cluster):
    replica = health(running_cluster)["replica"]
    assert replica["status"] == "ok"
    assert isinstance(replica["lag_seconds"], float)
    assert replica["lag_seconds"] <= replica["max_lag_seconds"]


def test_a_killed_app_server_costs_clients_nothing(running_cluster):
    workers = subprocess.run(
        ["pgrep", "-g", str(os.getpgid(int((cluster.RUN / "app1.pid").read_text())))],
        capture_output=True,
        text=True,
    ).stdout.split()
    cluster.crash_app("app1")
    deadline = time.monotonic() + 5
    while any(os.path.exists(f"/proc/{pid}") for pid in workers):
        assert time.monotonic() < deadline, "the app server's workers survived kill -9"
        time.sleep(0.1)
    try:
        statuses = [
            get(running_cluster, f"/api/v1/missions/?offset={n % 10}&limit={n // 10 + 1}")[0]
            for n in range(30)
        ]
        assert set(statuses) == {200}
    finally:
        cluster.start_app("app1")


def test_static_files_come_from_nginx_with_far_future_caching(running_cluster):
    hashed = next((cluster.ROOT / "staticfiles" / "ocpo").glob("ocpo.*.css")).name
    status, headers, _ = get(running_cluster, f"/static/ocpo/{hashed}")
    assert status == 200
    assert headers["Server"].startswith("nginx")
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_links_name_the_host_and_port_the_client_used(running_cluster):
    status, _, body = get(running_cluster, "/api/v1/missions/UNMIL/")
    assert status == 200
    assert json.loads(body)["url"] == f"{running_cluster}/api/v1/missions/UNMIL/"


def test_public_pages_may_be_cached_and_editors_answers_may_not(running_cluster, token):
    status, headers, _ = get(running_cluster, "/missions/")
    assert status == 200
    assert "public" in headers["Cache-Control"] and "max-age=" in headers["Cache-Control"]
    assert headers["ETag"]
    status, headers, _ = get(
        running_cluster, "/api/v1/missions/", {"Authorization": f"Token {token}"}
    )
    assert status == 200
    assert "private" in headers["Cache-Control"] and "no-store" in headers["Cache-Control"]


def test_app_servers_listen_on_loopback_only(running_cluster):
    listening = subprocess.run(["ss", "-ltnH"], capture_output=True, text=True).stdout
    for name in ("app1", "app2", "nginx", "pgbouncer-primary", "pgbouncer-replica"):
        port = cluster.PORTS[name]
        addresses = [
            line.split()[3] for line in listening.splitlines() if f":{port} " in line + " "
        ]
        assert addresses and all(a.startswith("127.0.0.1:") for a in addresses), (name, addresses)


def test_csv_exports_stream_whole_through_the_transaction_pooler(running_cluster):
    """Concurrent downloads: each one's cursor must stay on its pgbouncer server connection."""
    from concurrent.futures import ThreadPoolExecutor

    expected = json.loads(get(running_cluster, "/api/v1/findings/?limit=1")[2])["count"]

    def download(n):
        status, _, body = get(running_cluster, f"/api/v1/findings/?format=csv&offset={n}")
        return status, len(list(csv.reader(io.StringIO(body.decode())))) - 1

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(download, range(24)))
    assert answers == [(200, expected)] * 24
