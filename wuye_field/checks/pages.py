"""What the checks pages show: the chosen site, the board, the month, a piece's page; short messages."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select

from wuye_field.accounts.models import User
from wuye_field.checks import board as board_rules
from wuye_field.checks import charts, doing, drills
from wuye_field.checks import plans as plan_rules
from wuye_field.checks.defaults import AGENTS, METERS, TYPES
from wuye_field.checks.equipment import STATUSES, get_equipment, status_history, status_label, type_label
from wuye_field.checks.models import CheckPlan, CheckRecord, Drill, EquipmentStatus, MeterReading
from wuye_field.core.csv_export import parse_date
from wuye_field.core.errors import DomainError, NotFound
from wuye_field.core.time import as_utc, utcnow
from wuye_field.extensions import db
from wuye_field.places.models import Site
from wuye_field.places.services import sites_for

OVERSEERS = ("supervisor", "admin")


def bad_reference() -> str:
    return _("设备或计划编号无效。")


def reading_message(row: MeterReading) -> str:
    return _("已记录读数：%(v)s", v=format(row.value, "g"))


def drill_message(row: Drill) -> str:
    return _("已记录演练：%(d)s", d=row.held_on.isoformat())


def site_today(site: Site, now: datetime | None = None) -> date:
    return as_utc(now or utcnow()).astimezone(ZoneInfo(site.timezone)).date()


def chosen_site(user: User, site_id: int | None, *roles: str) -> tuple[Site, list[Site]]:
    sites = sites_for(user, *(roles or OVERSEERS))
    site = next((s for s in sites if site_id is None or s.id == site_id), None)
    if site is None:
        raise NotFound(_("小区不存在，或您无权查看。"))
    return site, sites


@dataclass
class BoardPage:
    site: Site
    sites: list[Site]
    board: board_rules.Board
    today: date
    drills: list[Drill]


def board_page(user: User, site_id: int | None, *, now: datetime) -> BoardPage:
    site, sites = chosen_site(user, site_id)
    return BoardPage(site, sites, board_rules.board(site, now=now), site_today(site, now),
                     drills.site_drills(site.id, 5))


@dataclass
class MonthPage:
    site: Site
    sites: list[Site]
    month: board_rules.Month
    label: str


def month_page(user: User, site_id: int | None, raw_month: str | None, *, now: datetime) -> MonthPage:
    site, sites = chosen_site(user, site_id)
    today = site_today(site, now)
    first = today.replace(day=1)
    if raw_month:
        parsed = parse_date(f"{raw_month.strip()}-01")
        if parsed is None:
            raise DomainError(_("月份格式应为 YYYY-MM，例如 2026-11。"), code="bad_month")
        first = parsed
    return MonthPage(site, sites, board_rules.month_figures(site, first, now=now), first.strftime("%Y-%m"))


@dataclass
class EquipmentPage:
    equipment: object
    site: Site
    type_label: str
    status_label: str
    history: list[EquipmentStatus]
    checks: list[CheckRecord]
    charts: list[tuple[str, Markup]]
    attrs: list[tuple[str, str]]
    plans: list[CheckPlan]
    can_manage: bool
    statuses: dict


def _attr_rows(piece) -> list[tuple[str, str]]:
    attrs = piece.attrs or {}
    rows = []
    if "agent" in attrs:
        rows.append((_("灭火剂"), str(AGENTS.get(attrs["agent"], attrs["agent"]))))
    if "capacity" in attrs:
        rows.append((_("容量"), f"{attrs['capacity']:g} kg"))
    if "expiry" in attrs:
        rows.append((_("有效期至"), attrs["expiry"]))
    if "expected_extinguishers" in attrs:
        rows.append((_("箱内应有灭火器"), str(attrs["expected_extinguishers"])))
    return rows


def equipment_page(user: User, equipment_id: int, *, now: datetime) -> EquipmentPage:
    piece = get_equipment(user, equipment_id)
    site = db.session.get(Site, piece.site_id)
    checks = list(db.session.scalars(select(CheckRecord).where(CheckRecord.equipment_id == piece.id)
                                     .order_by(CheckRecord.device_time.desc()).limit(20)))
    charts_out = []
    for meter in TYPES.get(piece.type, ("", "", ()))[2]:
        points = [(as_utc(r.device_time), r.value) for r in doing.readings(piece.id, meter)]
        if points:
            label, unit = str(METERS[meter][0]), METERS[meter][1]
            charts_out.append((f"{label}（{unit}）", charts.line_chart(points, label=label, unit=unit)))
    plans = [p for p in plan_rules.site_plans(site.id, active_only=True) if plan_rules.covers(p, piece)]
    return EquipmentPage(piece, site, type_label(piece.type), status_label(piece.status), status_history(piece.id),
                         checks, charts_out, _attr_rows(piece), plans, site.id in user.site_ids(*OVERSEERS),
                         STATUSES)
