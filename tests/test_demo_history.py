"""Issue 12 item 7: `flask wuye demo` loads 35 days of believable history for DEMO, written through the
phone's services, so last month's figures are not empty; `--no-history` keeps today's empty site."""
from __future__ import annotations

import json
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from wuye_field.audit.chain import verify
from wuye_field.audit.models import ChainEntry
from wuye_field.cleaning import reports as cleaning_reports
from wuye_field.core.time import utcnow
from wuye_field.defects.models import Defect
from wuye_field.extensions import db
from wuye_field.handover import rules as handover_rules
from wuye_field.handover.models import Handover, HandoverAcceptance, HandoverPost
from wuye_field.patrol import supervision
from wuye_field.patrol.models import PatrolMakeup, Scan
from wuye_field.places.models import Site
from wuye_field.workorders import reports as order_reports
from wuye_field.workorders.models import OrderEvent


def _last_month(today: date) -> tuple[date, date]:
    last = today.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


def _chain_length(site_id: int) -> int:
    return db.session.scalar(select(func.count(ChainEntry.id)).where(ChainEntry.site_id == site_id))


def test_no_history_keeps_todays_empty_site(runner):
    result = runner.invoke(args=["wuye", "demo", "--no-history"])
    assert result.exit_code == 0, result.output
    site = db.session.scalar(select(Site).where(Site.code == "DEMO"))
    assert db.session.scalar(select(func.count(Scan.id))) == 0
    assert db.session.scalar(select(func.count(Handover.id))) == 0
    assert "days of history" not in result.output and site is not None


def test_demo_has_a_past_with_figures_for_last_month(runner):
    result = runner.invoke(args=["wuye", "demo"])
    assert result.exit_code == 0, result.output
    assert "35 days of history" in result.output
    now = utcnow()
    site = db.session.scalar(select(Site).where(Site.code == "DEMO"))
    tz = ZoneInfo(site.timezone)
    today = now.astimezone(tz).date()
    first, last = _last_month(today)

    # Last month: due counts for every duty are not zero (the same functions as the pages).
    _areas, _days, patrol = supervision.site_compliance(site, first, last, now=now)
    assert patrol.counted > 0 and patrol.on_time > 0
    cleaning = cleaning_reports.report_rows(site, first, last, now=now)
    assert len(cleaning) > 0 and any(r.status == "on_time" for r in cleaning)
    month, start, end = order_reports.parse_month(first.strftime("%Y-%m"), site.timezone, today=today)
    orders = order_reports.site_month(site, month, start, end, now=now)
    assert orders.raised > 0
    shifts = db.session.scalar(select(func.count(Handover.id)).where(
        Handover.site_id == site.id, Handover.shift_start >= start, Handover.shift_start < end))
    assert shifts > 0

    # The same through `wuye report --json`: non-zero due counts for every duty, and no day before the
    # past began counted as all missed (the setup is dated back to the first day of history, no further).
    printed = runner.invoke(args=["wuye", "report", "DEMO", "--month", month, "--json"])
    assert printed.exit_code == 0, printed.output
    figures = json.loads(printed.output)
    assert figures["closed"] is False
    assert figures["patrol"]["total"]["windows"] > 0 and figures["patrol"]["total"]["share"] > 0.9
    assert figures["cleaning"]["total"]["due"] > 0 and figures["cleaning"]["total"]["share"] > 0.85
    assert figures["workorders"]["raised"] > 0
    assert figures["handover"]["total"]["due"] > 0 and figures["handover"]["total"]["punctuality"] > 0.85

    # The whole past: the things that go wrong in a real month are there too.
    _areas, _days, patrol = supervision.site_compliance(site, today - timedelta(days=35), today, now=now)
    assert patrol.late > 0 and patrol.missed > 0 and patrol.made_up > 0 and patrol.share > 0.9
    assert db.session.scalar(select(func.count(PatrolMakeup.id))) > 0
    rows = cleaning_reports.report_rows(site, today - timedelta(days=35), today, now=now)
    statuses = {r.status for r in rows}
    assert {"on_time", "late", "missed"} <= statuses
    verdicts = set(db.session.scalars(select(OrderEvent.verdict).where(OrderEvent.kind == "visit")))
    assert verdicts == {"satisfied", "not_satisfied"}
    month, start, end = order_reports.parse_month(None, site.timezone, today=today)
    this_month = order_reports.site_month(site, month, start - timedelta(days=35), end, now=now)
    assert this_month.emergency_on_site.hits < this_month.emergency_on_site.total  # some late
    late_after = dict(db.session.execute(select(HandoverPost.id, HandoverPost.late_after_min)).all())
    accepted = db.session.execute(select(Handover.post_id, Handover.shift_start, HandoverAcceptance.device_time)
                                  .join(HandoverAcceptance, HandoverAcceptance.handover_id == Handover.id)).all()
    assert any(handover_rules.is_late(s, a, now, late_after[p]) for p, s, a in accepted)
    handed = db.session.scalar(select(func.count(Handover.id)))
    assert len(accepted) < handed  # a couple never accepted
    offline = db.session.scalars(select(Scan).where(Scan.received_at > Scan.device_time + timedelta(hours=1)))
    assert offline.first() is not None  # rounds queued offline at night, sent in the morning
    findings = list(db.session.scalars(select(Defect).where(Defect.inspection_id.is_not(None))))
    assert findings  # inspection exceptions reached the supervisor's list (P5)

    # Written through the services: every record is on the site's chain, and the chain verifies.
    length = _chain_length(site.id)
    assert verify(site.id).ok
    again = runner.invoke(args=["wuye", "demo"])
    assert again.exit_code == 0 and _chain_length(site.id) == length  # a site with a past gets no second one
