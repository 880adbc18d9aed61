"""Sync throughput: replay 1,000 queued field actions (50 with a ~200 KB photo) against gunicorn, like the outbox.

    .venv/bin/python bench/sync.py                      # SQLite (WAL) in a temporary folder
    .venv/bin/python bench/sync.py --postgres postgresql://postgres@127.0.0.1:5432/test

For each database the app is served by gunicorn (2 sync workers on 127.0.0.1, a free port) on a fresh
database with the demo data. One phone (a requests.Session) signs in, fetches a CSRF token from
/sync/csrf and replays the actions in creation order exactly as static/js/outbox.js does: each photo
first (`POST /sync/photos`, Idempotency-Key = photo UUID, X-Content-SHA256), then the record
(`POST /patrol/scans` with photo_ids). It prints actions/second and p50/p95 latency for record POSTs
and photo uploads, then inserts the same 1,000 scan rows straight through SQLAlchemy in the same run
(one transaction per row, as each request commits once; and all in one transaction) and prints the
ratios. `--postgres URL` names a server's maintenance database: a scratch database is created there and
dropped afterwards. The run is bounded (`--timeout`) and always stops the gunicorn it started.
"""
from __future__ import annotations

import argparse
import hashlib
import io
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
from PIL import Image  # noqa: E402

SHANGHAI = timezone(timedelta(hours=8))
USER, PASSWORD = "guard01", "wuye-demo"


# ---------------------------------------------------------------- data


def make_photo(seed: int, target_kb: int = 200) -> bytes:
    """A phone-like JPEG (1600x1200, gradient + noise) of about `target_kb` KB, different for every seed."""
    rng = random.Random(seed)
    base = Image.linear_gradient("L").resize((1600, 1200))
    noise = Image.effect_noise((1600, 1200), 40 + rng.randint(0, 10))
    image = Image.merge("RGB", (base, Image.blend(base.rotate(90), noise, 0.35), noise))
    quality = 20
    while True:
        out = io.BytesIO()
        image.save(out, "JPEG", quality=quality)
        if out.tell() >= target_kb * 1024 * 0.9 or quality >= 95:
            return out.getvalue()
        quality += 5


def device_time(offset_s: float = 0.0) -> str:
    return (datetime.now(SHANGHAI) + timedelta(seconds=offset_s)).isoformat(timespec="milliseconds")


def build_actions(tokens: list[str], n: int, n_photos: int) -> list[dict]:
    """The outbox: n scans across the demo checkpoints, every (n // n_photos)-th with one photo."""
    every = max(1, n // n_photos) if n_photos else 0
    actions = []
    made = -3600.0  # made during the last hour, offline
    for i in range(n):
        photo = None
        if every and i % every == 0 and sum(1 for a in actions if a["photo"]) < n_photos:
            data = make_photo(i)
            photo = {"uuid": str(uuid.uuid4()), "data": data, "sha256": hashlib.sha256(data).hexdigest()}
        actions.append({"key": str(uuid.uuid4()), "token": tokens[i % len(tokens)], "note": f"bench {i}",
                        "made": device_time(made + i * 3.0), "photo": photo})
    return actions


# ---------------------------------------------------------------- databases


def app_config(database_url: str, data_dir: Path) -> dict:
    from wuye_field.config import TestConfig

    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    return config | {"SQLALCHEMY_DATABASE_URI": database_url, "WUYE_DATA_DIR": str(data_dir), "TESTING": False}


def prepare_database(database_url: str, data_dir: Path) -> list[str]:
    """Create the schema and the demo data; return the demo checkpoints' tag tokens."""
    from sqlalchemy import select

    from wuye_field import create_app
    from wuye_field.demo import load_demo
    from wuye_field.extensions import db
    from wuye_field.places.models import Place

    app = create_app(app_config(database_url, data_dir))
    with app.app_context():
        db.create_all()
        load_demo(app.config["PUBLIC_BASE_URL"], None)  # real (scrypt) password hashing, as in production
        db.session.commit()
        tokens = list(db.session.scalars(select(Place.tag_token).where(Place.kind.in_(("checkpoint", "both")))))
        db.session.remove()
        db.engine.dispose()
    return tokens


@contextmanager
def postgres_scratch(admin_url: str):
    """A fresh database on the server of `admin_url`, dropped afterwards; yields its SQLAlchemy URL."""
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(admin_url.replace("postgresql+psycopg://", "postgresql://"))
    name = f"wuye_bench_{os.getpid()}"
    plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# ---------------------------------------------------------------- gunicorn


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(database_url: str, data_dir: Path, instance: Path, workers: int):
    """gunicorn serving app:app on a free port; always terminated (the whole process group) on exit."""
    port = free_port()
    env = os.environ | {
        "DATABASE_URL": database_url, "WUYE_DATA_DIR": str(data_dir), "WUYE_INSTANCE_PATH": str(instance),
        "SECRET_KEY": "bench-" + uuid.uuid4().hex, "WUYE_ENV": "development", "SESSION_COOKIE_SECURE": "0",
    }
    command = [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}",
               "--chdir", str(ROOT), "--log-level", "warning", "--timeout", "60", "app:app"]
    log = open(instance / "gunicorn.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError("gunicorn exited: " + (instance / "gunicorn.log").read_text()[-2000:])
            try:
                requests.get(base + "/login", timeout=5)
                break
            except requests.RequestException:
                if time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start within 30 s") from None
                time.sleep(0.2)
        yield base
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(5)
        log.close()


# ---------------------------------------------------------------- the phone


def sign_in(base: str) -> requests.Session:
    import re

    session = requests.Session()
    page = session.get(base + "/login", timeout=10).text
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    data = {"username": USER, "password": PASSWORD} | ({"csrf_token": match.group(1)} if match else {})
    response = session.post(base + "/login", data=data, timeout=30, allow_redirects=False)
    if response.status_code != 302:
        raise RuntimeError(f"login failed: {response.status_code}")
    return session


def replay(base: str, session: requests.Session, actions: list[dict], deadline: float) -> dict:
    """Send every action as the outbox does; returns latencies (seconds) and the wall time."""
    csrf = session.get(base + "/sync/csrf", headers={"Accept": "application/json"}, timeout=10).json()["csrf_token"]
    record_lat, photo_lat = [], []
    started = time.perf_counter()
    for action in actions:
        if time.monotonic() > deadline:
            raise TimeoutError("benchmark ran past --timeout")
        base_headers = {"X-Device-Time": action["made"], "X-CSRFToken": csrf, "Accept": "application/json"}
        fields = {"place": action["token"], "via": "link", "note": action["note"]}
        if action["photo"]:
            photo = action["photo"]
            t0 = time.perf_counter()
            response = session.post(
                base + "/sync/photos", files={"photo": (photo["uuid"] + ".jpg", photo["data"], "image/jpeg")},
                headers=base_headers | {"Idempotency-Key": photo["uuid"], "X-Device-Sent-At": device_time(),
                                        "X-Content-SHA256": photo["sha256"]}, timeout=60)
            photo_lat.append(time.perf_counter() - t0)
            if response.status_code != 201:
                raise RuntimeError(f"photo upload: {response.status_code} {response.text[:200]}")
            fields["photo_ids"] = photo["uuid"]
        t0 = time.perf_counter()
        response = session.post(base + "/patrol/scans", data=fields, timeout=60,
                                headers=base_headers | {"Idempotency-Key": action["key"],
                                                        "X-Device-Sent-At": device_time()})
        record_lat.append(time.perf_counter() - t0)
        if response.status_code != 201:
            raise RuntimeError(f"scan: {response.status_code} {response.text[:200]}")
    return {"wall": time.perf_counter() - started, "record": record_lat, "photo": photo_lat}


def check_and_baseline(database_url: str, data_dir: Path, actions: list[dict]) -> dict:
    """Count what the server stored, then insert the same 1,000 scan rows directly (two ways) and time it."""
    from sqlalchemy import func, select

    from wuye_field import create_app
    from wuye_field.accounts.models import User
    from wuye_field.photos.models import Photo
    from wuye_field.extensions import db
    from wuye_field.patrol.models import Scan
    from wuye_field.places.models import Place

    app = create_app(app_config(database_url, data_dir))
    with app.app_context():
        stored = db.session.scalar(select(func.count(Scan.id)))
        photos = db.session.scalar(select(func.count(Photo.id)))
        template = list(db.session.scalars(select(Scan).order_by(Scan.id)))
        user_id = db.session.scalar(select(User.id).where(User.staff_no == "guard02"))
        places = {p.id: p.site_id for p in db.session.scalars(select(Place))}
        db.session.commit()
        rows = [{"client_uuid": str(uuid.uuid4()), "user_id": user_id, "site_id": places[s.place_id],
                 "place_id": s.place_id, "via": s.via, "note": s.note, "device_time": s.device_time,
                 "received_at": s.received_at, "clock_skew_seconds": s.clock_skew_seconds,
                 "skew_flagged": s.skew_flagged} for s in template]

        t0 = time.perf_counter()
        for row in rows:
            db.session.add(Scan(**row))
            db.session.commit()
        per_row = time.perf_counter() - t0

        for row in rows:
            row["client_uuid"] = str(uuid.uuid4())
        t0 = time.perf_counter()
        db.session.add_all(Scan(**row) for row in rows)
        db.session.commit()
        bulk = time.perf_counter() - t0
        db.session.remove()
        db.engine.dispose()
    return {"stored": stored, "photos": photos, "expected": len(actions),
            "expected_photos": sum(1 for a in actions if a["photo"]), "per_row": per_row, "bulk": bulk}


# ---------------------------------------------------------------- report


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def report(label: str, result: dict, base: dict, n: int) -> None:
    ms = 1000.0
    rate = n / result["wall"]
    per_row_rate, bulk_rate = n / base["per_row"], n / base["bulk"]
    print(f"\n== {label} ==")
    print(f"stored: {base['stored']} scans / {base['expected']} actions, {base['photos']} photos / "
          f"{base['expected_photos']} (rows ÷ unique UUIDs = {base['stored'] / base['expected']:.3f})")
    print(f"replay via gunicorn: {n} actions in {result['wall']:.2f} s = {rate:.1f} actions/s")
    print(f"  record POST  p50 {pct(result['record'], .5) * ms:6.1f} ms  p95 {pct(result['record'], .95) * ms:6.1f} ms"
          f"  (n={len(result['record'])}, mean {statistics.mean(result['record']) * ms:.1f} ms)")
    if result["photo"]:
        print(f"  photo upload p50 {pct(result['photo'], .5) * ms:6.1f} ms"
              f"  p95 {pct(result['photo'], .95) * ms:6.1f} ms"
              f"  (n={len(result['photo'])}, mean {statistics.mean(result['photo']) * ms:.1f} ms)")
    print(f"baseline, SQLAlchemy direct, one commit per row: {base['per_row']:.2f} s = {per_row_rate:.1f} rows/s"
          f"  → sync is {rate / per_row_rate:.3f}× the baseline ({per_row_rate / rate:.1f}× slower)")
    print(f"baseline, SQLAlchemy direct, one transaction:    {base['bulk']:.2f} s = {bulk_rate:.1f} rows/s"
          f"  → sync is {rate / bulk_rate:.4f}× the baseline ({bulk_rate / rate:.1f}× slower)")


def run(label: str, database_url: str | None, args, deadline: float) -> None:
    work = Path(tempfile.mkdtemp(prefix="wuye-bench-"))
    try:
        data_dir, instance = work / "data", work / "instance"
        data_dir.mkdir()
        instance.mkdir()
        url = database_url or "sqlite:///" + str(work / "bench.db")
        print(f"[{label}] preparing database and {args.photos} photos …", flush=True)
        tokens = prepare_database(url, data_dir)
        actions = build_actions(tokens, args.actions, args.photos)
        sizes = [len(a["photo"]["data"]) for a in actions if a["photo"]]
        if sizes:
            print(f"[{label}] photos: {len(sizes)} × ~{statistics.mean(sizes) / 1024:.0f} KB", flush=True)
        with gunicorn(url, data_dir, instance, args.workers) as base:
            session = sign_in(base)
            print(f"[{label}] replaying {len(actions)} actions via {base} ({args.workers} workers) …", flush=True)
            result = replay(base, session, actions, deadline)
        baseline = check_and_baseline(url, data_dir, actions)
        report(label, result, baseline, len(actions))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--actions", type=int, default=1000)
    parser.add_argument("--photos", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--postgres", metavar="URL", help="also run on PostgreSQL (a maintenance database URL)")
    parser.add_argument("--timeout", type=float, default=900, help="give up after this many seconds (default 900)")
    args = parser.parse_args(argv)
    deadline = time.monotonic() + args.timeout
    run("SQLite (WAL)", None, args, deadline)
    if args.postgres:
        with postgres_scratch(args.postgres) as url:
            run("PostgreSQL", url, args, deadline)
    return 0


if __name__ == "__main__":
    sys.exit(main())
