"""The month close (R30): a site-month's figures frozen as a `MonthClose` on the site's hash chain.

- Only after the month has ended (in the site's zone), once per site-month; from the page only by a
  supervisor of that site, from the command line (`wuye close-month`) by the operator.
- A closed month is read from its snapshot (`month_report`), its exports from the files stored with it
  (`files`): a later setting, a correction or a record that arrives late changes nothing. Records made
  in the month (device time) but received after the close are listed apart as 「关账后到达」
  (`arrived_after_close`), never folded into the figures or the files.
"""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from wuye_field.accounts.models import User
from wuye_field.audit import chain
from wuye_field.cleaning.models import TaskCheckoff
from wuye_field.core.errors import DomainError, Forbidden
from wuye_field.core.time import as_utc
from wuye_field.defects.models import Defect
from wuye_field.extensions import db
from wuye_field.handover.models import Handover, HandoverAcceptance
from wuye_field.patrol.models import Inspection, PatrolMakeup, Scan
from wuye_field.places.models import Site
from wuye_field.reports import files
from wuye_field.reports.figures import month_bounds, month_figures
from wuye_field.reports.models import CHAIN_COLUMNS, MonthClose
from wuye_field.workorders.models import OrderEvent

CLOSERS = ("supervisor",)
chain.register_tables({"month_close": CHAIN_COLUMNS})

# Records that count in a month, by the time they were made on the phone (a 补巡 by the window it names).
LATE_KINDS = [
    (_l("巡更打卡"), Scan, Scan.device_time), (_l("巡查检查"), Inspection, Inspection.device_time),
    (_l("补巡"), PatrolMakeup, PatrolMakeup.window_start), (_l("保洁完成"), TaskCheckoff, TaskCheckoff.device_time),
    (_l("交班"), Handover, Handover.device_time), (_l("接班"), HandoverAcceptance, HandoverAcceptance.device_time),
    (_l("工单步骤"), OrderEvent, OrderEvent.device_time), (_l("问题隐患"), Defect, Defect.device_time),
]


def _local(value: datetime, tz: ZoneInfo) -> str:
    return as_utc(value).astimezone(tz).strftime("%Y-%m-%d %H:%M")


def closed(site_id: int, month: str) -> MonthClose | None:
    return db.session.scalar(select(MonthClose).where(MonthClose.site_id == site_id, MonthClose.month == month))


def month_ended(site: Site, month: str, now: datetime) -> bool:
    return as_utc(now) >= month_bounds(site, month)[3]


def can_close(user: User | None, site: Site, month: str, now: datetime) -> bool:
    """Whether the page offers the close button: a supervisor of the site, the month over, not closed."""
    return (user is not None and site.id in user.site_ids(*CLOSERS) and month_ended(site, month, now)
            and closed(site.id, month) is None)


def close_month(site: Site, month: str, *, actor: User | None, now: datetime) -> MonthClose:
    """Freeze `month` of `site` (actor None: the command line). Flushes; the caller commits.

    Forbidden for anyone but a supervisor of the site; DomainError (Chinese) before the month has ended
    or when it is closed already.
    """
    if actor is not None and site.id not in actor.site_ids(*CLOSERS):
        raise Forbidden(_("只有本小区的主管可以关账。"))
    if not month_ended(site, month, now):
        raise DomainError(_("%(month)s 还没有结束，不能关账。", month=month), code="month_open")
    if closed(site.id, month) is not None:
        raise DomainError(_("%(month)s 已关账。", month=month), code="month_closed")
    record = MonthClose(site_id=site.id, month=month, snapshot=month_figures(site, month, now=now),
                        closed_at=now, closed_by_id=actor.id if actor else None)
    db.session.add(record)
    db.session.flush()
    chain.append_records(site.id, "month_close", [record.id], now=now)
    files.freeze(site, month, now=now)
    return record


def arrived_after_close(site: Site, month: str, closed_at: datetime) -> list[dict]:
    """Records of the month received after the close, oldest first: kind, made (device time), received,
    author's staff number and name."""
    _first, _last, start, end = month_bounds(site, month)
    tz = ZoneInfo(site.timezone)
    found = []
    for label, model, made in LATE_KINDS:
        rows = db.session.execute(
            select(made, model.received_at, User.staff_no, User.name).join(User, User.id == model.user_id)
            .where(model.site_id == site.id, made >= start, made < end, model.received_at > closed_at))
        found += [{"kind": str(label), "made": _local(m, tz), "received": _local(r, tz), "staff_no": no, "name": name}
                  for m, r, no, name in rows]
    return sorted(found, key=lambda row: (row["made"], row["kind"]))


def month_report(site: Site, month: str, *, now: datetime) -> dict:
    """The month's figures with `"closed": true|false`: a closed month from its snapshot, with the records
    that arrived after the close; an open one computed now."""
    record = closed(site.id, month)
    if record is None:
        return {**month_figures(site, month, now=now), "closed": False}
    return {**record.snapshot, "closed": True, "closed_at": _local(record.closed_at, ZoneInfo(site.timezone)),
            "arrived_after_close": arrived_after_close(site, month, record.closed_at)}
