"""The patrol CSV exports for supervisors: scans and inspections of a site over some days, in its zone."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from wuye_field.core.time import as_utc
from wuye_field.extensions import db
from wuye_field.patrol import compliance as rules
from wuye_field.patrol.models import SEVERITIES, VIA_CHECKLIST, Inspection, Round, Route, Scan
from wuye_field.places.models import Site

# ---------------------------------------------------------------- exports


def _local(value: datetime | None, tz: ZoneInfo) -> str:
    return "" if value is None else as_utc(value).astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")


def scans_rows(site: Site, first: date, last: date):
    """The header and rows of scans.csv: a site's scans of local days first…last, times in its zone."""
    tz = ZoneInfo(site.timezone)
    start, end = rules.local_midnight(first, tz), rules.local_midnight(last + timedelta(days=1), tz)
    header = [_("时间"), _("小区"), _("巡更点编号"), _("巡更点"), _("楼栋"), _("重点部位"), _("工号"), _("人员"),
              _("方式"), _("路线"), _("路线外"), _("旧标签"), _("时钟偏差(秒)"), _("偏差过大"), _("服务器接收时间"),
              _("备注"), _("记录编号")]
    # A visit recorded by the checklist says so (「全部正常」 / 「有异常」): it is the inspection of the same
    # user and client UUID, the row inspections.csv shows.
    query = (select(Scan, Route.name, Inspection.all_ok).outerjoin(Round, Scan.round_id == Round.id)
             .outerjoin(Route, Round.route_id == Route.id)
             .outerjoin(Inspection, (Scan.via == VIA_CHECKLIST) & (Inspection.user_id == Scan.user_id)
                        & (Inspection.client_uuid == Scan.client_uuid))
             .where(Scan.site_id == site.id, Scan.device_time >= start, Scan.device_time < end)
             .order_by(Scan.device_time, Scan.id))
    yes, no = _("是"), _("否")
    via = {"camera": _("扫码"), "link": _("相机链接"), "manual": _("手动")}
    checked = {True: _("检查：全部正常"), False: _("检查：有异常"), None: _("检查")}

    def rows():
        for scan, route_name, all_ok in db.session.execute(query):
            method = checked[all_ok] if scan.via == VIA_CHECKLIST else via.get(scan.via, scan.via)
            place = scan.place
            yield [_local(scan.device_time, tz), site.name, place.code, place.name,
                   place.building.name if place.building else "", yes if place.is_key_area else no,
                   scan.user.staff_no, scan.user.name, method, route_name or "",
                   yes if scan.off_route else no, yes if scan.tag_retired else no,
                   "" if scan.clock_skew_seconds is None else round(scan.clock_skew_seconds),
                   yes if scan.skew_flagged else no, _local(scan.received_at, tz), scan.note, scan.client_uuid]

    return header, rows()


def inspections_rows(site: Site, first: date, last: date):
    """The header and rows of inspections.csv: one row per inspection, its exception items listed."""
    tz = ZoneInfo(site.timezone)
    start, end = rules.local_midnight(first, tz), rules.local_midnight(last + timedelta(days=1), tz)
    header = [_("时间"), _("小区"), _("巡更点编号"), _("巡更点"), _("工号"), _("人员"), _("结果"), _("严重程度"),
              _("异常项"), _("备注"), _("更正记录"), _("更正原因"), _("记录编号")]
    query = (select(Inspection).options(selectinload(Inspection.answers))
             .where(Inspection.site_id == site.id, Inspection.device_time >= start, Inspection.device_time < end)
             .order_by(Inspection.device_time, Inspection.id))

    def answer_text(answer) -> str:
        text = answer.item.label
        if answer.reading is not None:
            text += f" {answer.reading:g}{answer.item.unit}"
        return text + (f"（{answer.note}）" if answer.note else "")

    def rows():
        for insp in db.session.scalars(query):
            bad = "；".join(answer_text(a) for a in insp.answers if not a.ok)
            yield [_local(insp.device_time, tz), site.name, insp.place.code, insp.place.name, insp.user.staff_no,
                   insp.user.name, _("正常") if insp.all_ok else _("异常"), str(SEVERITIES.get(insp.severity, "")),
                   bad, insp.note, insp.corrects_id or "", insp.correction_reason, insp.client_uuid]

    return header, rows()
