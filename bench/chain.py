"""Hash-chain verification at scale: three years of one busy site (about 1 M records) on PostgreSQL.

    .venv/bin/python bench/chain.py                                   # 1,000,000 records
    .venv/bin/python bench/chain.py --records 100000 --url postgresql://postgres@127.0.0.1:5432/test

A scratch database is created on the server named by --url (its maintenance database) and dropped at
the end. It holds one site, its demo users and places, and N patrol scans spread over three years
(one every ~95 s: a busy site), loaded with COPY; each scan is linked into the site's hash chain the
way `audit.chain.append_records` does (content read back through the kind's loader, so the bench
verifies exactly what production would). Then it times, in the same run:

  1. `verify(site_id)`, the code behind `flask --app app wuye verify-chain` (reads chain + records
     page by page, canonical JSON, sha256 link by link, digest check);
  2. a bare loop: sha256(prev || bytes) over the same rows' canonical bytes, already in memory;

and prints records/second of each and the ratio verify ÷ bare loop. The run stops building at
--timeout seconds (default 480) so it always finishes in under ten minutes.
"""
from __future__ import annotations

import argparse
import hashlib
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

from bench.scratch import DEFAULT_ADMIN_URL, scratch_app  # noqa: E402
from sqlalchemy import select  # noqa: E402

SCAN_COLUMNS = ("client_uuid", "user_id", "site_id", "place_id", "via", "note", "device_time", "received_at",
                "clock_skew_seconds", "skew_flagged", "off_route", "tag_retired")
THREE_YEARS = timedelta(days=3 * 365)


def build(app, url: str, n: int, deadline: float) -> tuple[int, int]:
    """Demo site + N scans (COPY) + their chain; returns (site id, records chained)."""
    from wuye_field.audit import chain
    from wuye_field.audit.models import ChainHead
    from wuye_field.demo import load_demo
    from wuye_field.extensions import db
    from wuye_field.places.models import Place

    with app.app_context():
        db.create_all()
        site = load_demo("http://bench.test", "pbkdf2:sha256:1000")
        db.session.commit()
        site_id = site.id
        places = list(db.session.scalars(select(Place.id).where(Place.site_id == site_id)))
        users = [row[0] for row in db.session.execute(db.text("SELECT id FROM \"user\" ORDER BY id"))][:2]
        start = datetime.now(timezone.utc) - THREE_YEARS
        step = THREE_YEARS / n
        t0 = time.perf_counter()
        # COPY on a connection of its own: the session keeps reading while the rows stream in.
        with psycopg.connect(url) as raw, raw.cursor() as cur, \
                cur.copy(f"COPY scan ({', '.join(SCAN_COLUMNS)}) FROM STDIN") as copy:
            for i in range(n):
                at = start + step * i
                copy.write_row((str(uuid.uuid4()), users[i % 2], site_id, places[i % len(places)],
                                "camera" if i % 3 else "link", "" if i % 50 else "门未锁，已通知业主", at,
                                at + timedelta(seconds=3 + i % 7), (i % 11) * 0.25, False, False, False))
        db.session.commit()
        print(f"  loaded {n:,} scans in {time.perf_counter() - t0:.1f} s")

        # Chain them, reading content through the loader exactly as append_records does.
        t0 = time.perf_counter()
        ids = [row[0] for row in db.session.execute(db.text("SELECT id FROM scan ORDER BY id"))]
        head = db.session.get(ChainHead, site_id)  # the demo data already chained a few records
        prev, seq, done = (head.hash, head.seq, 0) if head else ("0" * 64, 0, 0)
        load = chain._KINDS["scan"]
        with psycopg.connect(url) as raw, raw.cursor() as cur, cur.copy(
                "COPY audit_chain (site_id, seq, kind, record_id, prev_hash, hash, created_at) FROM STDIN") as copy:
            for offset in range(0, len(ids), chain.PAGE):
                batch = ids[offset:offset + chain.PAGE]
                contents = load(batch)
                for record_id in batch:
                    seq += 1
                    digest = chain.link_hash(prev, chain.canonical("scan", record_id, site_id, contents[record_id]))
                    copy.write_row((site_id, seq, "scan", record_id, prev, digest, contents[record_id]["received_at"]))
                    prev = digest
                done += len(batch)
                if time.perf_counter() > deadline:
                    print(f"  time limit: chained {done:,} of {len(ids):,}")
                    break
        head = head or ChainHead(site_id=site_id)
        head.seq, head.hash, head.updated_at = seq, prev, datetime.now(timezone.utc)
        db.session.add(head)
        db.session.commit()
        print(f"  chained {seq:,} records in {time.perf_counter() - t0:.1f} s")
        return site_id, seq


def measure(app, site_id: int, chained: int) -> None:
    from wuye_field.audit import chain
    from wuye_field.extensions import db

    with app.app_context():
        t0 = time.perf_counter()
        result = chain.verify(site_id, directory=Path(app.config["WUYE_DATA_DIR"]) / "none")
        verify_s = time.perf_counter() - t0
        assert result.ok and result.checked == chained, result.problem  # every entry, demo ones included

        # The same rows' bytes, in memory, for the bare loop (not timed: only the loop is).
        entries = list(db.session.execute(db.text(  # scans, and the few records the demo data chained
            "SELECT kind, record_id FROM audit_chain WHERE site_id = :s ORDER BY seq"), {"s": site_id}))
        blobs = []
        for offset in range(0, len(entries), chain.PAGE):
            batch = entries[offset:offset + chain.PAGE]
            contents = {kind: chain._KINDS[kind]([i for k, i in batch if k == kind]) for kind in {k for k, _ in batch}}
            blobs.extend(chain.canonical(kind, i, site_id, contents[kind][i]) for kind, i in batch)
        t0 = time.perf_counter()
        prev = "0" * 64
        for blob in blobs:
            prev = hashlib.sha256(prev.encode("ascii") + blob).hexdigest()
        bare_s = time.perf_counter() - t0
        assert prev == result.head_hash
        mb = sum(len(b) for b in blobs) / 1e6

    n = result.checked
    print(f"\nrecords: {n:,} ({mb:.0f} MB canonical JSON)")
    print(f"verify-chain:      {verify_s:8.2f} s   {n / verify_s:12,.0f} records/s")
    print(f"bare sha256 loop:  {bare_s:8.2f} s   {n / bare_s:12,.0f} records/s")
    print(f"ratio verify ÷ bare loop: {verify_s / bare_s:.1f}×")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--url", default=DEFAULT_ADMIN_URL)
    parser.add_argument("--timeout", type=float, default=480, help="stop building after this many seconds")
    args = parser.parse_args()
    deadline = time.perf_counter() + args.timeout
    with scratch_app(args.url, "chain") as (app, url, name):
        print(f"PostgreSQL scratch database {name}: {args.records:,} scans over three years")
        site_id, chained = build(app, url, args.records, deadline)
        measure(app, site_id, chained)


if __name__ == "__main__":
    main()
