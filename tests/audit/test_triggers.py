"""Record tables refuse UPDATE and DELETE issued directly in SQL (H5, R27), on
SQLite and PostgreSQL alike; only the retention path may delete, and only rows past three years."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from tests.handover import helpers as h
from wuye_field.audit.models import ChainEntry
from wuye_field.audit.triggers import drop_append_only, make_append_only, purge_expired
from wuye_field.extensions import db
from wuye_field.handover.models import RECORD_TABLES, Handover, HandoverItem


def _refused(statement: str, **params) -> str:
    """Run `statement`; assert the database refused it; return the error text."""
    with pytest.raises(DBAPIError) as error:
        db.session.execute(text(statement), params)
        db.session.flush()
    db.session.rollback()
    return str(error.value)


@pytest.mark.parametrize("table", ["handover", "handover_item", "handover_matter", "audit_chain"])
def test_update_and_delete_in_sql_are_refused(demo, table):
    """R27 — someone runs UPDATE/DELETE on a duty record or audit row → refused by trigger."""
    h.hand_over(demo, matters=[("门禁卡丢失", True)])
    assert "append-only" in _refused(f'UPDATE "{table}" SET site_id = site_id')
    assert "append-only" in _refused(f'DELETE FROM "{table}"')
    assert db.session.scalar(select(func.count()).select_from(db.metadata.tables[table])) >= 1


def test_acceptance_tables_are_append_only_too(demo):
    handover = h.hand_over(demo)
    from wuye_field.handover import services

    services.accept_handover(h.user("guard02"), handover.id, h.accept_input(handover), secret="s", **h.field(h.SHIFT))
    db.session.commit()
    for table in ("handover_acceptance", "handover_acceptance_item"):
        assert "append-only" in _refused(f'UPDATE "{table}" SET site_id = site_id')
        assert "append-only" in _refused(f'DELETE FROM "{table}"')


def test_truncate_is_refused_on_postgresql(demo):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    h.hand_over(demo)
    assert "append-only" in _refused("TRUNCATE handover_takeover")


def test_make_append_only_works_on_any_record_table(app):
    """The lead applies the same DDL to every domain's record table (patrol scans, photo links, …)."""
    db.session.execute(text("CREATE TABLE ho_scratch (id INTEGER PRIMARY KEY, site_id INTEGER, "
                            "received_at TIMESTAMP, note VARCHAR(20))"))
    db.session.execute(text("INSERT INTO ho_scratch VALUES (1, 1, '2026-01-01 00:00:00', 'a')"))
    make_append_only(["ho_scratch"])
    db.session.commit()
    try:
        assert "append-only" in _refused("UPDATE ho_scratch SET note = 'changed'")
        assert "append-only" in _refused("DELETE FROM ho_scratch")
        make_append_only(["ho_scratch"])  # idempotent
        drop_append_only(["ho_scratch"])
        db.session.execute(text("UPDATE ho_scratch SET note = 'b'"))  # without the triggers it is a plain table
    finally:
        db.session.rollback()
        db.session.execute(text("DROP TABLE ho_scratch"))
        db.session.commit()


def _old_handover(demo, years_ago: float):
    """A handover received `years_ago` years ago (made through the service with that clock)."""
    at = datetime.now(timezone.utc) - timedelta(days=365.25 * years_ago)
    return h.hand_over(demo, at=at)


def test_retention_deletes_only_records_older_than_three_years(demo):
    old = _old_handover(demo, 3.2)
    young = _old_handover(demo, 2.5)
    old_id, young_id = old.id, young.id
    deleted = purge_expired(demo.id, RECORD_TABLES, now=datetime.now(timezone.utc))
    db.session.commit()
    assert deleted["handover"] == 1 and deleted["handover_item"] == 4
    assert db.session.get(Handover, old_id) is None and db.session.get(Handover, young_id) is not None
    assert db.session.scalar(select(func.count(HandoverItem.id))) == 4


def test_the_retention_gate_never_opens_younger_records(demo):
    """Even a cutoff forged to "now" cannot delete records younger than three years: the trigger checks."""
    young = _old_handover(demo, 1)
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT set_config('wuye.retention_site', :s, true), "
                                "set_config('wuye.retention_cutoff', :c, true)"),
                           {"s": str(demo.id), "c": datetime.now(timezone.utc).isoformat()})
    else:
        connection.execute(text("INSERT INTO audit_retention_gate (site_id, cutoff) VALUES (:s, :c)"),
                           {"s": demo.id, "c": datetime.now(timezone.utc).replace(tzinfo=None)})
    assert "append-only" in _refused("DELETE FROM handover_item WHERE handover_id = :id", id=young.id)


def test_chain_entries_of_purged_records_go_too_and_verify_starts_after_them(demo):
    from wuye_field.audit.chain import verify
    from wuye_field.audit.triggers import record_tables

    _old_handover(demo, 3.5)
    _old_handover(demo, 0.1)
    tables = {t: c for t, c in record_tables().items() if t.startswith(("handover", "audit_"))}
    purge_expired(demo.id, tables, now=datetime.now(timezone.utc))
    db.session.commit()
    result = verify(demo.id)
    assert result.ok and result.first_seq == 6 and result.checked == 5
    assert db.session.scalar(select(func.min(ChainEntry.seq))) == 6
