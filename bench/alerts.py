"""Alerts by polling: how long an SOS takes to reach an open desk page, and what 200 waiting pages cost.

    .venv/bin/python bench/alerts.py                      # SQLite (WAL) in a temporary folder
    .venv/bin/python bench/alerts.py --postgres postgresql://postgres@127.0.0.1:5432/test

The app runs under gunicorn (2 sync workers, as deployed) on a fresh database with the demo data.

1. Latency: one desk page polls `GET /alerts/active` every ALERTS_POLL_SECONDS (3 s) as static/js/alerts.js
   does; guard01 posts an SOS (`POST /incidents/sos`, as the outbox) at a random moment, 50 times. The time
   from just before the POST to the poll that first returns the alert is the latency (p50 / p95); the desk
   acknowledges each one.
2. Cost: 200 pages (desk01 and supervisor01, each page its own poll phase) poll every 3 s for `--seconds`;
   the gunicorn processes' CPU time (from /proc) and resident memory are read before and after, with the
   poll's own p50 / p95 answer time. An idle run of the same length is the baseline.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402

import sync as serving  # noqa: E402  (bench/sync.py: database, gunicorn and sign-in helpers)

POLL = 3.0
CLK_TCK = 100


def sign_in(base: str, user: str) -> requests.Session:
    serving.USER = user
    return serving.sign_in(base)


def csrf(base: str, session: requests.Session) -> str:
    return session.get(base + "/sync/csrf", headers={"Accept": "application/json"}, timeout=10).json()["csrf_token"]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def latency(base: str, tries: int) -> list[float]:
    guard, desk = sign_in(base, "guard01"), sign_in(base, "desk01")
    guard_token, desk_token = csrf(base, guard), csrf(base, desk)
    sent: dict[str, float] = {}
    seen: dict[str, float] = {}
    stop = threading.Event()

    def desk_page():
        while not stop.is_set():
            started = time.monotonic()
            alerts = desk.get(base + "/alerts/active", headers={"Accept": "application/json"}, timeout=10).json()
            now = time.monotonic()
            for alert in alerts["alerts"]:
                note = alert["text"].rsplit("（", 1)[-1].rstrip("）")
                if note in sent and note not in seen:
                    seen[note] = now
                desk.post(f"{base}/alerts/{alert['id']}/ack", headers={"X-CSRFToken": desk_token}, timeout=10)
            stop.wait(max(0.0, POLL - (time.monotonic() - started)))

    poller = threading.Thread(target=desk_page, daemon=True)
    poller.start()
    for i in range(tries):
        time.sleep(random.uniform(0.5, POLL + 0.5))
        note = f"bench{i}-{uuid.uuid4().hex[:6]}"
        sent[note] = time.monotonic()
        response = guard.post(base + "/incidents/sos", data={"note": note}, timeout=30, headers={
            "Idempotency-Key": str(uuid.uuid4()), "X-Device-Time": serving.device_time(),
            "X-Device-Sent-At": serving.device_time(), "X-CSRFToken": guard_token, "Accept": "application/json"})
        assert response.status_code == 201, response.text
    deadline = time.monotonic() + 10
    while len(seen) < tries and time.monotonic() < deadline:
        time.sleep(0.1)
    stop.set()
    return [seen[note] - sent[note] for note in sent if note in seen]


def gunicorn_pids(port: int) -> list[int]:
    """The gunicorn master and workers serving `port` (found by command line)."""
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if "gunicorn" in cmd and f"127.0.0.1:{port}" in cmd:
                pids.append(int(proc.name))
    return pids


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime + stime
    return total / CLK_TCK


def rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def page_session(signed_in: requests.Session) -> requests.Session:
    """One open page: its own connection, the signed-in cookie of its user."""
    session = requests.Session()
    session.cookies.update(signed_in.cookies)
    return session


def postgres_pids(database: str | None) -> list[int]:
    """The PostgreSQL backends serving the bench database (their CPU is the database's share)."""
    if not database:
        return []
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if cmd.startswith("postgres:") and f" {database} " in cmd:
                pids.append(int(proc.name))
    return pids


def waiting_pages(base: str, port: int, pages: int, seconds: float, database: str | None = None) -> dict:
    users = [sign_in(base, "desk01"), sign_in(base, "supervisor01")]
    sessions = [page_session(users[i % 2]) for i in range(pages)]
    pids = gunicorn_pids(port)
    times: list[float] = []
    errors = [0]
    stop = threading.Event()

    def page(session: requests.Session):
        stop.wait(random.uniform(0, POLL))
        while not stop.is_set():
            started = time.monotonic()
            try:
                session.get(base + "/alerts/active", headers={"Accept": "application/json"}, timeout=10).json()
                times.append(time.monotonic() - started)
            except (requests.RequestException, ValueError):
                errors[0] += 1
            stop.wait(max(0.0, POLL - (time.monotonic() - started)))

    idle_cpu = cpu_seconds(pids)
    time.sleep(seconds / 3)
    idle_rate = (cpu_seconds(pids) - idle_cpu) / (seconds / 3)
    rss_before, cpu_before = rss_mb(pids), cpu_seconds(pids)
    db_pids = postgres_pids(database)
    db_before = cpu_seconds(db_pids)
    threads = [threading.Thread(target=page, args=(sessions[i],), daemon=True) for i in range(pages)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    cpu = cpu_seconds(pids) - cpu_before
    db_pids = [pid for pid in db_pids if Path(f"/proc/{pid}").exists()]
    db_cpu = max(0.0, cpu_seconds(db_pids) - db_before) if db_pids else 0.0
    elapsed = time.monotonic() - started
    rss_after = rss_mb(pids)
    stop.set()
    for thread in threads:
        thread.join(15)
    return {"polls": len(times), "errors": errors[0], "per_second": len(times) / elapsed,
            "cpu_share": cpu / elapsed, "db_cpu_share": db_cpu / elapsed,
            "cpu_ms_per_poll": 1000 * cpu / max(1, len(times)), "idle_cpu_share": idle_rate, "rss_before": rss_before,
            "rss_after": rss_after, "p50": percentile(times, 50), "p95": percentile(times, 95)}


def run(database_url: str, workdir: Path, args) -> None:
    data, instance = workdir / "data", workdir / "instance"
    data.mkdir(exist_ok=True)
    instance.mkdir(exist_ok=True)
    serving.prepare_database(database_url, data)
    print(f"load average before: {Path('/proc/loadavg').read_text().split()[:3]} on {os.cpu_count()} cores")
    with serving.gunicorn(database_url, data, instance, workers=2) as base:
        port = int(base.rsplit(":", 1)[1])
        lat = latency(base, args.tries)
        print(f"SOS → desk page ({len(lat)}/{args.tries} seen, poll every {POLL:.0f} s): "
              f"p50 {statistics.median(lat):.2f} s, p95 {percentile(lat, 95):.2f} s, max {max(lat):.2f} s")
        database = database_url.rsplit("/", 1)[1] if database_url.startswith("postgresql") else None
        cost = waiting_pages(base, port, args.pages, args.seconds, database)
        print(f"{args.pages} waiting pages for {args.seconds:.0f} s: {cost['per_second']:.1f} polls/s, "
              f"poll answer p50 {cost['p50'] * 1000:.1f} ms, p95 {cost['p95'] * 1000:.1f} ms, errors {cost['errors']}; "
              f"gunicorn CPU {cost['cpu_share'] * 100:.1f} % of one core ({cost['cpu_ms_per_poll']:.1f} ms a poll; "
              f"idle {cost['idle_cpu_share'] * 100:.1f} %), PostgreSQL backends {cost['db_cpu_share'] * 100:.1f} %, "
              f"RSS {cost['rss_before']:.0f} → {cost['rss_after']:.0f} MB (master + 2 workers)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", help="maintenance database URL; a scratch database is made there")
    parser.add_argument("--tries", type=int, default=50)
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.postgres:
            with serving.postgres_scratch(args.postgres) as url:
                run(url, Path(tmp), args)
        else:
            run("sqlite:///" + str(Path(tmp) / "bench.db"), Path(tmp), args)


if __name__ == "__main__":
    main()
