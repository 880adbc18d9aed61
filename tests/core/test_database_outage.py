"""PostgreSQL restarted in the middle of a burst (R31 in docs/standards.md): requests during the outage answer 503
with a Chinese message, the phones retry, the app recovers without a restart, and every action is
stored exactly once.

The database is a throwaway PostgreSQL cluster of our own (initdb + pg_ctl from the Debian binaries in
/usr/lib/postgresql/*/bin, on a free loopback port, in a temporary folder, run as the `postgres` user
when we are root): the machine's shared server is never touched.
"""
from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import psycopg
import pytest
import requests

from tests.serving import answered_by, free_port, gunicorn, prepare_database, sign_in
from tests.sync.helpers import headers, new_key
from wuye_field import create_app

PHONES, ACTIONS_PER_PHONE = 50, 6
DEADLINE_SECONDS = 150


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[4]))
    return Path(found[-1]).parent if found else None


class Cluster:
    """A PostgreSQL cluster in a temporary folder on 127.0.0.1:<port>, stopped and removed at the end."""

    def __init__(self, bindir: Path):
        self.bindir, self.port = bindir, free_port()
        self.root = Path(tempfile.mkdtemp(prefix="wuye-pg-"))
        self.data, self.log = self.root / "data", self.root / "server.log"
        self.user = "postgres" if os.geteuid() == 0 else None  # initdb refuses to run as root
        if self.user:
            entry = pwd.getpwnam(self.user)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")
        self.start()

    def _run(self, program: str, *args: str, timeout: float = 60) -> None:
        command = [str(self.bindir / program), *args]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=timeout, cwd=self.root)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def close(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def cluster():
    bindir = _pg_bin()
    if bindir is None or (shutil.which("runuser") is None and os.geteuid() == 0):
        pytest.skip("PostgreSQL server binaries (/usr/lib/postgresql/*/bin: initdb, pg_ctl) are not installed")
    server = Cluster(bindir)
    try:
        yield server
    finally:
        server.close()


class Phone(threading.Thread):
    """A phone replaying its queued scans like static/js/outbox.js: 2xx → done; network error, 5xx or 409
    in_progress → keep and retry after a short backoff; anything else → failed."""

    def __init__(self, base: str, username: str, token: str, deadline: float):
        super().__init__(daemon=True)
        self.base, self.deadline = base, deadline
        self.session = sign_in(base, username)
        self.csrf = self.session.get(base + "/sync/csrf", timeout=30).json()["csrf_token"]
        self.queue = [(new_key(), {"place": token, "via": "link", "note": f"第{n}次"})
                      for n in range(ACTIONS_PER_PHONE)]
        self.done: list[str] = []
        self.answers: Counter = Counter()
        self.failed: list[tuple[int, str]] = []
        self.unavailable_messages: set[str] = set()

    def run(self) -> None:
        for key, data in self.queue:
            backoff = 0.1
            while time.monotonic() < self.deadline:
                try:
                    response = self.session.post(self.base + "/patrol/scans", data=data, timeout=30,
                                                 headers=headers(key, **{"X-CSRFToken": self.csrf}))
                except requests.RequestException:
                    self.answers["network"] += 1
                else:
                    self.answers[response.status_code] += 1
                    if 200 <= response.status_code < 300:
                        self.done.append(key)
                        break
                    if response.status_code == 503:
                        self.unavailable_messages.add(response.json()["message"])
                    elif response.status_code < 500 and not (response.status_code == 409
                                                             and response.json().get("error") == "in_progress"):
                        self.failed.append((response.status_code, response.text[:200]))
                        break
                time.sleep(backoff)
                backoff = min(backoff * 2, 1.0)


def test_a_restart_during_a_50_phone_burst_answers_503_and_loses_nothing(cluster, tmp_path):
    with psycopg.connect(cluster.url("postgres").replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute("CREATE DATABASE wuye")
    database = cluster.url("wuye")
    prepare_database(database, tmp_path / "data")
    with psycopg.connect(database.replace("+psycopg", "")) as conn:
        token = conn.execute("SELECT tag_token FROM place WHERE code = 'CP05'").fetchone()[0]
    guards = ["guard01", "guard02"]
    env = {"DATABASE_URL": database}
    with gunicorn(tmp_path / "instance", env, workers=2) as (base, log):
        deadline = time.monotonic() + DEADLINE_SECONDS
        phones = [Phone(base, guards[n % len(guards)], token, deadline) for n in range(PHONES)]
        workers_before = {pid for pid, _status in answered_by(log, "GET", "/sync/csrf")}
        started = time.monotonic()
        for phone in phones:
            phone.start()
        while sum(len(p.done) for p in phones) < PHONES * ACTIONS_PER_PHONE // 4:
            assert time.monotonic() < deadline, "the burst did not get going"
            time.sleep(0.05)
        stored_before_outage = sum(len(p.done) for p in phones)
        cluster.stop("fast")  # every connection is cut, in the middle of transactions
        time.sleep(3)
        cluster.start()
        outage = time.monotonic() - started
        for phone in phones:
            phone.join(max(1.0, deadline - time.monotonic()))
        elapsed = time.monotonic() - started
        workers_after = {pid for pid, _status in answered_by(log, "POST", "/patrol/scans")}
    answers = sum((p.answers for p in phones), Counter())
    keys = [key for p in phones for key, _data in p.queue]
    with psycopg.connect(database.replace("+psycopg", "")) as conn:
        stored = Counter(row[0] for row in conn.execute("SELECT client_uuid FROM scan"))
    print(f"\n{len(keys)} actions from {PHONES} phones in {elapsed:.1f} s (restart at {outage:.1f} s, "
          f"{stored_before_outage} stored before it); answers {dict(answers)}; stored {sum(stored.values())}, "
          f"duplicates {sum(n - 1 for n in stored.values() if n > 1)}")
    assert not any(p.is_alive() for p in phones), f"phones still sending after {DEADLINE_SECONDS} s"
    assert [f for p in phones for f in p.failed] == []
    assert answers[503] > 0, "no request saw the outage"
    assert answers[500] == 0
    assert {m for p in phones for m in p.unavailable_messages} == {
        "服务器暂时连不上数据库，记录仍保存在手机上，稍后会自动重试。"}
    assert sorted(stored) == sorted(keys) and set(stored.values()) == {1}  # each action once, none lost
    assert len(workers_before | workers_after) == 2  # the same two workers served on: no worker was replaced


def test_an_unreachable_database_is_503_json_and_a_page(tmp_path, monkeypatch):
    monkeypatch.setenv("WUYE_INSTANCE_PATH", str(tmp_path))
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/none",
                      "SECRET_KEY": "x", "WTF_CSRF_ENABLED": False, "WUYE_DATA_DIR": str(tmp_path / "data")})
    client = app.test_client()
    response = client.post("/login", data={"username": "guard01", "password": "wuye-demo"},
                           headers={"Accept": "application/json"})
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert response.get_json() == {"error": "unavailable",
                                   "message": "服务器暂时连不上数据库，记录仍保存在手机上，稍后会自动重试。"}
    page = client.post("/login", data={"username": "guard01", "password": "wuye-demo"})
    assert page.status_code == 503 and "连不上数据库" in page.text and "<bdi>" not in page.text
