"""The whole deployment on one machine, every part a real server on loopback.

``make cluster`` runs ``start``: a PostgreSQL primary and a streaming replica (made with
pg_basebackup), a pgbouncer in transaction mode in front of each, Redis, two gunicorn app
servers and nginx in front of them. ``make cluster-stop`` runs ``stop``. Data and sockets
live under ``var/cluster/`` (git-ignored). Each part maps to its own host in production:
see the README's "Deploying on several machines".

PostgreSQL and pgbouncer refuse to run as root, so when started by root they run as the
``postgres`` system user that Debian's packages create.
"""

import argparse
import hashlib
import json
import os
import pwd
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"


def reachable_by_others(path):
    """Whether a user other than the owner (postgres) can traverse every folder to ``path``."""
    return all(
        folder.stat().st_mode & stat.S_IXOTH for folder in (path, *path.parents) if folder.exists()
    )


# The data lives under var/cluster/. Where the clone sits in a folder the postgres user
# cannot enter (a home directory), it lives in the temporary folder and var/cluster links
# to it.
LINK = ROOT / "var" / "cluster"
VAR = (
    LINK
    if reachable_by_others(ROOT)
    else Path(tempfile.gettempdir()) / f"ocpo-cluster-{hashlib.sha256(bytes(ROOT)).hexdigest()[:8]}"
)
RUN = VAR / "run"
LOG = VAR / "log"
PYTHON = Path(sys.executable)
BIN = PYTHON.parent

PORTS = {
    "primary": 55432,
    "replica": 55433,
    "pgbouncer-primary": 56432,
    "pgbouncer-replica": 56433,
    "redis": 56379,
    "app1": 58001,
    "app2": 58002,
    "nginx": 58080,
    "nginx-one-app": 58081,
}
APP_SERVERS = ("app1", "app2")
DATABASE = "ocpo"
EDITOR = "cluster-editor"
EDITOR_PASSWORD = "cluster-editor-password-123"


def pg_bin(name):
    """Debian installs PostgreSQL's server programs outside PATH, one folder per version."""
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: p.parent.name)
    if not versions:
        sys.exit("PostgreSQL's server programs are missing: apt-get install postgresql")
    return str(versions[-1] / name)


def log(message):
    print(f"[cluster] {message}", file=sys.stderr, flush=True)


def as_postgres(args, **kwargs):
    """Run a PostgreSQL or pgbouncer program as the postgres user when we are root."""
    if os.geteuid() == 0:
        args = ["runuser", "-u", "postgres", "--", *args]
    return subprocess.run(args, check=True, **kwargs)


def own_by_postgres(path):
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        entry = pwd.getpwnam("postgres")
        os.chown(path, entry.pw_uid, entry.pw_gid)
        path.chmod(0o700)


def render(template, target, **values):
    text = (DEPLOY / template).read_text()
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", str(value))
    target.write_text(text)
    return target


def wait_for(what, probe, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if probe():
            return
        time.sleep(0.25)
    raise SystemExit(f"{what} did not come up within {timeout} s; see {LOG}")


def pg_ready(port):
    return (
        subprocess.run(
            [pg_bin("pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(port)], check=False
        ).returncode
        == 0
    )


def http_ok(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return answer.status == 200
    except OSError:
        return False


def psql(port, sql, database="postgres"):
    return subprocess.run(
        [
            pg_bin("psql"),
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-U",
            "postgres",
            "-d",
            database,
            "-v",
            "ON_ERROR_STOP=1",
            "-qAtc",
            sql,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


# ------------------------------------------------------------------ environment


def app_environment():
    """The settings every app server (and every management command) of the cluster uses."""
    secret = VAR / "secret_key"
    if not secret.exists():
        secret.write_text(os.urandom(32).hex())
    return {
        "OCPO_ENV": "production",
        "SECRET_KEY": secret.read_text(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # nginx on loopback speaks plain HTTP here; on real hosts it terminates TLS and the
        # redirect stays on.
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{PORTS['pgbouncer-primary']}/{DATABASE}",
        "OCPO_REPLICA_URL": f"postgres://postgres@127.0.0.1:{PORTS['pgbouncer-replica']}/{DATABASE}",
        "OCPO_PGBOUNCER": "true",
        "CACHE_URL": f"redis://127.0.0.1:{PORTS['redis']}/0",
        "OCPO_NUM_PROXIES": "1",
        "CONN_MAX_AGE": "60",
    }


def manage(*args, env=None, **kwargs):
    return subprocess.run(
        [str(PYTHON), "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, **app_environment(), **(env or {})},
        check=True,
        **kwargs,
    )


# --------------------------------------------------------------------- PostgreSQL


def start_primary():
    data = VAR / "pg-primary"
    if not (data / "PG_VERSION").exists():
        log("initdb: the primary")
        own_by_postgres(data)
        as_postgres(
            [pg_bin("initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"],
            stdout=subprocess.DEVNULL,
        )
        render("postgresql.conf", data / "postgresql.auto.conf", port=PORTS["primary"], run=RUN)
    start_postgres("primary", data)


def start_replica():
    data = VAR / "pg-replica"
    if not (data / "PG_VERSION").exists():
        log("pg_basebackup: the replica, streaming from the primary")
        own_by_postgres(data)
        as_postgres(
            [
                pg_bin("pg_basebackup"),
                "-h",
                "127.0.0.1",
                "-p",
                str(PORTS["primary"]),
                "-U",
                "postgres",
                "-D",
                str(data),
                "--write-recovery-conf",
                "--wal-method=stream",
                "--checkpoint=fast",
            ]
        )
        # The copy carries the primary's settings; the replica listens on a port of its own.
        with open(data / "postgresql.auto.conf", "a") as conf:
            conf.write(f"port = {PORTS['replica']}\n")
    start_postgres("replica", data)


def start_postgres(name, data):
    port = PORTS[name]
    if pg_ready(port):
        return
    own_by_postgres(RUN)
    as_postgres(
        [
            pg_bin("pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(LOG / f"postgres-{name}.log"),
            "-w",
            "-t",
            "60",
            "start",
        ],
        stdout=subprocess.DEVNULL,
    )
    wait_for(f"PostgreSQL {name}", lambda: pg_ready(port))
    log(f"PostgreSQL {name} on 127.0.0.1:{port}")


def stop_postgres(name, mode="fast"):
    data = VAR / f"pg-{name}"
    if (data / "postmaster.pid").exists():
        as_postgres(
            [pg_bin("pg_ctl"), "-D", str(data), "-m", mode, "-w", "stop"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )


# ---------------------------------------------------------------------- pgbouncer


def start_pgbouncer(name):
    """pgbouncer in transaction mode in front of the ``name`` PostgreSQL server."""
    port = PORTS[f"pgbouncer-{name}"]
    if pg_ready(port):
        return
    own_by_postgres(RUN)
    userlist = VAR / "pgbouncer-users.txt"
    userlist.write_text('"postgres" ""\n')
    ini = render(
        "pgbouncer.ini",
        VAR / f"pgbouncer-{name}.ini",
        name=name,
        database=DATABASE,
        server_port=PORTS[name],
        port=port,
        run=RUN,
        log=LOG,
        userlist=userlist,
    )
    as_postgres(["pgbouncer", "--daemon", str(ini)])
    wait_for(f"pgbouncer {name}", lambda: pg_ready(port))
    log(f"pgbouncer ({name}, transaction mode) on 127.0.0.1:{port}")


def stop_pgbouncer(name):
    """Immediate shutdown (SIGTERM): clients' connections drop, as in a crash or a restart."""
    stop_pidfile(RUN / f"pgbouncer-{name}.pid", signal.SIGTERM)


# ------------------------------------------------------------------ Redis, gunicorn


def start_redis():
    port = PORTS["redis"]
    if subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True).returncode == 0:
        return
    subprocess.run(
        [
            "redis-server",
            str(DEPLOY / "redis.conf"),
            "--port",
            str(port),
            "--daemonize",
            "yes",
            "--pidfile",
            str(RUN / "redis.pid"),
            "--logfile",
            str(LOG / "redis.log"),
            "--dir",
            str(VAR),
        ],
        check=True,
    )
    wait_for(
        "Redis",
        lambda: (
            subprocess.run(
                ["redis-cli", "-p", str(port), "ping"], capture_output=True
            ).stdout.strip()
            == b"PONG"
        ),
    )
    log(f"Redis on 127.0.0.1:{port}")


def start_app(name, extra_env=None):
    port = PORTS[name]
    if http_ok(f"http://127.0.0.1:{port}/healthz/live"):
        return
    subprocess.run(
        [
            str(BIN / "gunicorn"),
            "ocpo.wsgi",
            "--config",
            str(DEPLOY / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{port}",
            "--pid",
            str(RUN / f"{name}.pid"),
            "--error-logfile",
            str(LOG / f"{name}.log"),
            "--daemon",
        ],
        cwd=ROOT,
        env={**os.environ, **app_environment(), **(extra_env or {})},
        check=True,
    )
    wait_for(f"app server {name}", lambda: http_ok(f"http://127.0.0.1:{port}/healthz/live"))
    log(f"gunicorn {name} on 127.0.0.1:{port}")


def stop_app(name, sig=signal.SIGTERM):
    stop_pidfile(RUN / f"{name}.pid", sig)


def crash_app(name):
    """``kill -9`` of the app server and its workers, as when its host or container dies
    (a worker orphaned by a killed master would otherwise finish its requests first)."""
    try:
        pid = int((RUN / f"{name}.pid").read_text().strip())
        # A daemonized master is not its group's leader: kill the group it is in.
        os.killpg(os.getpgid(pid), signal.SIGKILL)
    except (OSError, ValueError):
        pass
    stop_pidfile(RUN / f"{name}.pid", signal.SIGKILL)


# ------------------------------------------------------------------------- nginx


def start_nginx():
    conf = render(
        "nginx.conf",
        VAR / "nginx.conf",
        port=PORTS["nginx"],
        port_one=PORTS["nginx-one-app"],
        app1=PORTS["app1"],
        app2=PORTS["app2"],
        static=ROOT / "staticfiles",
        run=RUN,
        log=LOG,
    )
    if (RUN / "nginx.pid").exists():
        subprocess.run(["nginx", "-c", str(conf), "-s", "reload"], check=True)
        return
    subprocess.run(["nginx", "-t", "-q", "-c", str(conf)], check=True)
    subprocess.run(["nginx", "-c", str(conf)], check=True)
    wait_for("nginx", lambda: http_ok(f"http://127.0.0.1:{PORTS['nginx']}/healthz"))
    log(f"nginx on http://127.0.0.1:{PORTS['nginx']}/")


def stop_pidfile(pidfile, sig=signal.SIGTERM, timeout=20):
    try:
        pid = int(pidfile.read_text().strip())
    except (OSError, ValueError):
        return
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pidfile.unlink(missing_ok=True)
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    pidfile.unlink(missing_ok=True)


# --------------------------------------------------------------------- commands


def prepare_database():
    """The knowledge base on the primary, once; an editor for the soak and the tests."""
    port = PORTS["primary"]
    if psql(port, f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'") != "1":
        psql(port, f"CREATE DATABASE {DATABASE}")
    # Migrations take advisory locks and DDL: run them on the primary directly, not through
    # the transaction pooler.
    direct = {"DATABASE_URL": f"postgres://postgres@127.0.0.1:{port}/{DATABASE}"}
    manage("migrate", "--verbosity", "0", env=direct)
    manage("load_kb", "--if-empty", "--verbosity", "0", env=direct)
    manage(
        "create_editor",
        EDITOR,
        env={**direct, "OCPO_EDITOR_PASSWORD": EDITOR_PASSWORD},
        stdout=subprocess.DEVNULL,
    )
    manage("collectstatic", "--noinput", "--verbosity", "0")


def start(args):
    for folder in (VAR, LOG):
        folder.mkdir(parents=True, exist_ok=True)
    VAR.chmod(0o755)
    if VAR != LINK and not LINK.exists():
        LINK.parent.mkdir(exist_ok=True)
        LINK.symlink_to(VAR)
    own_by_postgres(RUN)
    LOG.chmod(0o777)
    start_redis()
    start_primary()
    start_pgbouncer("primary")
    prepare_database()
    start_replica()
    start_pgbouncer("replica")
    for name in APP_SERVERS[: args.app_servers]:
        start_app(name)
    start_nginx()
    print(json.dumps(status(), indent=2))


def stop(_args=None):
    if (RUN / "nginx.pid").exists():
        subprocess.run(["nginx", "-c", str(VAR / "nginx.conf"), "-s", "quit"], check=False)
        stop_pidfile(RUN / "nginx.pid", signal.SIGQUIT)
    for name in APP_SERVERS:
        stop_app(name)
    for name in ("replica", "primary"):
        stop_pgbouncer(name)
        stop_postgres(name)
    stop_pidfile(RUN / "redis.pid")
    log("stopped")


def status():
    url = f"http://127.0.0.1:{PORTS['nginx']}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            ready = json.loads(answer.read())
    except OSError as error:
        ready = {"error": str(error)}
    return {"url": f"http://127.0.0.1:{PORTS['nginx']}/", "ports": PORTS, "ready": ready}


def destroy(_args=None):
    stop()
    shutil.rmtree(VAR, ignore_errors=True)
    if LINK.is_symlink():
        LINK.unlink()
    log("removed var/cluster")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    start_parser = sub.add_parser("start")
    start_parser.add_argument("--app-servers", type=int, default=2, choices=(1, 2))
    sub.add_parser("stop")
    sub.add_parser("status")
    sub.add_parser("destroy")
    args = parser.parse_args()
    if args.command == "status":
        print(json.dumps(status(), indent=2))
        return
    {"start": start, "stop": stop, "destroy": destroy}[args.command](args)


if __name__ == "__main__":
    main()
