"""`/export/checks.csv` and `/export/equipment.csv`: supervisors and admins of the site, UTF-8 with BOM,
site time (core/csv_export conventions)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select

from wuye_field.accounts.models import User
from wuye_field.checks.equipment import status_label, type_label
from wuye_field.checks.models import CheckPlan, CheckRecord, Equipment
from wuye_field.core.csv_export import csv_text
from wuye_field.core.time import as_utc
from wuye_field.extensions import db
from wuye_field.places.models import Site

EXPORTERS = ("supervisor", "admin")


def _local(value: datetime | None, tz: ZoneInfo) -> str:
    return as_utc(value).astimezone(tz).strftime("%Y-%m-%d %H:%M") if value else ""


def checks_csv(site: Site, first: date, last: date) -> str:
    tz = ZoneInfo(site.timezone)
    start = datetime.combine(first, time(0), tz).astimezone(timezone.utc)
    end = datetime.combine(last + timedelta(days=1), time(0), tz).astimezone(timezone.utc)
    rows = db.session.execute(
        select(CheckRecord, Equipment, CheckPlan.name, User.name)
        .join(Equipment, Equipment.id == CheckRecord.equipment_id).join(CheckPlan, CheckPlan.id == CheckRecord.plan_id)
        .join(User, User.id == CheckRecord.user_id)
        .where(CheckRecord.site_id == site.id, CheckRecord.device_time >= start, CheckRecord.device_time < end)
        .order_by(CheckRecord.device_time, CheckRecord.id))
    header = [_("编号"), _("检查时间"), _("上传时间"), _("小区"), _("计划"), _("设备编号"), _("设备"), _("类型"),
              _("结果"), _("问题"), _("备注"), _("检查人"), _("问题记录编号"), _("设备已拆除"), _("手机时间不准")]
    out = []
    for record, piece, plan_name, user_name in rows:
        out.append([record.id, _local(record.device_time, tz), _local(record.received_at, tz), site.name, plan_name,
                    piece.code, piece.name, type_label(piece.type), _("正常") if record.result == "ok" else _("不正常"),
                    "；".join(record.failures or []), record.note, user_name, record.defect_id or "",
                    _("是") if record.equipment_removed else "", _("是") if record.skew_flagged else ""])
    return csv_text(header, out)


def equipment_csv(site: Site) -> str:
    pieces = list(db.session.scalars(select(Equipment).where(Equipment.site_id == site.id).order_by(Equipment.code)))
    header = [_("编号"), _("名称"), _("类型"), _("小区"), _("地点"), _("楼栋"), _("楼层"), _("状态"), _("灭火剂"),
              _("容量（公斤）"), _("有效期"), _("应有灭火器"), _("自有标签")]
    out = []
    for p in pieces:
        attrs = p.attrs or {}
        out.append([p.code, p.name, type_label(p.type), site.name, p.place.name if p.place else "",
                    p.building.name if p.building else "", p.floor, status_label(p.status), attrs.get("agent", ""),
                    attrs.get("capacity", ""), attrs.get("expiry", ""), attrs.get("expected_extinguishers", ""),
                    _("是") if p.tag_place_id else ""])
    return csv_text(header, out)
