"""Scheduled checks at scale: 100 sites × 500 pieces of equipment × the default plans for a year, on PostgreSQL.

    .venv/bin/python bench/checks.py                       # 100 sites, 500 pieces each, one year
    .venv/bin/python bench/checks.py --sites 20 --url postgresql://postgres@127.0.0.1:5432/test

A scratch database is created (bench/scratch.py) and dropped at the end. The schema comes from `create_all`;
each site gets one guard, one technician, one supervisor, 500 pieces (the mix of a large estate: 200
extinguishers, 60 hydrant boxes, 90 lights …) and the default plans, in force from a year ago
(`plans.ensure_default_plans`, effective-dated). A year of checks is loaded with COPY: every window of
every plan for every piece it covers, done a few hours before due, 3 % missed, 5 % late, 1 % failed.
Then it times, over repeated runs:

  1. the overdue board of one site: `board.board(site, now)`, against a bare indexed count of the same
     site's checks since the earliest current window start;
  2. the month figures of one site for the last full month: `board.month_figures(site, first, now)`,
     against a bare indexed fetch of the same checks (plan, equipment, time);

and prints the medians, the ratio to the bare query, and the plans. Target: board ≤ 200 ms.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

from bench.scratch import DEFAULT_ADMIN_URL, scratch_app  # noqa: E402

MIX = {"fire_room": 1, "exit": 4, "alarm_panel": 1, "smoke_zone": 20, "hydrant_box": 60, "extinguisher": 200,
       "emergency_light": 40, "exit_sign": 30, "fire_door": 30, "fire_pump": 2, "pump": 4, "water_tank": 2,
       "septic_tank": 2, "generator": 1, "light": 90, "pest_station": 10, "lift": 3}
assert sum(MIX.values()) == 500
CHECK_COLUMNS = ("client_uuid", "device_time", "received_at", "skew_flagged", "user_id", "site_id", "plan_id",
                 "equipment_id", "result", "answers", "failures", "note", "equipment_removed")


def build_sites(app, url: str, n_sites: int, per_site: int, year_ago: datetime) -> list[int]:
    """n sites with three people each, `per_site` pieces (MIX scaled) and the default plans from a year ago."""
    from wuye_field.checks import plans as plan_rules
    from wuye_field.extensions import db

    with app.app_context():
        db.create_all()
        first_site = db.session.execute(db.text("SELECT coalesce(max(id), 0) + 1 FROM site")).scalar()
        first_user = db.session.execute(db.text('SELECT coalesce(max(id), 0) + 1 FROM "user"')).scalar()
    site_ids = list(range(first_site, first_site + n_sites))
    scale = per_site / 500
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        with cur.copy("COPY site (id, code, name, timezone, public_base_url, created_at) FROM STDIN") as copy:
            for i, site_id in enumerate(site_ids):
                copy.write_row((site_id, f"K{i:03d}", f"压测小区{i:03d}", "Asia/Shanghai", "http://bench.test",
                                year_ago))
        with cur.copy('COPY "user" (id, staff_no, name, password_hash, active, is_admin, session_version, created_at) '
                      "FROM STDIN") as copy:
            for i, _site_id in enumerate(site_ids):
                for k in range(3):
                    uid = first_user + 3 * i + k
                    copy.write_row((uid, f"k{uid}", f"员工{uid}", "x", True, False, 1, year_ago))
        with cur.copy("COPY membership (user_id, site_id, role) FROM STDIN") as copy:
            for i, site_id in enumerate(site_ids):
                for k, role in enumerate(("guard", "technician", "supervisor")):
                    copy.write_row((first_user + 3 * i + k, site_id, role))
        with cur.copy("COPY equipment (site_id, code, name, type, floor, attrs, status, created_at) "
                      "FROM STDIN") as copy:
            for site_id in site_ids:
                n = 0
                for type_code, count in MIX.items():
                    for _k in range(max(1, round(count * scale))):
                        n += 1
                        attrs = {}
                        if type_code == "extinguisher":
                            attrs = {"agent": "dry_powder", "capacity": 4.0, "expiry": "2029-06-30"}
                        elif type_code == "hydrant_box":
                            attrs = {"expected_extinguishers": 4}
                        copy.write_row((site_id, f"E{n:04d}", f"{type_code}-{n}", type_code, "", json.dumps(attrs),
                                        "in_service", year_ago))
        for table in ("site", "user"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                        f"(SELECT max(id) FROM \"{table}\"))")
        conn.commit()
    t0 = time.perf_counter()
    with app.app_context():
        for site_id in site_ids:
            plan_rules.ensure_default_plans(site_id, actor=None, now=year_ago)
        db.session.commit()
    print(f"  {n_sites} sites × {per_site} pieces; default plans in {time.perf_counter() - t0:.1f} s")
    return site_ids


def check_rows(app, site_ids: list[int], year_ago: datetime, now: datetime):
    """Yield the COPY rows of a year of checks for every site."""
    from sqlalchemy import select

    from wuye_field.accounts.models import Membership
    from wuye_field.checks import plans as plan_rules
    from wuye_field.checks import schedule
    from wuye_field.checks.models import Equipment
    from wuye_field.extensions import db

    rng = random.Random(15)
    with app.app_context():
        windows_by_key: dict[str, list] = {}
        for site_id in site_ids:
            doers = {role: uid for uid, role in db.session.execute(
                select(Membership.user_id, Membership.role).where(Membership.site_id == site_id))}
            pieces = list(db.session.scalars(select(Equipment).where(Equipment.site_id == site_id)))
            for plan in plan_rules.site_plans(site_id):
                if plan.key not in windows_by_key:
                    freq = schedule.Frequency.from_dict(plan.frequency)
                    windows_by_key[plan.key] = schedule.windows_of(freq, year_ago, now, "Asia/Shanghai")
                user_id = doers[plan.role]
                for piece in plan_rules.covered(plan, pieces):
                    for window in windows_by_key[plan.key]:
                        roll = rng.random()
                        if roll < 0.03:
                            continue
                        when = window.due + timedelta(hours=3) if roll < 0.08 else window.due - timedelta(
                            minutes=rng.randint(30, 600))
                        when = max(when, window.start)
                        if when >= now:
                            continue
                        failed = roll > 0.99
                        yield (str(uuid.uuid4()), when, when + timedelta(minutes=2), False, user_id, site_id, plan.id,
                               piece.id, "fail" if failed else "ok", '{"works": {"ok": true}}',
                               '["测试正常：不正常"]' if failed else "[]", "", False)
            db.session.expire_all()


def build_checks(app, url: str, site_ids, year_ago: datetime, now: datetime) -> int:
    t0 = time.perf_counter()
    n = 0
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        with cur.copy(f"COPY check_record ({', '.join(CHECK_COLUMNS)}) FROM STDIN") as copy:
            for row in check_rows(app, site_ids, year_ago, now):
                copy.write_row(row)
                n += 1
        conn.commit()
        conn.autocommit = True
        cur.execute("VACUUM ANALYZE check_record")
        cur.execute("VACUUM ANALYZE equipment")
    print(f"  loaded {n:,} checks in {time.perf_counter() - t0:.1f} s")
    return n


def timed(fn, runs: int) -> tuple[float, object]:
    result = fn()
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples), result


def explain(cur, sql: str, params) -> str:
    cur.execute("EXPLAIN " + sql, params)
    return " | ".join(r[0].strip() for r in cur.fetchall()[:3])


def measure(app, url: str, site_id: int, now: datetime, runs: int) -> dict:
    from wuye_field.checks import board
    from wuye_field.extensions import db
    from wuye_field.places.models import Site

    out: dict = {}
    local = now.astimezone(timezone(timedelta(hours=8)))
    first = (local.replace(day=1) - timedelta(days=1)).replace(day=1).date()
    with app.app_context():
        site = db.session.get(Site, site_id)

        def run_board():
            db.session.expire_all()
            return board.board(site, now=now)

        def run_month():
            db.session.expire_all()
            return board.month_figures(site, first, now=now)

        out["board_s"], b = timed(run_board, runs)
        out["month_s"], m = timed(run_month, max(3, runs // 5))
        starts = [line.window.start for line in b.lines if line.window]
        since = min(starts)
        out["board"], out["month"] = b, m
        start, end = board.month_bounds(first, site.timezone)
    count_sql = "SELECT count(*) FROM check_record WHERE site_id = %s AND device_time >= %s"  # bare: one range
    month_sql = ("SELECT plan_id, equipment_id, device_time FROM check_record WHERE site_id = %s "
                 "AND device_time >= %s AND device_time < %s")
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        def bare_count():
            cur.execute(count_sql, (site_id, since))
            return cur.fetchone()[0]

        def bare_month():
            cur.execute(month_sql, (site_id, start - timedelta(days=7), end + timedelta(days=7)))
            return cur.fetchall()

        out["bare_board_s"], out["rows_since"] = timed(bare_count, runs)
        out["bare_month_s"], rows = timed(bare_month, max(3, runs // 5))
        out["month_rows"] = len(rows)
        out["plan_board"] = explain(cur, count_sql, (site_id, since))
        out["plan_month"] = explain(cur, month_sql, (site_id, start, end))
    return out


def show(m: dict) -> None:
    b, mo = m["board"], m["month"]
    t = b.totals
    print(f"\n  overdue board {b.site.code}: {t.total} (plan, piece) pairs, {t.done} done, {t.due} due, "
          f"{t.overdue} overdue; {m['rows_since']:,} checks since the earliest window start")
    print(f"    board.board:         {m['board_s'] * 1000:8.1f} ms   bare count: {m['bare_board_s'] * 1000:8.2f} ms"
          f"   ratio {m['board_s'] / m['bare_board_s']:.1f}×   target ≤ 200 ms: "
          f"{'met' if m['board_s'] <= 0.2 else 'NOT met'}")
    print(f"    plan: {m['plan_board']}")
    due = sum(line.due for line in mo.lines)
    on_time = sum(line.on_time for line in mo.lines)
    print(f"  month figures {mo.first:%Y-%m}: {due:,} windows due, {on_time:,} on time "
          f"({on_time / max(due, 1):.1%}); lights {mo.lights_working}/{mo.lights}")
    print(f"    board.month_figures: {m['month_s'] * 1000:8.1f} ms   bare fetch: {m['bare_month_s'] * 1000:8.2f} ms"
          f" ({m['month_rows']:,} rows)   ratio {m['month_s'] / m['bare_month_s']:.1f}×")
    print(f"    plan: {m['plan_month']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=100)
    parser.add_argument("--equipment", type=int, default=500, help="pieces per site")
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--url", default=DEFAULT_ADMIN_URL)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    now = datetime.now(timezone.utc)
    year_ago = now - timedelta(days=args.days)
    with scratch_app(args.url, "checks", keep=args.keep) as (app, url, _name):
        t0 = time.perf_counter()
        site_ids = build_sites(app, url, args.sites, args.equipment, year_ago)
        build_checks(app, url, site_ids, year_ago, now)
        print(f"  dataset built in {time.perf_counter() - t0:.0f} s")
        show(measure(app, url, site_ids[len(site_ids) // 2], now, args.runs))


if __name__ == "__main__":
    main()
