"""Shift change on PostgreSQL: 200 phones × 50 queued actions, every phone replaying its 50 through
`POST /sync/batch` at the same moment (issue 13 target: all 10,000 stored exactly once, within 2× the time
the bare endpoint needs for 10,000 rows in the same run).

    .venv/bin/python bench/burst.py [--phones 200 --actions 50 --url postgresql://postgres@127.0.0.1:5432/test]

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

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import (DEFAULT_ADMIN_URL, app_env, bare_sender, closed_loop, database, percentile,  # noqa: E402
                  phone, prepare_app_database, prepare_bare, scan_action, serve)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=200)
    parser.add_argument("--actions", type=int, default=50)
    parser.add_argument("--url", default=DEFAULT_ADMIN_URL, help="PostgreSQL maintenance database URL")
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
        with serve("app:app", app_env(app_url, data), folder / "app") as base:
            phones = [phone(base, f"bench{i:03d}") for i in range(args.phones)]
            outboxes = [[scan_action(tokens[(p + i) % len(tokens)], i) for i in range(args.actions)]
                        for p in range(args.phones)]
            barrier = threading.Barrier(args.phones + 1)
            latencies: list[float] = [0.0] * args.phones
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
                        statuses[-response.status_code] = statuses.get(-response.status_code, 0) + args.actions

            threads = [threading.Thread(target=replay, args=(p,)) for p in range(args.phones)]
            for thread in threads:
                thread.start()
            barrier.wait()
            started = time.perf_counter()
            for thread in threads:
                thread.join()
            wall = time.perf_counter() - started

        import psycopg

        keys = [a["key"] for outbox in outboxes for a in outbox]
        with psycopg.connect(app_url.replace("postgresql+psycopg://", "postgresql://")) as conn:
            rows, unique = conn.execute("SELECT count(*), count(DISTINCT client_uuid) FROM scan "
                                        "WHERE client_uuid = ANY(%s)", (keys,)).fetchone()
    print(f"burst: {args.phones} phones × {args.actions} actions = {total} in {wall:.1f} s "
          f"({total / wall:.0f} actions/s) = {wall / bare['wall']:.2f}× the bare endpoint's time (target ≤ 2×)")
    print(f"per batch: p50 {percentile(latencies, 50):.1f} s, p95 {percentile(latencies, 95):.1f} s; "
          f"results {dict(sorted(statuses.items()))}; stored rows {rows}, unique {unique} (exactly once: "
          f"{rows == unique == total})")


if __name__ == "__main__":
    main()
