"""Issue 12 item 1 for cleaning: a task's frequency and deadline are effective-dated, so a change today
leaves yesterday's and last month's due occurrences alone and a change scheduled for next week leaves this
week alone."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select

from tests.cleaning.conftest import utc
from wuye_field.audit.models import AdminChange
from wuye_field.cleaning import reports, setup
from wuye_field.extensions import db

SH = ZoneInfo("Asia/Shanghai")
NOW = utc(2026, 11, 27, 2, 0)  # Friday 27 November, 10:00 in Shanghai
YESTERDAY = date(2026, 11, 26)


def figures(world, first, last, now=NOW):
    rows = reports.report_rows(world.site, first, last, now=now)
    return len(rows), sorted((r.day, r.occ.slot, r.status) for r in rows)


def form(task, **values):
    return {"title": task.title, "action": task.action, "kind": task.kind, "every_n": str(task.every_n),
            "times": task.times, "weekdays": [], "month_day": str(task.month_day), "anchor": "",
            "done_before": task.done_before or "", "window_start": task.window_start,
            "window_end": task.window_end} | values


def test_a_frequency_change_today_leaves_yesterday_and_last_month_unchanged(world):
    task = world.task(created_at=datetime(2026, 9, 1, tzinfo=timezone.utc))
    db.session.commit()
    yesterday, october = figures(world, YESTERDAY, YESTERDAY), figures(world, date(2026, 10, 1), date(2026, 10, 31))
    assert yesterday[0] == 1 and october[0] == 31

    setup.update_task(world.admin, task.id, form(task, kind="times", times="07:00,17:00"), now=NOW)
    db.session.commit()

    assert task.kind == "times"  # the current value, for the pages that show it
    assert figures(world, YESTERDAY, YESTERDAY) == yesterday
    assert figures(world, date(2026, 10, 1), date(2026, 10, 31)) == october
    tomorrow = figures(world, date(2026, 11, 28), date(2026, 11, 28))
    assert [slot for _d, slot, _s in tomorrow[1]] == ["2026-11-28T07:00", "2026-11-28T17:00"]
    logged = db.session.scalars(select(AdminChange).where(AdminChange.site_id == world.site.id)).all()
    assert any("频次" in c.what and '"daily"' in c.before and '"times"' in c.after for c in logged)


def test_a_deadline_scheduled_for_next_week_does_not_affect_this_week(world):
    task = world.task(created_at=datetime(2026, 9, 1, tzinfo=timezone.utc))
    db.session.commit()
    monday = date(2026, 11, 23)
    week = figures(world, monday, monday + timedelta(days=6))
    next_monday = datetime(2026, 11, 30, tzinfo=SH).astimezone(timezone.utc)
    setup.update_task(world.admin, task.id, form(task, done_before="07:30"), now=NOW, effective_from=next_monday)
    db.session.commit()
    assert task.done_before is None  # not in force yet
    assert figures(world, monday, monday + timedelta(days=6)) == week
    [row] = reports.report_rows(world.site, date(2026, 11, 30), date(2026, 11, 30), now=NOW)
    assert row.occ.due.astimezone(SH).strftime("%H:%M") == "07:30"
