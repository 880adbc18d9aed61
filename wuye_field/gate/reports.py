"""Supervisor views of the gate (day and month) and the visitor export; reads only, except the access log
that a full export writes (G6)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from wuye_field.accounts.models import User
from wuye_field.core.csv_export import csv_text, parse_date_range
from wuye_field.core.masking import mask_name
from wuye_field.core.time import to_site_time
from wuye_field.extensions import db
from wuye_field.gate import dutylog, parcels, roster, rules, settings, slips, vehicles, visitors
from wuye_field.gate.models import (
    DUTY_CATEGORIES, ID_TYPES, VEHICLE_KINDS, DutySignoff, ReleaseCheck, ReleaseSlip, Visitor, VisitorAccess,
)
from wuye_field.handover.models import HandoverPost
from wuye_field.places.models import Site
from wuye_field.places.services import get_site, site_by_code_or_id

REPORT_ROLES = ("supervisor", "admin")


@dataclass
class DayView:
    site: Site
    day: date
    rows: list[tuple[Visitor, visitors.VisitorView]]
    by_building: list[tuple[str, int]]
    by_hour: list[tuple[int, int]]
    inside: list[tuple[Visitor, visitors.VisitorView]]
    coverage: list[roster.DayCoverage] = field(default_factory=list)
    releases: list[ReleaseCheck] = field(default_factory=list)
    slips_issued: int = 0
    vehicles: list = field(default_factory=list)
    overstaying: list = field(default_factory=list)
    parcels: list = field(default_factory=list)
    unclaimed: list = field(default_factory=list)
    duty: list = field(default_factory=list)
    signoff: object = None

    @property
    def standing(self) -> list[roster.DayCoverage]:
        """The posts with a standing duty that day (P1's 立岗)."""
        return [c for c in self.coverage if c.standing_hours or c.standing_covered]

    standing_set: int = 0  # the longest standing duty of a post in force that day

    @property
    def standing_short(self) -> bool:
        """No post has the standard's standing duty (P1: 8 h at the main gate) set for the day."""
        return self.standing_set < settings.STANDING_HOURS_P1

    @property
    def release_counts(self) -> dict[str, int]:
        counts = Counter(r.outcome for r in self.releases)
        return {"released": counts["released"], "refused": counts["refused"], "stopped": counts["stopped"],
                "flagged": sum(1 for r in self.releases if r.flag)}


def day_view(viewer: User, site_id: int, day: date, *, now: datetime) -> DayView:
    """A site's day at the gate: every visitor, counted by building and by hour, those still inside, and
    each post's covered hours (P1)."""
    site = get_site(viewer, site_id, *REPORT_ROLES)
    start, end = rules.day_bounds(day, site.timezone)
    rows = [(v, visitors.list_view(viewer, v)) for v in visitors.visitors_between(site.id, start, end)]
    buildings = Counter((v.building.name if v.building else _("未填楼栋")) for v, _view in rows)
    hours = Counter(to_site_time(v.device_time, site.timezone).hour for v, _view in rows)
    inside = [(v, visitors.list_view(viewer, v)) for v in visitors.visitors_inside(site.id)]
    issued = db.session.scalar(select(func.count(ReleaseSlip.id)).where(
        ReleaseSlip.site_id == site.id, ReleaseSlip.issued_at >= start, ReleaseSlip.issued_at < end))
    posts = roster.site_posts(site.id)
    return DayView(site, day, rows, sorted(buildings.items()), sorted(hours.items()), inside,
                   [roster.coverage(p, day, now=now) for p in posts],
                   slips.checks_between(site.id, start, end), issued or 0,
                   vehicles.entries_between(site.id, start, end), vehicles.overstaying(site.id, now),
                   parcels.parcels_between(site.id, start, end), parcels.unclaimed(site.id, now),
                   dutylog.entries_between(site.id, start, end), dutylog.signoff_of(site.id, day),
                   max((settings.standing_at(p, start)[0] for p in posts), default=0))


@dataclass
class MonthView:
    site: Site
    year: int
    month: int
    days: list[date]
    visitors_per_day: dict[date, int]
    coverage: dict[HandoverPost, list[roster.DayCoverage]]
    released_per_day: dict[date, int] = field(default_factory=dict)
    refused_per_day: dict[date, int] = field(default_factory=dict)
    vehicles_per_day: dict[date, int] = field(default_factory=dict)
    follow_ups_per_day: dict[date, int] = field(default_factory=dict)
    unsigned: list[date] = field(default_factory=list)


def _per_day(records, tz: str, keep=lambda record: True) -> dict[date, int]:
    """How many of `records` (kept by `keep`) fall on each local day, by their device time."""
    return dict(Counter(to_site_time(r.device_time, tz).date() for r in records if keep(r)))


def month_view(viewer: User, site_id: int, year: int, month: int, *, now: datetime) -> MonthView:
    site = get_site(viewer, site_id, *REPORT_ROLES)
    days = rules.month_days(year, month)
    start, end = rules.day_bounds(days[0], site.timezone)[0], rules.day_bounds(days[-1], site.timezone)[1]
    tz = site.timezone
    checks = slips.checks_between(site.id, start, end)
    return MonthView(site, year, month, days, _per_day(visitors.visitors_between(site.id, start, end), tz),
                     roster.month_coverage(viewer, site.id, year, month, now=now),
                     _per_day(checks, tz, lambda c: c.outcome == "released"),
                     _per_day(checks, tz, lambda c: c.outcome == "refused"),
                     _per_day(vehicles.entries_between(site.id, start, end), tz),
                     _per_day(dutylog.entries_between(site.id, start, end), tz, lambda e: e.follow_up),
                     dutylog.unsigned_days(site.id, now, days=62))


# ---------------------------------------------------------------- the exports' common shape


@dataclass
class Span:
    """What every gate export reads first: the site (supervisors, admins), its date range and its bounds."""
    site: Site
    first: date
    last: date
    start: datetime
    end: datetime

    def local(self, value) -> str:
        return to_site_time(value, self.site.timezone).strftime("%Y-%m-%d %H:%M") if value else ""

    def csv(self, header: list[str], rows: list) -> tuple[Site, date, date, str]:
        return self.site, self.first, self.last, csv_text(header, rows)


def _span(actor: User, site_code: str | None, raw_from: str | None, raw_to: str | None) -> Span:
    site = site_by_code_or_id(actor, site_code, *REPORT_ROLES)
    first, last = parse_date_range(raw_from, raw_to)
    return Span(site, first, last, rules.day_bounds(first, site.timezone)[0], rules.day_bounds(last, site.timezone)[1])


def _user_names(records) -> dict[int, str]:
    ids = {r.user_id for r in records}
    return {u.id: u.name for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


def _post_names(site_id: int) -> dict[int, str]:
    return {p.id: p.name for p in db.session.scalars(select(HandoverPost).where(HandoverPost.site_id == site_id))}


# ---------------------------------------------------------------- /export/visitors.csv


def visitors_header() -> list[str]:
    return [_("进入时间"), _("离开时间"), _("小区"), _("岗位"), _("楼栋"), _("单元/房号"), _("被访住户"), _("访客"),
            _("手机号"), _("证件类型"), _("证件号"), _("事由"), _("人数"), _("车牌"), _("登记人")]


def export_visitors(actor: User, site_code: str | None, raw_from: str | None, raw_to: str | None, *,
                    now: datetime) -> tuple[Site, date, date, str]:
    """(site, first, last, CSV). Supervisors get the full phone and ID number (each record's export is
    logged, G6); admins get them masked. NotFound unless supervisor/admin; DomainError for bad dates."""
    span = _span(actor, site_code, raw_from, raw_to)
    site = span.site
    rows_of = visitors.visitors_between(site.id, span.start, span.end)
    full = site.id in actor.site_ids(*visitors.FULL_VIEW_ROLES)
    users, posts = _user_names(rows_of), _post_names(site.id)
    rows = []
    for v in rows_of:
        view = visitors._view(v, full)
        if full and not view.erased:
            db.session.add(VisitorAccess(site_id=site.id, visitor_id=v.id, user_id=actor.id, what="export",
                                         created_at=now))
        rows.append([span.local(v.device_time), span.local(v.exit.device_time) if v.exit else "", site.name,
                     posts.get(v.post_id, ""), v.building.name if v.building else "", v.unit, view.host_name,
                     view.name, view.phone, str(ID_TYPES.get(v.id_type, "")), view.id_number, v.reason,
                     v.party_size, v.plate, users.get(v.user_id, "")])
    db.session.flush()
    return span.csv(visitors_header(), rows)


# ---------------------------------------------------------------- /export/releases.csv


def releases_header() -> list[str]:
    return [_("时间"), _("小区"), _("岗位"), _("放行条号"), _("结果"), _("原因"), _("件数"), _("物品"), _("楼栋"),
            _("单元/房号"), _("离线核对"), _("标记"), _("说明"), _("门岗")]


def export_releases(actor: User, site_code: str | None, raw_from: str | None, raw_to: str | None, *,
                    now: datetime | None = None) -> tuple[Site, date, date, str]:
    """(site, first, last, CSV) of the slips checked and goods stopped at the gate (supervisors, admins)."""
    span = _span(actor, site_code, raw_from, raw_to)
    checks = slips.checks_between(span.site.id, span.start, span.end)
    users, posts = _user_names(checks), _post_names(span.site.id)
    issued = {s.id: s for s in db.session.scalars(select(ReleaseSlip).where(
        ReleaseSlip.id.in_({c.slip_id for c in checks if c.slip_id})))}
    rows = []
    for c in checks:
        slip = issued.get(c.slip_id)
        rows.append([span.local(c.device_time), span.site.name,
                     posts.get(c.post_id, ""), c.number, str(slips.OUTCOMES.get(c.outcome, c.outcome)),
                     slips.reason_text(c.reason) if c.reason else "", c.pieces, slip.goods if slip else "",
                     slip.building.name if slip and slip.building else "", slip.unit if slip else "",
                     _("是") if c.cached else "", _("重复使用") if c.flag else "", c.note, users.get(c.user_id, "")])
    return span.csv(releases_header(), rows)


# ---------------------------------------------------------------- /export/vehicles.csv


def export_vehicles(actor: User, site_code: str | None, raw_from: str | None, raw_to: str | None, *,
                    now: datetime | None = None) -> tuple[Site, date, date, str]:
    """(site, first, last, CSV) of the vehicles in and out (supervisors, admins)."""
    span = _span(actor, site_code, raw_from, raw_to)
    entries = vehicles.entries_between(span.site.id, span.start, span.end)
    users = _user_names(entries)
    rows = [[e.plate, str(VEHICLE_KINDS.get(e.kind, e.kind)), e.parking, span.local(e.device_time),
             span.local(e.exit.device_time) if e.exit else "", span.site.name, users.get(e.user_id, "")]
            for e in entries]
    return span.csv([_("车牌"), _("类型"), _("停放位置"), _("进场时间"), _("离场时间"), _("小区"), _("门岗")], rows)


# ---------------------------------------------------------------- /export/parcels.csv


def export_parcels(actor: User, site_code: str | None, raw_from: str | None, raw_to: str | None, *,
                   now: datetime | None = None) -> tuple[Site, date, date, str]:
    """(site, first, last, CSV) of the parcels received and handed over; the recipient's name masked for
    anyone but the desk and supervisors (G6)."""
    span = _span(actor, site_code, raw_from, raw_to)
    full = span.site.id in actor.site_ids(*visitors.FULL_VIEW_ROLES)
    rows = [[span.local(p.device_time), span.site.name, p.building.name if p.building else "", p.unit, p.carrier,
             p.count, span.local(p.handover.device_time) if p.handover else "",
             (p.handover.to_whom if full else mask_name(p.handover.to_whom)) if p.handover else ""]
            for p in parcels.parcels_between(span.site.id, span.start, span.end)]
    header = [_("收件时间"), _("小区"), _("楼栋"), _("单元/房号"), _("快递公司"), _("件数"), _("领取时间"), _("领取人")]
    return span.csv(header, rows)


# ---------------------------------------------------------------- /export/dutylog.csv


def export_dutylog(actor: User, site_code: str | None, raw_from: str | None, raw_to: str | None, *,
                   now: datetime | None = None) -> tuple[Site, date, date, str]:
    """(site, first, last, CSV) of the duty-log entries with each day's sign-off (supervisors, admins)."""
    span = _span(actor, site_code, raw_from, raw_to)
    entries = dutylog.entries_between(span.site.id, span.start, span.end)
    users, posts = _user_names(entries), _post_names(span.site.id)
    signed = {s.day: s for s in db.session.scalars(select(DutySignoff).where(
        DutySignoff.site_id == span.site.id, DutySignoff.day >= span.first, DutySignoff.day <= span.last))}
    rows = []
    for e in entries:
        sign = signed.get(to_site_time(e.device_time, span.site.timezone).date())
        rows.append([span.local(e.device_time), span.site.name, posts.get(e.post_id, _("客服台")),
                     str(DUTY_CATEGORIES.get(e.category, e.category)), e.text, _("是") if e.follow_up else "",
                     users.get(e.user_id, ""), sign.user.name if sign else ""])
    header = [_("时间"), _("小区"), _("岗位"), _("类别"), _("事项"), _("需跟进"), _("记录人"), _("主管签核")]
    return span.csv(header, rows)
