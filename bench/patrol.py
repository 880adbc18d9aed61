"""Key-area compliance at scale: a year of scans for 100 sites × 50 checkpoints × 6 scans a day (≈ 11 M rows).

    .venv/bin/python bench/patrol.py                                  # full size, ≈ 10.8 M scans
    .venv/bin/python bench/patrol.py --sites 10 --runs 20 --url postgresql://postgres@127.0.0.1:5432/test

A scratch database is created on the server named by --url (its maintenance database) and dropped at
the end. The schema comes from `db.create_all()`; sites, users and places go in through the ORM, the
scans through COPY (the scan table's indexes are dropped for the load and rebuilt after, its triggers
— foreign-key checks — disabled meanwhile). Every checkpoint is a key area (240 min, P2) and is
scanned once in each of its six daily windows at a varying minute, about 1 % of windows skipped.

Then it times, over --runs repeated runs each (after one warm-up), with the app's own service
functions (the queries the pages run):

  a. the live board of one site — `patrol.supervision.site_board`;
  b. the daily compliance of one site-month — `patrol.supervision.site_compliance` over October;

each next to a bare indexed count over the same rows (a: the site's scans of its key areas; b: those
scans in that month; for b also a bare fetch of those rows into Python, since the windows are computed
there), and prints median / p95 milliseconds and the ratio service ÷ bare count. It runs
the whole set three times: with the indexes the models declare, with an added composite index
`scan (place_id, device_time)`, and with that index made partial (`WHERE NOT tag_retired`, the rows
the board and the windows read, so PostgreSQL can answer from the index alone). Target: the board
under 200 ms.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

from bench.scratch import DEFAULT_ADMIN_URL, scratch_app  # noqa: E402
from sqlalchemy import text  # noqa: E402

NOW = datetime(2026, 11, 27, 3, 0, tzinfo=timezone.utc)  # 11:00 in Shanghai, the day after the last full day
LAST_DAY = date(2026, 11, 26)
MONTH = (date(2026, 10, 1), date(2026, 10, 31))
SCAN_COLUMNS = ("client_uuid", "user_id", "site_id", "place_id", "via", "note", "device_time", "received_at",
                "clock_skew_seconds", "skew_flagged", "off_route", "tag_retired", "round_id")
VARIANTS = [  # (label, SQL run before measuring), cumulative
    ("indexes the models declare, incl. scan (place_id, device_time) WHERE NOT tag_retired", None),
    ("without that index", "DROP INDEX ix_scan_place_device_time_live"),
]
SH = ZoneInfo("Asia/Shanghai")


def build_config(app, n_sites: int, n_places: int) -> tuple[int, list[tuple[int, list[int]]]]:
    """Sites, one guard, places (all key areas). Returns (guard id, [(site id, [place ids])])."""
    from wuye_field.accounts.services import create_user
    from wuye_field.extensions import db
    from wuye_field.places.models import Place, Site

    with app.app_context():
        db.create_all()
        sites = [Site(code=f"B{i:03d}", name=f"压测小区{i}", timezone="Asia/Shanghai",
                      public_base_url="http://bench.test") for i in range(n_sites)]
        db.session.add_all(sites)
        db.session.flush()
        guard = create_user(staff_no="bench-guard", name="压测护管员", password="bench-password-1",
                            roles={s.id: {"guard"} for s in sites}, hash_method="pbkdf2:sha256:1000")
        result = []
        for site in sites:
            places = [Place(site_id=site.id, code=f"K{j:02d}", name=f"重点部位{j}", kind="checkpoint",
                            is_key_area=True, patrol_interval_min=240,
                            created_at=datetime(2025, 1, 1, tzinfo=timezone.utc))
                      for j in range(n_places)]
            db.session.add_all(places)
            db.session.flush()
            result.append((site.id, [p.id for p in places]))
        db.session.commit()
        return guard.id, result


def _scan_lines(guard_id: int, layout: list[tuple[int, list[int]]], days: int):
    """COPY text for every scan, in time order (as real data arrives): 6 a day per place, ~1 % skipped."""
    n = 0
    first = LAST_DAY - timedelta(days=days - 1)
    for d in range(days):
        day = first + timedelta(days=d)
        midnight = datetime.combine(day, datetime.min.time(), tzinfo=SH).astimezone(timezone.utc)
        stamps: dict[int, str] = {}
        chunk = []
        for site_id, places in layout:
            for place_id in places:
                for k in range(6):
                    if (place_id + d * 3 + k) % 97 == 0:
                        continue
                    minute = k * 240 + (place_id * 7 + d * 13 + k * 29) % 230
                    stamp = stamps.get(minute)
                    if stamp is None:
                        stamp = stamps[minute] = (midnight + timedelta(minutes=minute)).strftime("%Y-%m-%d %H:%M:%S+00")
                    n += 1
                    chunk.append(f"b{n:035d}\t{guard_id}\t{site_id}\t{place_id}\tcamera\t\t{stamp}\t{stamp}"
                                 f"\t\\N\tf\tf\tf\t\\N\n")
        yield "".join(chunk).encode()


def load_scans(url: str, guard_id: int, layout, days: int) -> int:
    """Drop the scan table's indexes, COPY the scans with triggers off, rebuild the indexes. Returns rows."""
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'scan' AND indexname "
                            "NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'scan'::regclass)").fetchall()
        uniques = conn.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                               "WHERE conrelid = 'scan'::regclass AND contype = 'u'").fetchall()
        for name, _def in uniques:
            conn.execute(f'ALTER TABLE scan DROP CONSTRAINT "{name}"')
        for name, _def in rows:
            conn.execute(f'DROP INDEX IF EXISTS "{name}"')
        conn.execute("ALTER TABLE scan DISABLE TRIGGER ALL")
        t0 = time.perf_counter()
        with conn.cursor() as cur, cur.copy(f"COPY scan ({', '.join(SCAN_COLUMNS)}) FROM STDIN") as copy:
            for block in _scan_lines(guard_id, layout, days):
                copy.write(block)
        count = conn.execute("SELECT count(*) FROM scan").fetchone()[0]
        print(f"  COPY {count:,} scans in {time.perf_counter() - t0:.0f} s")
        conn.execute("ALTER TABLE scan ENABLE TRIGGER ALL")
        t0 = time.perf_counter()
        conn.execute("SET maintenance_work_mem = '1GB'")
        for name, definition in uniques:
            conn.execute(f'ALTER TABLE scan ADD CONSTRAINT "{name}" {definition}')
        for _name, definition in rows:
            conn.execute(definition)
        conn.execute("VACUUM ANALYZE scan")
        print(f"  rebuilt {len(rows)} indexes + {len(uniques)} unique constraint, vacuum analyze: "
              f"{time.perf_counter() - t0:.0f} s")
        return count


def timed(fn, runs: int) -> list[float]:
    fn()  # warm-up
    result = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        result.append((time.perf_counter() - t0) * 1000)
    return result


def fmt(ms: list[float]) -> str:
    ordered = sorted(ms)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return f"median {statistics.median(ms):8.1f} ms   p95 {p95:8.1f} ms"


def measure(app, site_id: int, place_ids: list[int], runs: int, label: str) -> dict:
    from wuye_field.extensions import db
    from wuye_field.patrol import supervision
    from wuye_field.places.models import Site

    start = datetime.combine(MONTH[0], datetime.min.time(), tzinfo=SH).astimezone(timezone.utc)
    end = datetime.combine(MONTH[1] + timedelta(days=1), datetime.min.time(), tzinfo=SH).astimezone(timezone.utc)
    ids = ",".join(str(i) for i in place_ids)
    with app.app_context():
        site = db.session.get(Site, site_id)

        def board():
            db.session.expire_all()
            return supervision.site_board(site, now=NOW)

        def month():
            db.session.expire_all()
            return supervision.site_compliance(site, MONTH[0], MONTH[1], now=NOW)

        def bare_site():
            return db.session.execute(text(
                f"SELECT count(*) FROM scan WHERE place_id IN ({ids}) AND NOT tag_retired")).scalar()

        def bare_month():
            return db.session.execute(text(
                f"SELECT count(*) FROM scan WHERE place_id IN ({ids}) AND NOT tag_retired "
                "AND device_time >= :a AND device_time < :b"), {"a": start, "b": end}).scalar()

        def fetch_month():
            return db.session.execute(text(
                f"SELECT place_id, device_time FROM scan WHERE place_id IN ({ids}) AND NOT tag_retired "
                "AND device_time >= :a AND device_time < :b"), {"a": start, "b": end}).all()

        rows_site, rows_month = bare_site(), bare_month()
        b = board()
        areas, _days, total = month()
        assert len(b.rows) == len(place_ids) and all(r.last_visit is not None for r in b.rows)
        assert total.counted == len(place_ids) * 6 * 31
        result = {"board": timed(board, runs), "bare_site": timed(bare_site, runs),
                  "month": timed(month, runs), "bare_month": timed(bare_month, runs),
                  "fetch_month": timed(fetch_month, runs)}
        db.session.rollback()
    print(f"\n[{label}]")
    print(f"  board, one site ({len(place_ids)} key areas over {rows_site:,} scans)")
    print(f"    site_board:                 {fmt(result['board'])}")
    print(f"    bare count of those scans:  {fmt(result['bare_site'])}")
    ratio = statistics.median(result['board']) / statistics.median(result['bare_site'])
    print(f"    ratio board ÷ bare count: {ratio:.2f}×"
          f"   target < 200 ms: {'met' if statistics.median(result['board']) < 200 else 'NOT met'}")
    print(f"  daily compliance, one site-month ({MONTH[0]:%Y-%m}: {rows_month:,} scans, "
          f"{total.counted:,} windows, {total.percent} on time)")
    print(f"    site_compliance:            {fmt(result['month'])}")
    print(f"    bare count of those scans:  {fmt(result['bare_month'])}")
    print(f"    bare fetch of those rows:   {fmt(result['fetch_month'])}")
    print(f"    ratio compliance ÷ bare count: "
          f"{statistics.median(result['month']) / statistics.median(result['bare_month']):.1f}×   "
          f"÷ bare fetch: {statistics.median(result['month']) / statistics.median(result['fetch_month']):.1f}×")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=100)
    parser.add_argument("--places", type=int, default=50)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--url", default=DEFAULT_ADMIN_URL)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()
    with scratch_app(args.url, "patrol", keep=args.keep) as (app, url, name):
        print(f"PostgreSQL scratch database {name}: {args.sites} sites × {args.places} key areas × 6 scans/day "
              f"× {args.days} days")
        t0 = time.perf_counter()
        guard_id, layout = build_config(app, args.sites, args.places)
        rows = load_scans(url, guard_id, layout, args.days)
        print(f"  built in {time.perf_counter() - t0:.0f} s: {rows:,} scan rows")
        site_id, place_ids = layout[len(layout) // 2]
        for label, sql in VARIANTS:
            if sql:
                with psycopg.connect(url, autocommit=True) as conn:
                    t0 = time.perf_counter()
                    for statement in sql.split("; "):
                        conn.execute(statement)
                    conn.execute("VACUUM ANALYZE scan")
                    print(f"\n  {sql}: {time.perf_counter() - t0:.0f} s")
            measure(app, site_id, place_ids, args.runs, label)


if __name__ == "__main__":
    main()
