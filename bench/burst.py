"""Shift change on PostgreSQL: 200 phones × 50 queued actions, every phone replaying its 50 through
`POST /sync/batch` at the same moment (issue 13 target: all 10,000 stored exactly once, within 2× the time
the bare endpoint needs for 10,000 rows in the same run).

    .venv/bin/python bench/burst.py [--phones 200 --actions 50 --url postgresql://postgres@127.0.0.1:5432/test]
    .venv/bin/python bench/burst.py --before ../before   # also the app of another checkout, same run

The bare endpoint (bench/load.py) first takes 10,000 single-row requests on 8 connections; then the app
(gunicorn, 2 workers, PostgreSQL) gets the burst: each phone signs in beforehand, then all send at once
behind a barrier. Prints the wall times, their ratio, p50/p95 per batch and the exactly-once check.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import (DEFAULT_ADMIN_URL, ROOT, app_env, bare_sender, closed_loop, database, percentile,  # noqa: E402
                  phone, prepare_app_database, prepare_bare, scan_action, serve)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=200)
    parser.add_argument("--actions", type=int, default=50)
    parser.add_argument("--url", default=DEFAULT_ADMIN_URL, help="PostgreSQL maintenance database URL")
    parser.add_argument("--before", type=Path, help="another checkout whose app is measured in the same run")
    args = parser.parse_args()
    total = args.phones * args.actions
    with database("postgres", args.url, "burst") as (app_url, bare_target), tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        prepare_bare(bare_target)
        with serve("bench.load:bare_app()", {"BARE_DATABASE": bare_target}, folder / "bare") as base:
            bare = closed_loop(bare_sender(base), 8, requests_total=total)
        print(f"bare insert: {total} rows in {bare['wall']:.1f} s ({bare['rps']:.0f} rows/s, 8 connections)")

        data = folder / "data"
        tokens = prepare_app_database(app_url, data, extra_guards=args.phones)
        checkouts = ([("before", args.before)] if args.before else []) + [("app", ROOT)]
        for label, root in checkouts:
            with serve("app:app", app_env(app_url, data), folder / label, root=root) as base:
                wall, latencies, statuses, keys = burst(base, tokens, args.phones, args.actions)
            with psycopg.connect(app_url.replace("postgresql+psycopg://", "postgresql://")) as conn:
                rows, unique = conn.execute("SELECT count(*), count(DISTINCT client_uuid) FROM scan "
                                            "WHERE client_uuid = ANY(%s)", (keys,)).fetchone()
            name = "" if label == "app" else f" ({label})"
            print(f"burst{name}: {args.phones} phones × {args.actions} actions = {total} in {wall:.1f} s "
                  f"({total / wall:.0f} actions/s) = {wall / bare['wall']:.2f}× the bare endpoint's time "
                  "(target ≤ 2×)")
            print(f"per batch: p50 {percentile(latencies, 50):.1f} s, p95 {percentile(latencies, 95):.1f} s; "
                  f"results {dict(sorted(statuses.items()))}; stored rows {rows}, unique {unique} (exactly once: "
                  f"{rows == unique == total})")


def burst(base: str, tokens: list[str], phone_count: int, action_count: int):
    """Every phone replays its `action_count` scans in one batch at the same moment: (wall seconds,
    seconds per batch, {status: count}, the keys sent)."""
    phones = [phone(base, f"bench{i:03d}") for i in range(phone_count)]
    outboxes = [[scan_action(tokens[(p + i) % len(tokens)], i) for i in range(action_count)]
                for p in range(phone_count)]
    barrier = threading.Barrier(phone_count + 1)
    latencies: list[float] = [0.0] * phone_count
    statuses: dict[int, int] = {}
    lock = threading.Lock()

    def replay(p: int) -> None:
        session, csrf = phones[p]
        barrier.wait()
        started = time.perf_counter()
        response = session.post(base + "/sync/batch", json={"actions": outboxes[p]}, timeout=1200,
                                headers={"X-CSRFToken": csrf, "Accept": "application/json"})
        latencies[p] = time.perf_counter() - started
        results = response.json()["results"] if response.status_code == 200 else []
        with lock:
            for result in results:
                statuses[result["status"]] = statuses.get(result["status"], 0) + 1
            if response.status_code != 200:
                statuses[-response.status_code] = statuses.get(-response.status_code, 0) + action_count

    threads = [threading.Thread(target=replay, args=(p,)) for p in range(phone_count)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, latencies, statuses, [a["key"] for box in outboxes for a in box]


if __name__ == "__main__":
    main()
