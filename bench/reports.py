"""`wuye report SITE --month YYYY-MM --json` at the scale of bench/patrol.py: a year of scans for 100 sites ×
50 key areas × 6 scans a day (≈ 11 M rows), on PostgreSQL.

    .venv/bin/python bench/reports.py                                 # full size, ≈ 10.8 M scans
    .venv/bin/python bench/reports.py --sites 10 --runs 5

The data are bench/patrol.py's (same loader: sites, one guard, key areas, scans through COPY). It times,
over --runs runs after one warm-up, what the command does for one site-month (October): every duty's
figures (`reports.close.month_report`, an open month, so computed from the records) printed as JSON —
next to a bare indexed count of the same scans (the site's key areas, that month). Target: ≤ 2 s.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from bench.patrol import MONTH, NOW, SH, build_config, fmt, load_scans, timed  # noqa: E402
from bench.scratch import DEFAULT_ADMIN_URL, scratch_app  # noqa: E402


def measure(app, site_id: int, place_ids: list[int], runs: int) -> None:
    from wuye_field.extensions import db
    from wuye_field.places.models import Site
    from wuye_field.reports import close

    start = datetime.combine(MONTH[0], datetime.min.time(), tzinfo=SH).astimezone(timezone.utc)
    end = datetime.combine(MONTH[1] + timedelta(days=1), datetime.min.time(), tzinfo=SH).astimezone(timezone.utc)
    ids = ",".join(str(i) for i in place_ids)
    with app.test_request_context():
        site = db.session.get(Site, site_id)
        month = f"{MONTH[0]:%Y-%m}"

        def report():
            db.session.expire_all()
            return json.dumps(close.month_report(site, month, now=NOW), ensure_ascii=False, sort_keys=True)

        def bare_month():
            return db.session.execute(text(
                f"SELECT count(*) FROM scan WHERE place_id IN ({ids}) AND NOT tag_retired "
                "AND device_time >= :a AND device_time < :b"), {"a": start, "b": end}).scalar()

        rows = bare_month()
        figures = json.loads(report())
        assert figures["patrol"]["total"]["windows"] == len(place_ids) * 6 * 31
        result = {"report": timed(report, runs), "bare": timed(bare_month, runs)}
        db.session.rollback()
    ratio = statistics.median(result["report"]) / statistics.median(result["bare"])
    print(f"\n  report --json, one site-month ({month}: {rows:,} scans, {figures['patrol']['total']['windows']:,} "
          f"windows, {figures['patrol']['total']['on_time']:,} on time)")
    print(f"    month_report + JSON:        {fmt(result['report'])}")
    print(f"    bare count of those scans:  {fmt(result['bare'])}")
    print(f"    ratio report ÷ bare count: {ratio:.1f}×   target ≤ 2 s: "
          f"{'met' if statistics.median(result['report']) <= 2000 else 'NOT met'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=100)
    parser.add_argument("--places", type=int, default=50)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--url", default=DEFAULT_ADMIN_URL)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()
    with scratch_app(args.url, "reports", keep=args.keep) as (app, url, name):
        print(f"PostgreSQL scratch database {name}: {args.sites} sites × {args.places} key areas × 6 scans/day "
              f"× {args.days} days")
        t0 = time.perf_counter()
        guard_id, layout = build_config(app, args.sites, args.places)
        rows = load_scans(url, guard_id, layout, args.days)
        print(f"  built in {time.perf_counter() - t0:.0f} s: {rows:,} scan rows")
        site_id, place_ids = layout[len(layout) // 2]
        measure(app, site_id, place_ids, args.runs)


if __name__ == "__main__":
    main()
