"""Stored positions follow the personal-data retention (R35): past the site's days (the visitors' G7
setting, 180 by default) `purge-expired` blanks the position of scans and inspections, which stay and still
verify on the chain, and chains a position erasure naming them. The append-only triggers let exactly that
change through and nothing else (H5, R27), on SQLite and PostgreSQL."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from wuye_field.audit import chain
from wuye_field.audit.models import ChainEntry, ErasureGate
from wuye_field.extensions import db
from wuye_field.patrol import position
from wuye_field.patrol.models import Inspection, PositionErasure, Scan

NOW = datetime.now(timezone.utc)
HERE = {"lat": 31.2304, "lon": 121.4737, "accuracy_m": 8.0}


def _record(model, site, user, place, days_ago: float, **extra):
    when = NOW - timedelta(days=days_ago)
    row = model(client_uuid=str(uuid.uuid4()), user_id=user.id, site_id=site.id, device_time=when,
                received_at=when, place_id=place.id, **HERE, **extra)
    db.session.add(row)
    db.session.flush()
    chain.append_records(site.id, model.__tablename__, [row.id], now=when)
    return row


@pytest.fixture
def positions(factories):
    site, other = factories.site(), factories.site()
    guard, stranger = factories.user("guard", site), factories.user("guard", other)
    place, far = factories.place(site), factories.place(other)
    rows = {
        "old_scan": _record(Scan, site, guard, place, 200, note="巡查正常"),
        "young_scan": _record(Scan, site, guard, place, 10),
        "old_inspection": _record(Inspection, site, guard, place, 190, all_ok=True),
        "other_site": _record(Scan, other, stranger, far, 200),
    }
    db.session.commit()
    return site, other, rows


def _position(row) -> tuple:
    db.session.refresh(row)
    return row.lat, row.lon, row.accuracy_m


def test_positions_past_retention_are_blanked_and_the_erasure_is_chained(positions):
    site, other, rows = positions
    erasure = position.erase_expired(site.id, days=180, now=NOW)
    db.session.commit()
    assert (erasure.scans, erasure.inspections, erasure.retention_days) == (1, 1, 180)
    assert erasure.record_ids == f"scan:{rows['old_scan'].id};inspection:{rows['old_inspection'].id}"
    assert _position(rows["old_scan"]) == _position(rows["old_inspection"]) == (None, None, None)
    assert rows["old_scan"].note == "巡查正常"  # the record itself stays as it was
    assert _position(rows["young_scan"]) == (31.2304, 121.4737, 8.0)
    assert _position(rows["other_site"]) == (31.2304, 121.4737, 8.0)
    assert chain.verify(site.id).ok and chain.verify(other.id).ok
    kinds = db.session.scalars(select(ChainEntry.kind).where(ChainEntry.site_id == site.id)).all()
    assert kinds[-1] == "position_erasure"
    assert position.erase_expired(site.id, days=180, now=NOW) is None  # nothing left to erase: no record
    assert db.session.scalar(select(ErasureGate.id)) is None  # the gate is closed again


def test_the_retention_is_never_shorter_than_thirty_days(positions):
    site, _other, rows = positions
    position.erase_expired(site.id, days=1, now=NOW)
    assert _position(rows["young_scan"]) == (31.2304, 121.4737, 8.0)  # 10 days old: kept


def test_purge_expired_erases_positions_with_the_sites_personal_data_retention(positions, runner):
    site, _other, rows = positions
    result = runner.invoke(args=["wuye", "purge-expired"])
    assert result.exit_code == 0, result.output
    assert "positions erased on 1 scans and 1 inspections" in result.output
    assert _position(rows["old_scan"]) == (None, None, None)
    assert db.session.scalar(select(PositionErasure.site_id)) == site.id


def _refused(statement: str, **params) -> None:
    with pytest.raises(DBAPIError) as error:
        db.session.execute(text(statement), params)
        db.session.flush()
    db.session.rollback()
    assert "append-only" in str(error.value) or "erasure" in str(error.value)


def _open_gate(site_id: int, cutoff: datetime) -> None:
    if db.session.connection().dialect.name == "postgresql":
        db.session.execute(text("SELECT set_config('wuye.erase_site', :s, true), set_config('wuye.erase_cutoff', :c, "
                                "true)"), {"s": str(site_id), "c": cutoff.isoformat()})
    else:
        db.session.add(ErasureGate(site_id=site_id, cutoff=cutoff))
        db.session.flush()


def test_the_triggers_let_only_the_blanking_of_old_positions_through(positions):
    site, other, rows = positions
    old, young = rows["old_scan"].id, rows["young_scan"].id
    cutoff = NOW - timedelta(days=180)
    blank = "UPDATE scan SET lat = NULL, lon = NULL, accuracy_m = NULL WHERE id = :id"
    _refused(blank, id=old)  # no gate: refused like any UPDATE
    for statement, row_id in ((blank.replace("accuracy_m = NULL", "accuracy_m = NULL, note = 'x'"), old),
                              ("UPDATE scan SET lat = 1.5 WHERE id = :id", old),  # moved, not erased
                              (blank, young),  # too young for the cutoff
                              (blank, rows["other_site"].id)):  # another site than the gate's
        _open_gate(site.id, cutoff)
        _refused(statement, id=row_id)
    _open_gate(site.id, NOW - timedelta(days=5))  # a cutoff younger than the 30-day floor opens nothing
    _refused(blank, id=young)
    _open_gate(site.id, cutoff)
    db.session.execute(text(blank), {"id": old})
    db.session.execute(text("DELETE FROM audit_erasure_gate"))
    db.session.commit()
    assert _position(rows["old_scan"]) == (None, None, None)
    _refused("DELETE FROM scan WHERE id = :id", id=old)  # deleting stays the three-year retention's
    assert chain.verify(site.id).ok
