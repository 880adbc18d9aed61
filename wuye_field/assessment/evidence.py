"""The records behind each proposed deduction of a site-month: per rule key, a header and the rows.

A proposal's count is the number of these rows, and its evidence page (`/assessment/evidence`) lists
exactly these rows, so a click always shows as many records as the deduction counts. Each function
reads the domain's own month function (the same one `reports.figures.month_figures` reads), never a
figure of its own making.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select

from wuye_field.checks import board as checks
from wuye_field.cleaning import rules as cleaning_rules
from wuye_field.cleaning.reports import report_rows
from wuye_field.core.time import as_utc
from wuye_field.defects.models import Defect, DefectResolution
from wuye_field.extensions import db
from wuye_field.gate import roster
from wuye_field.handover import month as handover
from wuye_field.incidents import complaints
from wuye_field.incidents.models import Complaint
from wuye_field.patrol import compliance
from wuye_field.patrol import month as patrol
from wuye_field.patrol.supervision import state_label
from wuye_field.places.models import Site
from wuye_field.places.site_settings import site_settings_at
from wuye_field.reports.figures import month_bounds
from wuye_field.workorders import sla
from wuye_field.workorders.models import WorkOrder
from wuye_field.workorders.reports import event_facts, order_facts


@dataclass(frozen=True)
class Month:
    """The site-month a rule is measured over: local days first…last, [start, end) in UTC, now."""

    site: Site
    month: str
    first: date
    last: date
    start: datetime
    end: datetime
    now: datetime
    limit: float | None = None  # the rule's own threshold (findings: days open)
    cache: dict = field(default_factory=dict, compare=False, repr=False)  # shared by the rules of one month

    def memo(self, name: str, compute: Callable):
        """What `compute()` answers, once per month (P2 missed and late read the same windows …)."""
        if name not in self.cache:
            self.cache[name] = compute()
        return self.cache[name]

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.site.timezone)

    @property
    def until(self) -> datetime:
        return min(as_utc(self.end), as_utc(self.now))

    def local(self, value: datetime | None) -> str:
        return as_utc(value).astimezone(self.tz).strftime("%Y-%m-%d %H:%M") if value else ""


def month_of(site: Site, month: str, now: datetime, limit: float | None = None) -> Month:
    first, last, start, end = month_bounds(site, month)
    return Month(site, month, first, last, start, end, now, limit)


Rows = tuple[list[str], list[list]]


def _windows(m: Month, states: tuple[str, ...]) -> Rows:
    rows = [[w.day.isoformat(), w.local_start.strftime("%H:%M"), place.code, place.name, state_label(s)]
            for place, w, s, _who in m.memo("windows", lambda: patrol.windows(m.site, m.first, m.last, now=m.now))
            if s in states]
    return [_("日期"), _("时段开始"), _("巡更点编号"), _("巡更点"), _("状态")], rows


def _p6_short(m: Month) -> Rows:
    shifts = {"day": _("白班"), "night": _("夜班")}
    rows = [[day.isoformat(), shifts[shift], building.name, rounds, patrol.P6_TARGET]
            for building, found in patrol.building_shifts(m.site, m.first, m.last, now=m.now).items()
            for day, shift, rounds in found if rounds < patrol.P6_TARGET]
    return [_("日期"), _("班次"), _("楼栋"), _("完成楼宇巡查"), _("每班应巡")], rows


def _cleaning(m: Month, status: str) -> Rows:
    rows = [[r.day.isoformat(), r.task.place.code, r.task.place.name, r.task.title, m.local(r.done_at),
             r.done_by.name if r.done_by else ""]
            for r in m.memo("cleaning", lambda: report_rows(m.site, m.first, m.last, now=m.now)) if r.status == status]
    return [_("日期"), _("区域编号"), _("区域"), _("任务"), _("完成时间"), _("完成人")], rows


def _orders(m: Month, clock: str) -> Rows:
    late = {}
    for fact in m.memo("orders", lambda: order_facts(m.site.id, m.start, m.end)):
        found = getattr(sla.clocks(fact, m.now), clock)
        if found is not None and found.state in (sla.MISSED, sla.RED):
            late[fact.id] = found
    orders = db.session.scalars(select(WorkOrder).where(WorkOrder.id.in_(list(late))).order_by(WorkOrder.raised_at))
    rows = [[o.number, m.local(o.raised_at), m.local(late[o.id].due), m.local(late[o.id].stopped_at) or _("未完成")]
            for o in orders]
    return [_("工单号"), _("报修时间"), _("时限"), _("实际")], rows


def _unvisited(m: Month) -> Rows:
    """W4: when the return-visit rate is under the site's target, the completed orders never visited."""
    done, visited, _reopened, _sat = event_facts(m.site.id, m.start, m.end)
    target = site_settings_at(m.site.id, m.until).return_visit_target
    header = [_("工单号"), _("报修时间"), _("完成时间")]
    if not done or len(done & visited) * 100 >= target * len(done):
        return header, []
    orders = db.session.scalars(select(WorkOrder).where(WorkOrder.id.in_(list(done - visited)))
                                .order_by(WorkOrder.raised_at))
    return header, [[o.number, m.local(o.raised_at), m.local(o.done_at)] for o in orders]


def _complaints(m: Month, unanswered: bool) -> Rows:
    found = db.session.scalars(select(Complaint).where(
        Complaint.site_id == m.site.id, Complaint.received_at >= m.start, Complaint.received_at < m.end)
        .order_by(Complaint.received_at))
    rows = [[m.local(c.received_at), c.category, c.what[:60], m.local(c.answered_at) or _("未答复")]
            for c in found if not unanswered or not complaints.answered_in_time(c)]
    return [_("收到时间"), _("类别"), _("内容"), _("答复时间")], rows


def _checks(m: Month, late: bool) -> Rows:
    rows = []
    for plan, piece, outcomes in m.memo("checks", lambda: checks.month_outcomes(m.site, m.first, now=m.now)):
        for o in outcomes:
            if (late and o.done and not o.on_time) or (not late and not o.done and as_utc(o.window.due) <= m.until):
                rows.append([plan.name, piece.code, piece.name, m.local(o.window.due), m.local(o.done_at)])
    return [_("计划"), _("设备编号"), _("设备"), _("应完成"), _("完成时间")], rows


def _handovers(m: Month, state: str) -> Rows:
    shifts = m.memo("handovers", lambda: handover.due_shifts(m.site, m.first, m.last, now=m.now))
    rows = [[m.local(shift), post.code, post.name, m.local(a.device_time) if a else ""]
            for post, shift, _h, a, s in shifts if s == state]
    return [_("班次开始"), _("岗位编号"), _("岗位"), _("接班时间")], rows


def _uncovered(m: Month) -> Rows:
    """P1: each post and day of the month (up to now, from the day the post was set up) with hours no
    accepted shift covered."""
    rows = []
    today = as_utc(m.now).astimezone(m.tz).date()
    for post in roster.site_posts(m.site.id):
        since = max(m.first, as_utc(post.created_at).astimezone(m.tz).date())
        for i in range((min(m.last, today) - since).days + 1):
            day = since + timedelta(days=i)
            cover = roster.coverage(post, day, now=m.now)
            if cover.uncovered_hours > 0:
                rows.append([day.isoformat(), post.code, post.name, f"{cover.uncovered_hours:g}"])
    return [_("日期"), _("岗位编号"), _("岗位"), _("无人值守（小时）")], rows


def _old_findings(m: Month) -> Rows:
    """Inspection findings (P5) still open at the month's end (or now) and raised over `limit` days before."""
    cutoff = m.until - timedelta(days=m.limit or 0)
    resolved = select(DefectResolution.defect_id).where(DefectResolution.device_time < m.until)
    found = db.session.scalars(select(Defect).where(
        Defect.site_id == m.site.id, Defect.inspection_id.is_not(None), Defect.device_time < cutoff,
        Defect.id.not_in(resolved)).order_by(Defect.device_time))
    rows = [[m.local(d.device_time), d.place.name if d.place else d.location, d.note[:60]] for d in found]
    return [_("发现时间"), _("地点"), _("说明")], rows


EVIDENCE: dict[str, Callable[[Month], Rows]] = {
    "P2.missed": lambda m: _windows(m, (compliance.MISSED, compliance.OVERDUE)),
    "P2.late": lambda m: _windows(m, (compliance.LATE,)),
    "P6.short": _p6_short,
    "C.missed": lambda m: _cleaning(m, cleaning_rules.MISSED),
    "C.late": lambda m: _cleaning(m, cleaning_rules.LATE),
    "W1.late": lambda m: _orders(m, "arrive"),
    "W3.late": lambda m: _orders(m, "finish"),
    "W4.unvisited": _unvisited,
    "W5.unanswered": lambda m: _complaints(m, True),
    "A3.complaint": lambda m: _complaints(m, False),
    "P7.missed": lambda m: _checks(m, False),
    "P7.late": lambda m: _checks(m, True),
    "H1.late": lambda m: _handovers(m, handover.LATE),
    "H1.not_accepted": lambda m: _handovers(m, handover.NOT_ACCEPTED),
    "P1.uncovered": _uncovered,
    "P5.open": _old_findings,
}
