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
from wuye_field.gate import dutylog, parcels, roster, rules, slips, vehicles, visitors
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
    return DayView(site, day, rows, sorted(buildings.items()), sorted(hours.items()), inside,
                   [roster.coverage(p, day, now=now) for p in roster.site_posts(site.id)],
                   slips.checks_between(site.id, start, end), issued or 0,
                   vehicles.entries_between(site.id, start, end), vehicles.overstaying(site.id, now),
                   parcels.parcels_between(site.id, start, end), parcels.unclaimed(site.id, now),
                   dutylog.entries_between(site.id, start, end), dutylog.signoff_of(site.id, day))


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


def month_view(viewer: User, site_id: int, year: int, month: int, *, now: datetime) -> MonthView:
    site = get_site(viewer, site_id, *REPORT_ROLES)
    days = rules.month_days(year, month)
    start, end = rules.day_bounds(days[0], site.timezone)[0], rules.day_bounds(days[-1], site.timezone)[1]
    per_day = Counter(to_site_time(v.device_time, site.timezone).date()
                      for v in visitors.visitors_between(site.id, start, end))
    def local(value):
        return to_site_time(value, site.timezone).date()

    checks = slips.checks_between(site.id, start, end)
    return MonthView(site, year, month, days, dict(per_day),
                     roster.month_coverage(viewer, site.id, year, month, now=now),
                     dict(Counter(local(c.device_time) for c in checks if c.outcome == "released")),
                     dict(Counter(local(c.device_time) for c in checks if c.outcome == "refused")),
                     dict(Counter(local(v.device_time) for v in vehicles.entries_between(site.id, start, end))),
                     dict(Counter(local(e.device_time) for e in dutylog.entries_between(site.id, start, end)
                                  if e.follow_up)),
                     dutylog.unsigned_days(site.id, now, days=62))


# ---------------------------------------------------------------- /export/visitors.csv


def visitors_header() -> list[str]:
    return [_("进入时间"), _("离开时间"), _("小区"), _("岗位"), _("楼栋"), _("单元/房号"), _("被访住户"), _("访客"),
            _("手机号"), _("证件类型"), _("证件号"), _("事由"), _("人数"), _("车牌"), _("登记人")]


def export_visitors(actor: User, site_code: str | None, raw_from: str | None, raw_to: str | None, *,
                    now: datetime) -> tuple[Site, date, date, str]:
    """(site, first, last, CSV). Supervisors get the full phone and ID number (each record's export is
    logged, G6); admins get them masked. NotFound unless supervisor/admin; DomainError for bad dates."""
    site = site_by_code_or_id(actor, site_code, *REPORT_ROLES)
    first, last = parse_date_range(raw_from, raw_to)
    start = rules.day_bounds(first, site.timezone)[0]
    end = rules.day_bounds(last, site.timezone)[1]
    rows_of = visitors.visitors_between(site.id, start, end)
    full = site.id in actor.site_ids(*visitors.FULL_VIEW_ROLES)
    users = {u.id: u.name for u in db.session.scalars(select(User).where(User.id.in_({v.user_id for v in rows_of})))}
    posts = {p.id: p.name for p in db.session.scalars(select(HandoverPost).where(HandoverPost.site_id == site.id))}

    def local(value):
        return to_site_time(value, site.timezone).strftime("%Y-%m-%d %H:%M") if value else ""

    rows = []
    for v in rows_of:
        view = visitors._view(v, full)
        if full and not view.erased:
            db.session.add(VisitorAccess(site_id=site.id, visitor_id=v.id, user_id=actor.id, what="export",
                                         created_at=now))
        rows.append([local(v.device_time), local(v.exit.device_time) if v.exit else "", site.name,
                     posts.get(v.post_id, ""), v.building.name if v.building else "", v.unit, view.host_name,
                     view.name, view.phone, str(ID_TYPES.get(v.id_type, "")), view.id_number, v.reason,
                     v.party_size, v.plate, users.get(v.user_id, "")])
    db.session.flush()
    return site, first, last, csv_text(visitors_header(), rows)


# ---------------------------------------------------------------- /export/releases.csv


def releases_header() -> list[str]:
    return [_("时间"), _("小区"), _("岗位"), _("放行条号"), _("结果"), _("原因"), _("件数"), _("物品"), _("楼栋"),
            _("单元/房号"), _("离线核对"), _("标记"), _("说明"), _("门岗")]


def export_releases(actor: User, site_code: str | None, raw_from: str | None, raw_to: str | None,
                    ) -> tuple[Site, date, date, str]:
    """(site, first, last, CSV) of the slips checked and goods stopped at the gate (supervisors, admins)."""
    site = site_by_code_or_id(actor, site_code, *REPORT_ROLES)
    first, last = parse_date_range(raw_from, raw_to)
    start, end = rules.day_bounds(first, site.timezone)[0], rules.day_bounds(last, site.timezone)[1]
    checks = slips.checks_between(site.id, start, end)
    users = {u.id: u.name for u in db.session.scalars(select(User).where(User.id.in_({c.user_id for c in checks})))}
    posts = {p.id: p.name for p in db.session.scalars(select(HandoverPost).where(HandoverPost.site_id == site.id))}
    issued = {s.id: s for s in db.session.scalars(select(ReleaseSlip).where(
        ReleaseSlip.id.in_({c.slip_id for c in checks if c.slip_id})))}
    rows = []
    for c in checks:
        slip = issued.get(c.slip_id)
        rows.append([to_site_time(c.device_time, site.timezone).strftime("%Y-%m-%d %H:%M"), site.name,
                     posts.get(c.post_id, ""), c.number, str(slips.OUTCOMES.get(c.outcome, c.outcome)),
                     slips.reason_text(c.reason) if c.reason else "", c.pieces, slip.goods if slip else "",
                     slip.building.name if slip and slip.building else "", slip.unit if slip else "",
                     _("是") if c.cached else "", _("重复使用") if c.flag else "", c.note, users.get(c.user_id, "")])
    return site, first, last, csv_text(releases_header(), rows)


# ---------------------------------------------------------------- /export/vehicles.csv


def export_vehicles(actor: User, site_code: str | None, raw_from: str | None, raw_to: str | None,
                    ) -> tuple[Site, date, date, str]:
    """(site, first, last, CSV) of the vehicles in and out (supervisors, admins)."""
    site = site_by_code_or_id(actor, site_code, *REPORT_ROLES)
    first, last = parse_date_range(raw_from, raw_to)
    start, end = rules.day_bounds(first, site.timezone)[0], rules.day_bounds(last, site.timezone)[1]
    entries = vehicles.entries_between(site.id, start, end)
    users = {u.id: u.name for u in db.session.scalars(select(User).where(User.id.in_({e.user_id for e in entries})))}

    def local(value):
        return to_site_time(value, site.timezone).strftime("%Y-%m-%d %H:%M") if value else ""

    rows = [[e.plate, str(VEHICLE_KINDS.get(e.kind, e.kind)), e.parking, local(e.device_time),
             local(e.exit.device_time) if e.exit else "", site.name, users.get(e.user_id, "")] for e in entries]
    header = [_("车牌"), _("类型"), _("停放位置"), _("进场时间"), _("离场时间"), _("小区"), _("门岗")]
    return site, first, last, csv_text(header, rows)


# ---------------------------------------------------------------- /export/parcels.csv


def export_parcels(actor: User, site_code: str | None, raw_from: str | None, raw_to: str | None,
                   ) -> tuple[Site, date, date, str]:
    """(site, first, last, CSV) of the parcels received and handed over; the recipient's name masked for
    anyone but the desk and supervisors (G6)."""
    site = site_by_code_or_id(actor, site_code, *REPORT_ROLES)
    first, last = parse_date_range(raw_from, raw_to)
    start, end = rules.day_bounds(first, site.timezone)[0], rules.day_bounds(last, site.timezone)[1]
    rows_of = parcels.parcels_between(site.id, start, end)
    full = site.id in actor.site_ids(*visitors.FULL_VIEW_ROLES)

    def local(value):
        return to_site_time(value, site.timezone).strftime("%Y-%m-%d %H:%M") if value else ""

    rows = [[local(p.device_time), site.name, p.building.name if p.building else "", p.unit, p.carrier, p.count,
             local(p.handover.device_time) if p.handover else "",
             (p.handover.to_whom if full else mask_name(p.handover.to_whom)) if p.handover else ""] for p in rows_of]
    header = [_("收件时间"), _("小区"), _("楼栋"), _("单元/房号"), _("快递公司"), _("件数"), _("领取时间"), _("领取人")]
    return site, first, last, csv_text(header, rows)


# ---------------------------------------------------------------- /export/dutylog.csv


def export_dutylog(actor: User, site_code: str | None, raw_from: str | None, raw_to: str | None,
                   ) -> tuple[Site, date, date, str]:
    """(site, first, last, CSV) of the duty-log entries with each day's sign-off (supervisors, admins)."""
    site = site_by_code_or_id(actor, site_code, *REPORT_ROLES)
    first, last = parse_date_range(raw_from, raw_to)
    start, end = rules.day_bounds(first, site.timezone)[0], rules.day_bounds(last, site.timezone)[1]
    entries = dutylog.entries_between(site.id, start, end)
    users = {u.id: u.name for u in db.session.scalars(select(User).where(User.id.in_({e.user_id for e in entries})))}
    posts = {p.id: p.name for p in db.session.scalars(select(HandoverPost).where(HandoverPost.site_id == site.id))}
    signed = {s.day: s for s in db.session.scalars(select(DutySignoff).where(
        DutySignoff.site_id == site.id, DutySignoff.day >= first, DutySignoff.day <= last))}
    rows = []
    for e in entries:
        local = to_site_time(e.device_time, site.timezone)
        sign = signed.get(local.date())
        rows.append([local.strftime("%Y-%m-%d %H:%M"), site.name, posts.get(e.post_id, _("客服台")),
                     str(DUTY_CATEGORIES.get(e.category, e.category)), e.text, _("是") if e.follow_up else "",
                     users.get(e.user_id, ""), sign.user.name if sign else ""])
    header = [_("时间"), _("小区"), _("岗位"), _("类别"), _("事项"), _("需跟进"), _("记录人"), _("主管签核")]
    return site, first, last, csv_text(header, rows)
