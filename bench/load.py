"""Shared parts of bench/throughput.py and bench/burst.py: a bare endpoint to compare with, databases to run
on, gunicorn, phones that sign in, and a small closed-loop load generator (N connections, each sending its
next request as soon as the last is answered — what wrk does, in Python, so the benches need nothing new).

The bare endpoint (`bare_app`) is a Flask app whose POST /insert does one raw INSERT of a scan-sized row
and commits: the ceiling any app on this stack reaches for one stored row per request.
"""
from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
import requests  # noqa: E402

from tests.serving import free_port, sign_in  # noqa: E402

SHANGHAI = timezone(timedelta(hours=8))
DEFAULT_ADMIN_URL = os.environ.get("PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/test")
BARE_TABLE = ("CREATE TABLE IF NOT EXISTS bare (id {pk}, client_uuid VARCHAR(36) UNIQUE NOT NULL, "
              "place VARCHAR(40), note VARCHAR(500), device_time VARCHAR(40), received_at VARCHAR(40))")


# ---------------------------------------------------------------- the bare endpoint


def bare_app():
    """gunicorn 'bench.load:bare_app()': one raw INSERT + COMMIT per POST /insert (BARE_DATABASE = path or URL)."""
    import sqlite3

    from flask import Flask, jsonify, request

    target = os.environ["BARE_DATABASE"]
    app = Flask("bare")
    local = threading.local()

    def connection():
        if getattr(local, "conn", None) is None:
            if target.startswith("postgresql"):
                local.conn = psycopg.connect(target)
            else:
                local.conn = sqlite3.connect(target, isolation_level=None)
                local.conn.execute("PRAGMA journal_mode=WAL")
                local.conn.execute("PRAGMA synchronous=NORMAL")
                local.conn.execute("PRAGMA busy_timeout=30000")
        return local.conn

    @app.post("/insert")
    def insert():
        conn = connection()
        form = request.form
        values = (str(uuid.uuid4()), form.get("place", ""), form.get("note", ""), form.get("device_time", ""),
                  datetime.now(timezone.utc).isoformat())
        if target.startswith("postgresql"):
            conn.execute("INSERT INTO bare (client_uuid, place, note, device_time, received_at) "
                         "VALUES (%s, %s, %s, %s, %s)", values)
            conn.commit()
        else:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO bare (client_uuid, place, note, device_time, received_at) VALUES (?, ?, ?, ?, ?)",
                         values)
            conn.execute("COMMIT")
        return jsonify(status="stored"), 201

    return app


def prepare_bare(target: str) -> None:
    if target.startswith("postgresql"):
        with psycopg.connect(target, autocommit=True) as conn:
            conn.execute(BARE_TABLE.format(pk="SERIAL PRIMARY KEY"))
    else:
        import sqlite3

        with sqlite3.connect(target) as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(BARE_TABLE.format(pk="INTEGER PRIMARY KEY"))


# ---------------------------------------------------------------- databases and servers


@contextmanager
def database(kind: str, admin_url: str, label: str) -> Iterator[tuple[str, str]]:
    """(app SQLAlchemy URL, bare URL-or-path) on a fresh SQLite folder or fresh PostgreSQL databases."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="wuye-bench-") as folder:
            yield "sqlite:///" + str(Path(folder) / "app.db"), str(Path(folder) / "bare.db")
        return
    admin_url = admin_url.replace("postgresql+psycopg://", "postgresql://")
    names = [f"wuye_bench_{label}_{os.getpid()}", f"wuye_bench_{label}_bare_{os.getpid()}"]
    base = admin_url.rpartition("/")[0]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base.replace('postgresql://', 'postgresql+psycopg://')}/{names[0]}", f"{base}/{names[1]}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            for name in names:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def serve(target: str, env: dict[str, str], instance: Path, workers: int = 2, root: Path = ROOT) -> Iterator[str]:
    """gunicorn serving `target` from the checkout `root` with `workers` sync workers; yields the base URL;
    always ended. (Another `root`, e.g. a worktree of the previous commit, measures before and after.)"""
    port = free_port()
    instance.mkdir(parents=True, exist_ok=True)
    full_env = os.environ | {"WUYE_INSTANCE_PATH": str(instance), "SECRET_KEY": "bench-" + uuid.uuid4().hex,
                             "SESSION_COOKIE_SECURE": "0", "WUYE_ENV": "development", "LOG_LEVEL": "WARNING",
                             "WEB_CONCURRENCY": str(workers)} | env
    command = [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}", "--chdir", str(root),
               "--log-level", "warning", "--timeout", "120", "--backlog", "2048", target]
    log = open(instance / "gunicorn.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(command, env=full_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 40
        while True:
            if process.poll() is not None:
                raise RuntimeError("gunicorn exited: " + (instance / "gunicorn.log").read_text()[-2000:])
            try:
                requests.get(base + "/", timeout=5)
                break
            except requests.RequestException:
                if time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)
        log.close()


def prepare_app_database(url: str, data_dir: Path, extra_guards: int = 0) -> list[str]:
    """Schema + demo site (+ `extra_guards` guards bench001…); returns the checkpoint tag tokens."""
    from sqlalchemy import select

    from wuye_field import create_app
    from wuye_field.accounts import services as accounts
    from wuye_field.config import TestConfig
    from wuye_field.demo import load_demo
    from wuye_field.extensions import db
    from wuye_field.places.models import Place, Site

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "prepare", "WUYE_DATA_DIR": str(data_dir),
                      "PASSWORD_HASH_METHOD": TestConfig.PASSWORD_HASH_METHOD})
    with app.app_context():
        db.create_all()
        load_demo(app.config["PUBLIC_BASE_URL"], TestConfig.PASSWORD_HASH_METHOD)
        site = db.session.scalar(select(Site))
        for i in range(extra_guards):
            accounts.create_user(staff_no=f"bench{i:03d}", name=f"巡逻{i:03d}", password="wuye-demo",
                                 roles={site.id: {"guard"}}, hash_method=TestConfig.PASSWORD_HASH_METHOD)
        db.session.commit()
        tokens = list(db.session.scalars(select(Place.tag_token).where(Place.kind.in_(("checkpoint", "both")))))
        db.session.remove()
        db.engine.dispose()
    return tokens


def app_env(url: str, data_dir: Path) -> dict[str, str]:
    return {"DATABASE_URL": url, "WUYE_DATA_DIR": str(data_dir)}


def phone(base: str, user: str = "guard01") -> tuple[requests.Session, str]:
    """A signed-in phone and its CSRF token (from /sync/csrf, as the outbox fetches it)."""
    session = sign_in(base, user)
    token = session.get(base + "/sync/csrf", headers={"Accept": "application/json"}, timeout=10).json()["csrf_token"]
    return session, token


def now_iso() -> str:
    return datetime.now(SHANGHAI).isoformat(timespec="milliseconds")


def scan_action(token: str, i: int) -> dict:
    now = now_iso()
    return {"key": str(uuid.uuid4()), "device_time": now, "sent_at": now, "path": "/patrol/scans",
            "fields": [["place", token], ["via", "link"], ["note", f"bench {i}"]]}


# ---------------------------------------------------------------- load


def closed_loop(send: Callable[[int, int], int], connections: int, *, seconds: float | None = None,
                requests_total: int | None = None) -> dict:
    """Run `send(connection, n) -> status` on `connections` threads until `seconds` pass or `requests_total`
    were sent; {count, errors, wall, rps, p50, p99} (latencies in ms)."""
    latencies: list[float] = []
    errors: list[int] = []
    lock = threading.Lock()
    counter = iter(range(10**9))
    stop_at = time.perf_counter() + seconds if seconds else None

    def loop(c: int) -> None:
        while True:
            with lock:
                n = next(counter)
            if (requests_total is not None and n >= requests_total) or (stop_at and time.perf_counter() > stop_at):
                return
            started = time.perf_counter()
            status = send(c, n)
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if not 200 <= status < 300:
                    errors.append(status)

    started = time.perf_counter()
    threads = [threading.Thread(target=loop, args=(c,)) for c in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return {"count": len(latencies), "errors": len(errors), "wall": wall, "rps": len(latencies) / wall,
            "p50": percentile(latencies, 50) * 1000, "p95": percentile(latencies, 95) * 1000,
            "p99": percentile(latencies, 99) * 1000}


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(pct) - 1]


def bare_sender(base: str) -> Callable[[int, int], int]:
    sessions: dict[int, requests.Session] = {}

    def send(c: int, n: int) -> int:
        session = sessions.setdefault(c, requests.Session())
        return session.post(base + "/insert", data={"place": "CP01", "note": f"bench {n}", "device_time": now_iso()},
                            timeout=60).status_code

    return send
