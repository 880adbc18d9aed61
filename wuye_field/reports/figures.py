"""The figures of one site-month, per duty, as one JSON-able dict: each domain computes its own part
(`<domain>.month`), this module only puts them side by side. The month page, `wuye report --json` and
the month close all read this one dict, so they show the same numbers."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from wuye_field.cleaning import month as cleaning
from wuye_field.core.months import month_days
from wuye_field.defects import month as defects
from wuye_field.handover import month as handover
from wuye_field.patrol import compliance
from wuye_field.patrol import month as patrol
from wuye_field.places.models import Site
from wuye_field.workorders import month as workorders


def month_bounds(site: Site, month: str) -> tuple[date, date, datetime, datetime]:
    """(first local day, last local day, start UTC, end UTC) of a site's month."""
    first, last = month_days(month)
    tz = ZoneInfo(site.timezone)
    return first, last, compliance.local_midnight(first, tz), compliance.local_midnight(last + timedelta(days=1), tz)


def month_figures(site: Site, month: str, *, now: datetime) -> dict:
    """Every duty's figures of `month` for `site`, computed now from the records."""
    first, last, start, end = month_bounds(site, month)
    found = defects.month_figures(site.id, start, end)
    return {
        "site": site.code, "month": month, "computed_at": now.isoformat(),
        "patrol": patrol.month_figures(site, first, last, now=now),
        "cleaning": cleaning.month_figures(site, first, last, now=now),
        "workorders": workorders.month_figures(site, month, start, end, now=now),
        "handover": handover.month_figures(site, first, last, now=now),
        "defects": found["defects"], "findings": found["findings"],
    }
