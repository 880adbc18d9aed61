"""Field-action throughput against the raw-insert ceiling, in one run on this machine (issue 13 targets).

    .venv/bin/python bench/throughput.py                  # SQLite (WAL) and PostgreSQL
    .venv/bin/python bench/throughput.py --db sqlite
    .venv/bin/python bench/throughput.py --before ../before   # also the app of another checkout, same run

For each database, each under gunicorn with 2 sync workers and the same closed-loop load of 8 connections
(bench/load.py): (1) the bare endpoint, one raw INSERT + COMMIT per request; (2) the app's single
`POST /patrol/scans` (a fresh Idempotency-Key each, 8 signed-in phones); (3) the app's batch replay,
1,000 scans in batches of 50 through `POST /sync/batch`. Prints requests/s (rows/s for the batch), p50/p99,
the ratios to the bare endpoint and checks that every scan was stored exactly once.
Targets: single ≥ 0.25× the bare endpoint's requests/s; batch ≥ 1.0× its rows/s. With `--before PATH` the
app of that checkout (e.g. `git worktree add ../before <commit>`) is measured too, on the same database,
between the bare endpoint and this checkout's app.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import (DEFAULT_ADMIN_URL, ROOT, app_env, bare_sender, closed_loop, database, phone,  # noqa: E402
                  prepare_app_database, prepare_bare, scan_action, serve)

CONNECTIONS = 8


def stored_once(url: str, keys: list[str]) -> tuple[int, int]:
    """(rows, distinct client UUIDs) of the scans with `keys`."""
    from sqlalchemy import create_engine, func, select

    from wuye_field.patrol.models import Scan

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(func.count(), func.count(Scan.client_uuid.distinct()))
                                .where(Scan.client_uuid.in_(keys))).one()
    finally:
        engine.dispose()
    return rows[0], rows[1]


def run(kind: str, admin_url: str, seconds: float, batch_actions: int, batch_size: int,
        before: Path | None = None) -> dict:
    results = {}
    with database(kind, admin_url, "tp") as (app_url, bare_target), tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        prepare_bare(bare_target)
        with serve("bench.load:bare_app()", {"BARE_DATABASE": bare_target}, folder / "bare") as base:
            closed_loop(bare_sender(base), CONNECTIONS, requests_total=100)  # warm up
            results["bare"] = closed_loop(bare_sender(base), CONNECTIONS, seconds=seconds)

        data = folder / "data"
        tokens = prepare_app_database(app_url, data)
        checkouts = ([("before", before)] if before else []) + [("app", ROOT)]
        for label, root in checkouts:
            with serve("app:app", app_env(app_url, data), folder / label, root=root) as base:
                results[label] = measure_app(base, app_url, tokens, seconds, batch_actions, batch_size)
    return results


def measure_app(base: str, app_url: str, tokens: list[str], seconds: float, batch_actions: int,
                batch_size: int) -> dict:
    """The single scan POST for `seconds`, then `batch_actions` scans in batches of `batch_size`."""
    results = {}
    phones = [phone(base) for _ in range(CONNECTIONS)]
    keys: list[str] = []

    def single(c: int, n: int) -> int:
        session, csrf = phones[c]
        item = scan_action(tokens[n % len(tokens)], n)
        keys.append(item["key"])
        return session.post(base + item["path"], data=item["fields"], timeout=60, headers={
            "Idempotency-Key": item["key"], "X-Device-Time": item["device_time"],
            "X-Device-Sent-At": item["sent_at"], "X-CSRFToken": csrf, "Accept": "application/json"},
        ).status_code

    closed_loop(single, CONNECTIONS, requests_total=50)  # warm up
    keys.clear()
    results["single"] = closed_loop(single, CONNECTIONS, seconds=seconds)
    results["single"]["stored"] = stored_once(app_url, keys)

    actions = [scan_action(tokens[i % len(tokens)], i) for i in range(batch_actions)]
    batches = [actions[i:i + batch_size] for i in range(0, len(actions), batch_size)]
    bad: list[int] = []

    def batch(c: int, n: int) -> int:
        session, csrf = phones[c]
        response = session.post(base + "/sync/batch", json={"actions": batches[n]}, timeout=300,
                                headers={"X-CSRFToken": csrf, "Accept": "application/json"})
        if response.status_code == 200:
            bad.extend(r["status"] for r in response.json()["results"] if r["status"] != 201)
        return response.status_code

    stats = closed_loop(batch, CONNECTIONS, requests_total=len(batches))
    stats["actions_per_s"] = batch_actions / stats["wall"]
    stats["not_201"] = len(bad)
    stats["stored"] = stored_once(app_url, [a["key"] for a in actions])
    results["batch"] = stats
    return results


def report(kind: str, r: dict, batch_size: int) -> None:
    bare = r["bare"]
    print(f"\n== {kind} (gunicorn, 2 workers, {CONNECTIONS} connections)")
    print(f"bare insert      {bare['rps']:8.1f} req/s   p50 {bare['p50']:6.1f} ms  p99 {bare['p99']:7.1f} ms"
          f"  ({bare['count']} requests, {bare['errors']} errors)")
    for label in ("before", "app"):
        if label not in r:
            continue
        single, batch = r[label]["single"], r[label]["batch"]
        name = "" if label == "app" else f" ({label})"
        print(f"single scan{name:9} {single['rps']:8.1f} req/s   p50 {single['p50']:6.1f} ms  p99 "
              f"{single['p99']:7.1f} ms  ({single['count']} requests, {single['errors']} errors; rows/unique "
              f"{single['stored']})  = {single['rps'] / bare['rps']:.2f}× bare (target ≥ 0.25×)")
        print(f"batch of {batch_size:<3}{name:9} {batch['actions_per_s']:8.1f} rows/s  p50 {batch['p50']:6.0f} ms "
              f"per batch  p99 {batch['p99']:7.0f} ms  ({batch['count']} batches, {batch['errors']} errors, "
              f"{batch['not_201']} actions not 201; rows/unique {batch['stored']})  = "
              f"{batch['actions_per_s'] / bare['rps']:.2f}× bare rows/s (target ≥ 1.0×)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--url", default=DEFAULT_ADMIN_URL, help="PostgreSQL maintenance database URL")
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of the bare and single runs")
    parser.add_argument("--actions", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--before", type=Path, help="another checkout whose app is measured in the same run")
    args = parser.parse_args()
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    for kind in kinds:
        report(kind, run(kind, args.url, args.seconds, args.actions, args.batch, args.before), args.batch)


if __name__ == "__main__":
    main()
