"""The app served by real gunicorn workers for the tests that need several processes (shared throttles,
database outages): a prepared database with the demo data, a free loopback port, the whole process
group ended at the end, and helpers for signing in like a phone."""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
# gunicorn's access line: worker pid, method, path, status (parsed by `answered_by`).
ACCESS_FORMAT = "access %(p)s %(m)s %(U)s %(s)s"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare_database(database_url: str, data_dir: Path) -> None:
    """Create every table and load the demo site into `database_url` (cheap password hashes)."""
    from wuye_field import create_app
    from wuye_field.config import TestConfig
    from wuye_field.demo import load_demo
    from wuye_field.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "prepare", "WUYE_DATA_DIR": str(data_dir),
                      "PASSWORD_HASH_METHOD": TestConfig.PASSWORD_HASH_METHOD})
    with app.app_context():
        db.create_all()
        load_demo(app.config["PUBLIC_BASE_URL"], app.config["PASSWORD_HASH_METHOD"])
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


@contextmanager
def gunicorn(instance: Path, env: dict[str, str], workers: int = 2, timeout: float = 40) -> Iterator[tuple[str, Path]]:
    """gunicorn serving app:app with `workers` sync workers on a free port; yields (base URL, log file).

    `env` is added to this process's environment (DATABASE_URL, RATELIMIT_STORAGE_URI, …). The log holds
    the app's lines and gunicorn's access lines (`ACCESS_FORMAT`). The process group is always ended.
    """
    port = free_port()
    instance.mkdir(parents=True, exist_ok=True)
    full_env = os.environ | {
        "WUYE_INSTANCE_PATH": str(instance), "WUYE_DATA_DIR": str(instance / "data"),
        "SECRET_KEY": "serving-" + uuid.uuid4().hex, "SESSION_COOKIE_SECURE": "0", "WEB_CONCURRENCY": str(workers),
    } | env
    command = [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}", "--chdir", str(ROOT),
               "--timeout", "60", "--graceful-timeout", "5", "--access-logfile", "-",
               "--access-logformat", ACCESS_FORMAT, "app:app"]
    log_path = instance / "gunicorn.log"
    log = open(log_path, "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(command, env=full_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError("gunicorn exited: " + log_path.read_text(errors="replace")[-3000:])
            try:
                requests.get(base + "/login", timeout=5)
                break
            except requests.RequestException:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not answer within {timeout} s") from None
                time.sleep(0.2)
        yield base, log_path
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(5)
        log.close()


def login_form(base: str) -> tuple[requests.Session, str]:
    """A new phone: (its session with the login page's cookie, the page's CSRF token)."""
    session = requests.Session()
    page = session.get(base + "/login", timeout=10).text
    match = CSRF_RE.search(page)
    return session, match.group(1) if match else ""


def sign_in(base: str, username: str, password: str = "wuye-demo") -> requests.Session:
    session, token = login_form(base)
    response = session.post(base + "/login", data={"username": username, "password": password, "csrf_token": token},
                            timeout=30, allow_redirects=False)
    if response.status_code != 302:
        raise RuntimeError(f"login of {username} failed: {response.status_code}")
    return session


def answered_by(log_path: Path, method: str, path: str) -> list[tuple[int, int]]:
    """(worker pid, status) of each `method path` request in gunicorn's access log, in order."""
    result = []
    for line in log_path.read_text(errors="replace").splitlines():
        parts = line.split()
        if len(parts) == 5 and parts[0] == "access" and parts[2] == method and parts[3] == path:
            result.append((int(parts[1].strip("<>")), int(parts[4])))
    return result
