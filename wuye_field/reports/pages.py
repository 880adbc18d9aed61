"""What the month page and the home card show: the month's figures (`close.month_report`) with the
charts drawn from them, and the last 30 days per duty. Reads only."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from wuye_field.accounts.models import User
from wuye_field.cleaning import month as cleaning
from wuye_field.core import charts
from wuye_field.core.months import site_today
from wuye_field.handover import month as handover
from wuye_field.patrol import compliance
from wuye_field.patrol import month as patrol
from wuye_field.patrol.supervision import state_label
from wuye_field.places.models import Site
from wuye_field.places.services import get_site, sites_for
from wuye_field.workorders import month as workorders

READERS = ("supervisor", "admin", "inspector")  # the inspector reads, never closes
TREND_DAYS = 30
STATE_CSS = {compliance.ON_TIME: "chart-ok", compliance.MADE_UP: "chart-late", compliance.LATE: "chart-late",
             compliance.OVERDUE: "chart-missed", compliance.MISSED: "chart-missed", compliance.OPEN: "chart-open",
             compliance.UPCOMING: "chart-idle"}
CLOCK_LABELS = {"ok": _l("进行中"), "amber": _l("即将超时"), "red": _l("已超时"), "met": _l("按时完成"),
                "missed": _l("超时完成"), "cancelled": _l("已取消")}
CLOCK_CSS = {"ok": "chart-open", "amber": "chart-late", "red": "chart-missed", "met": "chart-ok",
             "missed": "chart-missed", "cancelled": "chart-idle"}


def readable_sites(user: User) -> list[Site]:
    return sites_for(user, *READERS)


def readable_site(user: User, site_id: int | None) -> Site:
    """The site asked for (the first readable one when None); NotFound for any other."""
    sites = readable_sites(user)
    if site_id is None and sites:
        return sites[0]
    return get_site(user, site_id or 0, *READERS)


def clock_chart(states: dict[str, int], href: str | None) -> Markup:
    items = [(str(CLOCK_LABELS[s]), n, CLOCK_CSS[s]) for s, n in states.items()]
    return charts.bars(items, _("工单按完成时限状态"), href)


def month_charts(site: Site, report: dict) -> dict[str, Markup]:
    """The month page's charts: per duty the month's days as a trend, work orders by clock state."""
    month = report["month"]

    def trend(days: dict, key: str, title: str, anchor: str, target: float | None = None) -> Markup:
        points = [(day[5:], figures.get(key)) for day, figures in sorted(days.items())]
        return charts.trend(points, title, f"#{anchor}", target)

    return {
        "patrol": trend(report["patrol"]["days"], "share", _("%(m)s 巡查按时率（每天）", m=month), "patrol"),
        "cleaning": trend(report["cleaning"]["days"], "share", _("%(m)s 保洁按时率（每天）", m=month), "cleaning"),
        "handover": trend(report["handover"]["days"], "punctuality", _("%(m)s 交接班准时率（每天）", m=month),
                          "handover"),
        "workorders": clock_chart(report["workorders"]["clock_states"], "#workorders"),
    }


def home_card(site: Site, *, now: datetime) -> dict:
    """The supervisor's home: the last 30 days per duty, today's key-area strip, work orders by clock."""
    last = site_today(site.timezone, now)
    first = last - timedelta(days=TREND_DAYS - 1)
    month_url = url_for("reports.month", site=site.id)

    def trend(shares, title: str, anchor: str) -> Markup:
        return charts.trend([(d.strftime("%m-%d"), v) for d, v in shares], title, f"{month_url}#{anchor}")

    strip_rows = [(place.name, [(w.label, state_label(s), STATE_CSS[s]) for w, s in cells])
                  for place, cells in patrol.today_strip(site, now=now)]
    start = compliance.local_midnight(first, ZoneInfo(site.timezone))
    return {
        "site": site, "month_url": month_url,
        "patrol": trend(patrol.day_shares(site, first, last, now=now), _("近30天巡查按时率"), "patrol"),
        "cleaning": trend(cleaning.day_shares(site, first, last, now=now), _("近30天保洁按时率"), "cleaning"),
        "handover": trend(handover.day_shares(site, first, last, now=now), _("近30天交接班准时率"), "handover"),
        "strip": charts.strip(strip_rows, _("今天各重要部位巡查时段"), url_for("patrol.grid", site=site.id)),
        "workorders": clock_chart(workorders.clock_states(site.id, start, now, now=now),
                                  url_for("workorders.report", site=site.id)),
    }
