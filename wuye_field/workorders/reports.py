"""The supervisor's monthly work-order figures for one site (W1–W4) and the CSV export.

Decisions:
- A month's orders are those *raised* in it (site time zone); the figures of a month still change while
  its orders are being worked.
- In-time shares use each order's fixed clocks (`arrive_minutes` / `finish_minutes`, set at raise time)
  through `sla.clocks`, so paused time is excluded from the completion clock exactly as the phone shows
  it. A clock counts when it is decided: met, missed, or running and already overdue (late now = not in
  time). Clocks still running in time and cancelled orders are left out of the share.
- Return-visit rate (W4) = orders with a return visit ÷ orders completed; satisfaction = satisfied visits
  ÷ visits; reopen rate = orders reopened ÷ orders completed. Only applied events count (a conflict
  record is not a visit).
- Average response = arrival − raise; average completion = completion − raise − paused time (minutes).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import and_, func, select

from wuye_field.accounts.models import User
from wuye_field.core.csv_export import csv_text, frozen_export, parse_date_range
from wuye_field.core.errors import DomainError
from wuye_field.core.months import month_days, site_today
from wuye_field.core.months import parse_month as parse_month_arg
from wuye_field.core.time import as_utc
from wuye_field.extensions import db
from wuye_field.places.models import Building, Site
from wuye_field.places.services import get_site, site_by_code_or_id
from wuye_field.places.site_settings import DEFAULTS, site_settings_at
from wuye_field.workorders import sla
from wuye_field.workorders.models import CATEGORIES, PRIORITIES, SOURCES, STATES, OrderEvent, WorkOrder
from wuye_field.workorders.residents import mask_name, mask_phone

REPORT_ROLES = ("supervisor", "admin")
RETURN_VISIT_TARGET = DEFAULTS["return_visit_target"][0]  # per cent, W4: the default; the site's setting applies
DECIDED_LATE = (sla.MISSED, sla.RED)

# The projection columns `sla.clocks` needs (plus what the figures use), read without loading whole orders.
_FACT_COLUMNS = [WorkOrder.id, WorkOrder.priority, WorkOrder.state, WorkOrder.raised_at, WorkOrder.arrive_minutes,
                 WorkOrder.finish_minutes, WorkOrder.arrived_at, WorkOrder.done_at, WorkOrder.closed_at,
                 WorkOrder.on_hold_since, WorkOrder.paused_seconds, WorkOrder.reopen_count]
if hasattr(WorkOrder, "reopened_at"):
    _FACT_COLUMNS.append(WorkOrder.reopened_at)


@dataclass(frozen=True)
class Share:
    """`hits` of `total`; `percent` is None when there is nothing to count."""

    hits: int
    total: int

    @property
    def percent(self) -> float | None:
        return round(100.0 * self.hits / self.total, 1) if self.total else None

    def meets(self, target: float) -> bool | None:
        return None if self.percent is None else self.percent >= target


@dataclass
class MonthReport:
    """Everything the monthly page shows for one site."""

    site: Site
    month: str
    start: datetime
    end: datetime
    raised: int
    cancelled: int
    emergency_on_site: Share
    finished_in_time: dict[str, Share]
    avg_response_minutes: float | None
    avg_completion_minutes: float | None
    return_visits: Share
    satisfaction: Share
    reopens: Share
    by_priority_label: dict[str, str] = field(default_factory=dict)
    return_visit_target: int = RETURN_VISIT_TARGET  # the site's W4 target in force at the month's last moment

    @property
    def return_visit_ok(self) -> bool | None:
        return self.return_visits.meets(self.return_visit_target)

    @property
    def start_local(self) -> str:
        """The month's first local day (YYYY-MM-DD), for the export link."""
        return self.month + "-01"

    @property
    def end_local(self) -> str:
        """The month's last local day (YYYY-MM-DD)."""
        year, month = (int(p) for p in self.month.split("-"))
        return (date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)).isoformat()


# ---------------------------------------------------------------- months


def parse_month(raw: str | None, tz_name: str, *, today: date) -> tuple[str, datetime, datetime]:
    """("YYYY-MM", start UTC, end UTC) of a local month; the current one when `raw` is empty.

    DomainError (400, Chinese) for anything but YYYY-MM.
    """
    text = (raw or "").strip() or today.strftime("%Y-%m")
    try:
        year, month = (int(p) for p in text.split("-"))
        first = date(year, month, 1)
    except ValueError as exc:
        raise DomainError(_("月份格式应为 YYYY-MM，例如 2026-11。"), code="bad_month") from exc
    if len(text) != 7:
        raise DomainError(_("月份格式应为 YYYY-MM，例如 2026-11。"), code="bad_month")
    after = date(year + (month == 12), month % 12 + 1, 1)
    tz = ZoneInfo(tz_name)
    start = datetime.combine(first, time(0), tz).astimezone(UTC)
    return text, start, datetime.combine(after, time(0), tz).astimezone(UTC)


# ---------------------------------------------------------------- facts


def _month_orders(site_id: int, start: datetime, end: datetime):
    """select() of the site's orders raised in [start, end) (uses the (site_id, raised_at) index)."""
    return select(*_FACT_COLUMNS).where(WorkOrder.site_id == site_id, WorkOrder.raised_at >= start,
                                        WorkOrder.raised_at < end)


def order_facts(site_id: int, start: datetime, end: datetime) -> list[SimpleNamespace]:
    """The projection of each order raised in the window, as light objects `sla.clocks` accepts."""
    return [SimpleNamespace(**row._asdict()) for row in db.session.execute(_month_orders(site_id, start, end))]


def event_facts(site_id: int, start: datetime, end: datetime) -> tuple[set[int], set[int], set[int], Share]:
    """(ids completed, ids return-visited, ids reopened, satisfied visits ÷ visits) of the window's orders,
    from the applied events."""
    ids = select(WorkOrder.id).where(WorkOrder.site_id == site_id, WorkOrder.raised_at >= start,
                                     WorkOrder.raised_at < end)
    rows = db.session.execute(
        select(OrderEvent.order_id, OrderEvent.kind, OrderEvent.verdict, func.count())
        .where(OrderEvent.order_id.in_(ids), OrderEvent.applied.is_(True),
               OrderEvent.kind.in_(("done", "visit", "reopen")))
        .group_by(OrderEvent.order_id, OrderEvent.kind, OrderEvent.verdict)).all()
    done, visited, reopened = set(), set(), set()
    visits = satisfied = 0
    for order_id, kind, verdict, count in rows:
        {"done": done, "visit": visited, "reopen": reopened}[kind].add(order_id)
        if kind == "visit":
            visits += count
            satisfied += count if verdict == "satisfied" else 0
    return done, visited, reopened, Share(satisfied, visits)


def _clock_share(facts, kind: str, now: datetime) -> Share:
    hits = total = 0
    for order in facts:
        clock = getattr(sla.clocks(order, now), kind)
        if clock is None or clock.state not in (sla.MET, *DECIDED_LATE):
            continue
        total += 1
        hits += clock.state == sla.MET
    return Share(hits, total)


def _mean_minutes(values: list[float]) -> float | None:
    return round(sum(values) / len(values) / 60, 1) if values else None


# ---------------------------------------------------------------- the figures (site id + UTC window)


def emergency_on_site_share(site_id: int, start: datetime, end: datetime, *, now: datetime) -> Share:
    """Emergency orders whose technician was on site within the arrival clock (W1/W2)."""
    facts = [f for f in order_facts(site_id, start, end) if f.priority == "emergency"]
    return _clock_share(facts, "arrive", now)


def finished_in_time(site_id: int, start: datetime, end: datetime, *, now: datetime) -> dict[str, Share]:
    """Per priority: orders completed within the finish clock, paused time excluded (W3)."""
    facts = order_facts(site_id, start, end)
    return {p: _clock_share([f for f in facts if f.priority == p], "finish", now) for p in PRIORITIES}


def average_minutes(site_id: int, start: datetime, end: datetime) -> tuple[float | None, float | None]:
    """(mean response, mean net completion time) in minutes of the window's orders."""
    return _averages(order_facts(site_id, start, end))


def _averages(facts) -> tuple[float | None, float | None]:
    response = [(as_utc(f.arrived_at) - as_utc(f.raised_at)).total_seconds() for f in facts if f.arrived_at]
    completion = [(as_utc(f.done_at) - as_utc(f.raised_at)).total_seconds() - (f.paused_seconds or 0)
                  for f in facts if f.done_at and f.state in sla.FINISHED_STATES]
    return _mean_minutes(response), _mean_minutes(completion)


def return_visit_rate(site_id: int, month_start_utc: datetime, month_end_utc: datetime) -> Share:
    """Completed orders that got a return visit (W4, target ≥ 70 %)."""
    done, visited, _reopened, _sat = event_facts(site_id, month_start_utc, month_end_utc)
    return Share(len(done & visited), len(done))


def satisfaction_rate(site_id: int, month_start_utc: datetime, month_end_utc: datetime) -> Share:
    """Return visits where the resident was satisfied."""
    return event_facts(site_id, month_start_utc, month_end_utc)[3]


def reopen_rate(site_id: int, month_start_utc: datetime, month_end_utc: datetime) -> Share:
    """Completed orders that were reopened after an unsatisfied visit."""
    done, _visited, reopened, _sat = event_facts(site_id, month_start_utc, month_end_utc)
    return Share(len(done & reopened), len(done))


def site_month(site: Site, month: str, start: datetime, end: datetime, *, now: datetime) -> MonthReport:
    """All the figures of one site and month, from one read of the orders and one of the events."""
    facts = order_facts(site.id, start, end)
    done, visited, reopened, satisfaction = event_facts(site.id, start, end)
    response, completion = _averages(facts)
    return MonthReport(
        site=site, month=month, start=start, end=end, raised=len(facts),
        cancelled=sum(f.state == "cancelled" for f in facts),
        emergency_on_site=_clock_share([f for f in facts if f.priority == "emergency"], "arrive", now),
        finished_in_time={p: _clock_share([f for f in facts if f.priority == p], "finish", now) for p in PRIORITIES},
        avg_response_minutes=response, avg_completion_minutes=completion,
        return_visits=Share(len(done & visited), len(done)), satisfaction=satisfaction,
        reopens=Share(len(done & reopened), len(done)),
        by_priority_label={p: str(label) for p, label in PRIORITIES.items()},
        return_visit_target=site_settings_at(site.id, min(end - timedelta(microseconds=1), now)).return_visit_target,
    )


def monthly_report(actor: User, site_id: int, month: str | None, *, now: datetime) -> MonthReport:
    """The monthly page of a site. NotFound unless `actor` supervises or administers it; DomainError for a
    bad month."""
    site = get_site(actor, site_id, *REPORT_ROLES)
    today = as_utc(now).astimezone(ZoneInfo(site.timezone)).date()
    label, start, end = parse_month(month, site.timezone, today=today)
    return site_month(site, label, start, end, now=now)


def report_sites(actor: User) -> list[Site]:
    """Sites whose reports `actor` may read, by code."""
    ids = actor.site_ids(*REPORT_ROLES)
    return list(db.session.scalars(select(Site).where(Site.id.in_(ids)).order_by(Site.code))) if ids else []


# ---------------------------------------------------------------- CSV export


def exported_site(actor: User, code: str | None) -> Site:
    """The site with this code (or numeric id) if `actor` supervises or administers it; NotFound otherwise."""
    return site_by_code_or_id(actor, code, *REPORT_ROLES)


def export_header() -> list[str]:
    return [_("工单号"), _("小区"), _("来源"), _("类别"), _("优先级"), _("状态"), _("楼栋"), _("房号"), _("住户"),
            _("住户电话"), _("描述"), _("发起人"), _("维修工"), _("发起时间"), _("应到场"), _("到场时间"),
            _("应完成"), _("完成时间"), _("回访时间"), _("回访结果"), _("关闭时间"), _("暂停分钟"), _("到场时限"),
            _("完成时限"), _("重新派工次数")]


def _clock_label(clock) -> str:
    if clock is None:
        return ""
    return {sla.MET: _("达标"), sla.MISSED: _("超时"), sla.RED: _("已超时"), sla.CANCELLED: _("已取消")}.get(
        clock.state, _("进行中"))


def export_rows(site: Site, first: date, last: date, *, now: datetime) -> list[list]:
    """One row per order raised on the site's local days first…last, every time in the site's zone.

    The resident's name and phone are masked (H6: an export is a copy).
    """
    tz = ZoneInfo(site.timezone)
    start = datetime.combine(first, time(0), tz).astimezone(UTC)  # UTC: SQLite compares the stored text
    end = datetime.combine(last + timedelta(days=1), time(0), tz).astimezone(UTC)
    orders = list(db.session.scalars(
        select(WorkOrder).where(WorkOrder.site_id == site.id, WorkOrder.raised_at >= start, WorkOrder.raised_at < end)
        .order_by(WorkOrder.raised_at, WorkOrder.id)))
    ids = [o.id for o in orders]
    visits: dict[int, OrderEvent] = {}
    if ids:
        for event in db.session.scalars(select(OrderEvent).where(
                and_(OrderEvent.order_id.in_(ids), OrderEvent.kind == "visit", OrderEvent.applied.is_(True)))
                .order_by(OrderEvent.id)):
            visits[event.order_id] = event  # the latest visit
    users = {u.id: u.name for u in db.session.scalars(select(User).where(
        User.id.in_({o.raised_by_id for o in orders} | {o.assignee_id for o in orders if o.assignee_id})))}
    buildings = {b.id: b.name for b in db.session.scalars(select(Building).where(Building.site_id == site.id))}

    def local(value: datetime | None) -> str:
        return as_utc(value).astimezone(tz).strftime("%Y-%m-%d %H:%M") if value else ""

    rows = []
    for o in orders:
        clocks = sla.clocks(o, now)
        visit = visits.get(o.id)
        rows.append([
            o.number, site.name, str(SOURCES.get(o.source, o.source)), str(CATEGORIES.get(o.category, o.category)),
            str(PRIORITIES.get(o.priority, o.priority)), str(STATES.get(o.state, o.state)),
            buildings.get(o.building_id, ""), o.room, mask_name(o.resident_name), mask_phone(o.resident_phone),
            o.description, users.get(o.raised_by_id, ""), users.get(o.assignee_id, ""),
            local(o.raised_at), local(clocks.arrive.due) if clocks.arrive else "", local(o.arrived_at),
            local(clocks.finish.due), local(o.done_at), local(visit.device_time) if visit else "",
            ({"satisfied": _("满意"), "not_satisfied": _("不满意")}.get(visit.verdict, "") if visit else ""),
            local(o.closed_at), round(clocks.paused_seconds / 60), _clock_label(clocks.arrive),
            _clock_label(clocks.finish), o.reopen_count,
        ])
    return rows


def export_csv(actor: User, site_code: str | None, raw_from: str | None, raw_to: str | None, *,
               now: datetime, raw_month: str | None = None) -> tuple[Site, date, date, str]:
    """(site, first, last, CSV text with BOM) of the site's orders. NotFound unless supervisor/admin;
    DomainError (400) for bad dates."""
    site = exported_site(actor, site_code)
    if raw_from or raw_to:
        first, last = parse_date_range(raw_from, raw_to)
    else:  # no dates: the month asked for, else the current one
        first, last = month_days(parse_month_arg(raw_month, today=site_today(site.timezone, now)))
    text = frozen_export(site.id, "workorders", first, last)  # a closed month: the file frozen with it
    return site, first, last, text if text is not None else export_text(site, first, last, now=now)


def export_text(site: Site, first: date, last: date, *, now: datetime) -> str:
    """The CSV text of workorders.csv for a site's local days first…last (no access check)."""
    return csv_text(export_header(), export_rows(site, first, last, now=now))
