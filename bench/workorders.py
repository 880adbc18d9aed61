"""Work orders at scale: 1 M orders over 100 sites on PostgreSQL, the technician's list and the monthly report.

    .venv/bin/python bench/workorders.py                                  # 1,000,000 orders, 100 sites
    .venv/bin/python bench/workorders.py --orders 100000 --url postgresql://postgres@127.0.0.1:5432/test

A scratch database is created on the server named by --url (its maintenance database) and dropped at
the end. The schema comes from `create_all` (the models' own indexes, as the migrations make them); the
demo site is loaded, then 100 sites with one desk and ten technicians each, and N orders spread over two
years (about 14 a day a site: most closed and return-visited, the last days still open), with their
done / visit / reopen events, all loaded with COPY. Then it times, over repeated runs in the same process:

  1. 「我的工单」: `queries.orders_for_technician(tech, now)` (ORM, clocks, sorting) for one technician,
     against a bare indexed query fetching the same rows with psycopg;
  2. the monthly SLA report: `reports.site_month(site, month, …)` for one site and the last full month,
     against a bare query fetching the same orders' columns and events;

and prints the median of each, the ratio to its bare query, and the plans. With --extra-indexes it
then adds a (site_id, raised_at) index (not in the model: the planner kept the site index) and times again.
"""
from __future__ import annotations

import argparse
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

SITES = 100
TECHS_PER_SITE = 10
DAYS = 730
ORDER_COLUMNS = ("id", "site_id", "number", "client_uuid", "raised_by_id", "raised_at", "received_at", "source",
                 "room", "category", "priority", "description", "resident_name", "resident_phone", "arrive_minutes",
                 "finish_minutes", "state", "assignee_id", "arrived_at", "done_at", "closed_at", "reopened_at",
                 "paused_seconds", "reopen_count", "version")
EVENT_COLUMNS = ("order_id", "kind", "from_state", "to_state", "applied", "conflict_reason", "assignee_id", "reason",
                 "verdict", "materials", "no_signature_reason", "client_uuid", "device_time", "received_at",
                 "skew_flagged", "user_id", "site_id")
EXTRA_INDEXES = {
    "ix_work_order_site_raised": "CREATE INDEX ix_work_order_site_raised ON work_order (site_id, raised_at)",
}
CATEGORIES = ("water", "power", "civil", "doors", "lift", "fire", "public", "other")
SLA = {"emergency": (60, 480), "ordinary": (None, 480), "hard": (None, 4320)}


def build_people(app, url: str) -> tuple[list[int], dict[int, tuple[int, list[int]]]]:
    """Demo site + 100 sites, each with a desk and ten technicians: (site ids, {site: (desk, [techs])})."""
    from wuye_field.demo import load_demo
    from wuye_field.extensions import db

    with app.app_context():
        db.create_all()
        load_demo("http://bench.test", "pbkdf2:sha256:1000")
        db.session.commit()
        first_site = db.session.execute(db.text("SELECT coalesce(max(id), 0) + 1 FROM site")).scalar()
        first_user = db.session.execute(db.text('SELECT coalesce(max(id), 0) + 1 FROM "user"')).scalar()
    now = datetime.now(timezone.utc)
    site_ids = list(range(first_site, first_site + SITES))
    people: dict[int, tuple[int, list[int]]] = {}
    user_id = first_user
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        with cur.copy("COPY site (id, code, name, timezone, public_base_url, created_at) FROM STDIN") as copy:
            for i, site_id in enumerate(site_ids):
                copy.write_row((site_id, f"B{i:03d}", f"压测小区{i:03d}", "Asia/Shanghai", "http://bench.test", now))
        users, members = [], []
        for site_id in site_ids:
            desk, techs = user_id, list(range(user_id + 1, user_id + 1 + TECHS_PER_SITE))
            people[site_id] = (desk, techs)
            for uid in (desk, *techs):
                users.append((uid, f"b{uid}", f"员工{uid}", "x", True, False, 1, now))
                members.append((uid, site_id, "desk" if uid == desk else "technician"))
            user_id += 1 + TECHS_PER_SITE
        with cur.copy('COPY "user" (id, staff_no, name, password_hash, active, is_admin, session_version, created_at) '
                      "FROM STDIN") as copy:
            for row in users:
                copy.write_row(row)
        with cur.copy("COPY membership (user_id, site_id, role) FROM STDIN") as copy:
            for row in members:
                copy.write_row(row)
        for table in ("site", "user"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                        f"(SELECT max(id) FROM \"{table}\"))")
    return site_ids, people


def order_rows(n: int, site_ids: list[int], people, now: datetime, first_id: int):
    """Yield (order row, [event rows]) for n orders spread evenly over the sites and the last DAYS days."""
    rng = random.Random(7)
    per_site = n // len(site_ids)
    start = now - timedelta(days=DAYS)
    step = timedelta(days=DAYS) / max(per_site, 1)
    order_id = first_id
    for site_id in site_ids:
        desk, techs = people[site_id]
        numbers: dict[str, int] = {}
        for k in range(per_site):
            raised = start + step * k + timedelta(seconds=rng.randint(0, 600))
            priority = rng.choices(("emergency", "ordinary", "hard"), (15, 75, 10))[0]
            arrive_min, finish_min = SLA[priority]
            tech = rng.choice(techs)
            age = now - raised
            day = (raised + timedelta(hours=8)).strftime("%Y%m%d")
            numbers[day] = numbers.get(day, 0) + 1
            arrived = raised + timedelta(minutes=rng.randint(5, 90))
            done = arrived + timedelta(minutes=rng.randint(20, 600))
            events = []
            if age < timedelta(days=10) and rng.random() < 0.7:   # the last days: still open
                state = rng.choice(("new", "assigned", "assigned", "arrived", "on_hold"))
                assignee = None if state == "new" else tech
                arrived_at = arrived if state in ("arrived", "on_hold") and arrived < now else None
                done_at = closed = None
            else:
                visited = rng.random() < 0.8
                state = "closed" if visited else "done"
                assignee, arrived_at, done_at = tech, arrived, done
                closed = done + timedelta(hours=2) if visited else None
                events.append((order_id, "done", "arrived", "done", True, "", None, "", "", "", "",
                               str(uuid.uuid4()), done, done, False, tech, site_id))
                if visited:
                    verdict = "satisfied" if rng.random() < 0.9 else "not_satisfied"
                    events.append((order_id, "visit", "done", "visited", True, "", None, "", verdict, "", "",
                                   str(uuid.uuid4()), closed, closed, False, desk, site_id))
            yield ((order_id, site_id, f"{day}-{numbers[day]:04d}", str(uuid.uuid4()), desk, raised, raised, "desk",
                    f"{rng.randint(1, 30)}{rng.randint(1, 4):02d}", rng.choice(CATEGORIES), priority,
                    "水管漏水，请尽快处理",
                    "王先生", "13812341234", arrive_min, finish_min, state, assignee, arrived_at, done_at, closed, None,
                    rng.choice((0, 0, 0, 1800)), 0, 3), events)
            order_id += 1


def build_orders(app, url: str, n: int, site_ids, people, now: datetime) -> int:
    """COPY n orders and their events; returns the number of events."""
    from wuye_field.extensions import db

    with app.app_context():
        first_id = db.session.execute(db.text("SELECT coalesce(max(id), 0) + 1 FROM work_order")).scalar()
    t0 = time.perf_counter()
    n_events = 0
    # The generator is deterministic: one pass streams the orders, a second their events (nothing held in memory).
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        with cur.copy(f"COPY work_order ({', '.join(ORDER_COLUMNS)}) FROM STDIN") as copy:
            for row, _evs in order_rows(n, site_ids, people, now, first_id):
                copy.write_row(row)
        conn.commit()
        with cur.copy(f"COPY order_event ({', '.join(EVENT_COLUMNS)}) FROM STDIN") as copy:
            for _row, evs in order_rows(n, site_ids, people, now, first_id):
                for event in evs:
                    copy.write_row(event)
                n_events += len(evs)
        conn.commit()
        cur.execute("SELECT setval(pg_get_serial_sequence('work_order', 'id'), (SELECT max(id) FROM work_order))")
        conn.commit()
        print(f"  loaded {n:,} orders and {n_events:,} events in {time.perf_counter() - t0:.1f} s")
        conn.autocommit = True
        cur.execute("VACUUM ANALYZE work_order")
        cur.execute("VACUUM ANALYZE order_event")
    return n_events


def timed(fn, runs: int) -> tuple[float, object]:
    """Median seconds of `runs` calls (after one warm-up) and the last result."""
    result = fn()
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples), result


def plan(cur, sql: str, params) -> str:
    cur.execute("EXPLAIN " + sql, params)
    return " | ".join(r[0].strip() for r in cur.fetchall()[:3])


def measure(app, url: str, site_id: int, tech_id: int, now: datetime, runs: int) -> dict:
    from wuye_field.accounts.models import User
    from wuye_field.extensions import db
    from wuye_field.places.models import Site
    from wuye_field.workorders import queries, reports
    from wuye_field.workorders.models import OPEN_STATES

    out = {}
    with app.app_context():
        tech = db.session.get(User, tech_id)
        site = db.session.get(Site, site_id)
        local = now.astimezone(timezone(timedelta(hours=8)))
        last_month = (local.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
        label, start, end = reports.parse_month(last_month, site.timezone, today=local.date())

        def mine():
            db.session.expire_all()
            return queries.orders_for_technician(tech, now)

        def report():
            db.session.expire_all()
            return reports.site_month(site, label, start, end, now=now)

        out["mine_s"], rows = timed(mine, runs)
        out["mine_rows"] = len(rows)
        out["report_s"], month = timed(report, runs)
        out["report"] = month

    mine_sql = "SELECT * FROM work_order WHERE assignee_id = %s AND state = ANY(%s) AND site_id = ANY(%s)"
    mine_params = (tech_id, list(OPEN_STATES), [site_id])
    facts_sql = ("SELECT id, priority, state, raised_at, arrive_minutes, finish_minutes, arrived_at, done_at, "
                 "closed_at, on_hold_since, paused_seconds, reopen_count, reopened_at FROM work_order "
                 "WHERE site_id = %s AND raised_at >= %s AND raised_at < %s")
    events_sql = ("SELECT order_id, kind, verdict, count(*) FROM order_event WHERE applied AND kind IN "
                  "('done', 'visit', 'reopen') AND order_id IN (SELECT id FROM work_order WHERE site_id = %s AND "
                  "raised_at >= %s AND raised_at < %s) GROUP BY order_id, kind, verdict")
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        def bare_mine():
            cur.execute(mine_sql, mine_params)
            return cur.fetchall()

        def bare_report():
            cur.execute(facts_sql, (site_id, start, end))
            facts = cur.fetchall()
            cur.execute(events_sql, (site_id, start, end))
            return facts, cur.fetchall()

        out["bare_mine_s"], bare_rows = timed(bare_mine, runs)
        out["bare_report_s"], (facts, _events) = timed(bare_report, runs)
        assert len(bare_rows) == out["mine_rows"], (len(bare_rows), out["mine_rows"])
        assert len(facts) == out["report"].raised
        out["plan_mine"] = plan(cur, mine_sql, mine_params)
        out["plan_facts"] = plan(cur, facts_sql, (site_id, start, end))
    return out


def show(label: str, m: dict) -> None:
    r = m["report"]
    print(f"\n{label}")
    print(f"  「我的工单」 ({m['mine_rows']} open orders of one technician)")
    print(f"    orders_for_technician: {m['mine_s'] * 1000:8.2f} ms   bare query: {m['bare_mine_s'] * 1000:8.2f} ms"
          f"   ratio {m['mine_s'] / m['bare_mine_s']:.1f}×")
    print(f"    plan: {m['plan_mine']}")
    print(f"  monthly report {r.site.code} {r.month} ({r.raised} orders; return visits {r.return_visits.percent}%, "
          f"emergency on site {r.emergency_on_site.percent}%)")
    print(f"    reports.site_month:    {m['report_s'] * 1000:8.2f} ms   "
          f"bare queries: {m['bare_report_s'] * 1000:8.2f} ms"
          f"   ratio {m['report_s'] / m['bare_report_s']:.1f}×")
    print(f"    plan (orders): {m['plan_facts']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--url", default=DEFAULT_ADMIN_URL)
    parser.add_argument("--extra-indexes", action="store_true", help="also time with a (site_id, raised_at) index")
    args = parser.parse_args()
    with scratch_app(args.url, "workorders") as (app, url, name):
        print(f"PostgreSQL scratch database {name}: {args.orders:,} orders over {SITES} sites, {DAYS} days")
        now = datetime.now(timezone.utc)
        site_ids, people = build_people(app, url)
        events = build_orders(app, url, args.orders, site_ids, people, now)
        site_id = site_ids[len(site_ids) // 2]
        tech_id = people[site_id][1][0]
        print(f"  {events:,} events; timing site #{site_id}, technician #{tech_id}, {args.runs} runs each (median)")
        show("with the model's indexes", measure(app, url, site_id, tech_id, now, args.runs))
        if args.extra_indexes:
            with psycopg.connect(url, autocommit=True) as conn:
                for sql in EXTRA_INDEXES.values():
                    conn.execute(sql)
                conn.execute("ANALYZE work_order")
            show("with " + ", ".join(EXTRA_INDEXES), measure(app, url, site_id, tech_id, now, args.runs))


if __name__ == "__main__":
    main()
