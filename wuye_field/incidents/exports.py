"""`/export/complaints.csv`: the complaints received in a site's days (a month by default), one row each, from
which every W5 figure of the month is counted again — received (rows), answered the same day (当日回复 = 是),
closed (办结时间 filled), handled effectively (住户评价 = 有效). A closed month returns the file frozen with it
(reports' FROZEN_EXPORTS). UTF-8 with BOM, site time (core/csv_export conventions). Who complained (a name,
a room, a phone) stays out of the file (H6): the reference and the id lead back to the complaint."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from wuye_field.core.csv_export import csv_text
from wuye_field.core.time import as_utc
from wuye_field.incidents import complaints
from wuye_field.incidents.models import COMPLAINT_CATEGORIES, COMPLAINT_CHANNELS, LINK_KINDS
from wuye_field.places.models import Site

EXPORTERS = ("desk", "supervisor", "admin")


def _local(value: datetime | None, tz: ZoneInfo) -> str:
    return as_utc(value).astimezone(tz).strftime("%Y-%m-%d %H:%M") if value else ""


def complaint_rows(site: Site, first: date, last: date) -> tuple[list[str], list[list]]:
    """(header, rows) of the complaints received from local day `first` to `last` (inclusive)."""
    tz = ZoneInfo(site.timezone)
    header = [_("编号"), _("查询编号"), _("收到时间"), _("方式"), _("类别"), _("内容"), _("负责人"),
              _("当日回复期限"), _("首次回复"), _("当日回复"), _("办结时间"), _("住户评价"), _("处理结果"), _("关联")]
    rows = []
    for c in complaints.received_in(site, first, last + timedelta(days=1)):
        verdict = "" if c.effective is None else (_("有效") if c.effective else _("无效"))
        link = f"{LINK_KINDS.get(c.link_kind, c.link_kind)} #{c.link_id}" if c.link_kind else ""
        rows.append([c.id, c.reference or "", _local(c.received_at, tz),
                     str(COMPLAINT_CHANNELS.get(c.channel, c.channel)),
                     str(COMPLAINT_CATEGORIES.get(c.category, c.category)), c.what,
                     c.owner.name if c.owner else _("待接手"), _local(c.answer_due, tz), _local(c.answered_at, tz),
                     _("是") if complaints.answered_in_time(c) else _("否"), _local(c.closed_at, tz), verdict, c.result,
                     link])
    return header, rows


def complaints_csv(site: Site, first: date, last: date) -> str:
    return csv_text(*complaint_rows(site, first, last))
