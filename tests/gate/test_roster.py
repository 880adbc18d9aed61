"""Rosters (排班) and P1: the month grid, assign / copy last month / swap with their log, bad input refused
whole, covered / uncovered hours from the roster and accepted handovers, and the red post on the board."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.gate import helpers as h
from tests.handover import helpers as ho
from wuye_field.audit.models import AdminChange
from wuye_field.core.errors import FieldErrors, NotFound
from wuye_field.core.time import to_site_time, utcnow
from wuye_field.extensions import db
from wuye_field.gate import roster
from wuye_field.gate.models import RosterEntry
from wuye_field.handover import handovers


def _assign(site, login, first, last, shift="07:00", who="gate01"):
    values = {"post": str(h.post(site).id), "shift": shift, "first": first, "last": last,
              "user": str(h.user(who).id) if who else ""}
    changed = roster.assign(h.user(login), site.id, values, now=h.NOW)
    db.session.commit()
    return changed


def test_gate01_is_on_the_east_gate_roster_in_the_demo(demo):
    today = to_site_time(utcnow(), demo.timezone)
    grid = roster.month_grid(h.user("supervisor01"), demo.id, today.year, today.month)
    day_row = next(r for r in grid.rows if r.post.code == "GATE" and r.shift == "07:00")
    assert day_row.cells[today.date()].user.staff_no == "gate01"


def test_assign_a_range_then_swap_two_people_with_the_change_log(demo):
    db.session.execute(RosterEntry.__table__.delete())
    assert _assign(demo, "supervisor01", "2026-12-01", "2026-12-05") == 5
    _assign(demo, "supervisor01", "2026-12-01", "2026-12-05", shift="19:00", who="guard01")
    changed = roster.swap(h.user("supervisor01"), demo.id, {"day": "2026-12-03", "a": str(h.user("gate01").id),
                                                            "b": str(h.user("guard01").id)}, now=h.NOW)
    db.session.commit()
    grid = roster.month_grid(h.user("supervisor01"), demo.id, 2026, 12)
    rows = {r.shift: r for r in grid.rows if r.post.code == "GATE"}
    assert changed == 2
    assert rows["07:00"].cells[date(2026, 12, 3)].user.staff_no == "guard01"
    assert rows["19:00"].cells[date(2026, 12, 3)].user.staff_no == "gate01"
    assert rows["07:00"].cells[date(2026, 12, 4)].user.staff_no == "gate01"
    assert db.session.scalar(select(func.count(AdminChange.id)).where(AdminChange.what.like("排班%"))) == 3


@pytest.mark.parametrize("values, field", [
    ({"shift": "08:00"}, "shift"), ({"first": "2026-13-01"}, "first"), ({"last": "2026-11-30"}, "last"),
    ({"user": "999999"}, "user"),
])
def test_bad_roster_input_is_refused_whole(demo, values, field):
    before = db.session.scalar(select(func.count(RosterEntry.id)))
    form = {"post": str(h.post(demo).id), "shift": "07:00", "first": "2026-12-01", "last": "2026-12-03",
            "user": str(h.user("gate01").id)} | values
    with pytest.raises(FieldErrors) as refused:
        roster.assign(h.user("supervisor01"), demo.id, form, now=h.NOW)
    db.session.rollback()
    assert field in refused.value.errors
    assert db.session.scalar(select(func.count(RosterEntry.id))) == before


def test_copy_last_month_fills_only_empty_cells(demo):
    db.session.execute(RosterEntry.__table__.delete())
    _assign(demo, "supervisor01", "2027-01-01", "2027-01-31")
    _assign(demo, "supervisor01", "2027-02-02", "2027-02-02", who="guard02")
    filled = roster.copy_last_month(h.user("supervisor01"), demo.id, 2027, 2, now=h.NOW)
    db.session.commit()
    grid = roster.month_grid(h.user("supervisor01"), demo.id, 2027, 2)
    row = next(r for r in grid.rows if r.post.code == "GATE" and r.shift == "07:00")
    assert filled == 27 and row.cells[date(2027, 2, 2)].user.staff_no == "guard02"
    assert all(row.cells[d] is not None for d in grid.days)


def test_guards_may_not_edit_the_roster(demo):
    with pytest.raises(NotFound):
        roster.assign(h.user("guard01"), demo.id, {}, now=h.NOW)


def test_coverage_counts_the_hours_of_accepted_shifts_only(demo):
    post = h.post(demo)
    shift = ho.SHIFT  # 2026-05-01 19:00 Shanghai
    handover = ho.hand_over(demo, login="guard01", at=shift - timedelta(minutes=5))
    acceptance = handovers.accept_handover(h.user("gate01"), handover.id, ho.accept_input(handover),
                                           **ho.field(shift + timedelta(minutes=2)), secret="s")
    db.session.commit()
    assert acceptance.id
    end_of_day = shift.replace(hour=23, minute=59) + timedelta(minutes=1)
    cover = roster.coverage(post, date(2026, 5, 1), now=end_of_day)
    assert cover.covered_hours == 5.0 and cover.uncovered_hours == 19.0
    next_day = roster.coverage(post, date(2026, 5, 2), now=end_of_day + timedelta(days=1))
    assert next_day.covered_hours == 7.0  # the night shift runs to 07:00


def test_a_post_with_no_one_rostered_now_is_red_on_the_board(demo):
    now = datetime.now(h.SHANGHAI)
    lines = {line.post.code: line for line in roster.board(h.user("supervisor01"), now=now)}
    assert lines["CCTV"].red and lines["CCTV"].on_duty is None
    assert lines["GATE"].on_duty is not None
