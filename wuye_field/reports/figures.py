"""The figures of one site-month, per duty, as one JSON-able dict: each domain computes its own part
(`<domain>.month`), this module only puts them side by side. The month page, `wuye report --json` and
the month close all read this one dict, so they show the same numbers."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from wuye_field.checks import board as checks
from wuye_field.cleaning import month as cleaning
from wuye_field.core.months import month_days
from wuye_field.defects import month as defects
from wuye_field.handover import month as handover
from wuye_field.incidents import complaints
from wuye_field.incidents.reports import major_in
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
        "checks": _checks(site, first, now),
        "complaints": _complaints(site, first, last),
        "major_incidents": [{"id": i.id, "at": i.device_time.isoformat()} for i in major_in(site.id, start, end)],
    }


def _checks(site: Site, first: date, now: datetime) -> dict:
    """P7/P11/W8: per plan the checks due, on time, late, missed; the lighting working rate; drills held."""
    month = checks.month_figures(site, first, now=now)
    plans = [{"plan": line.plan.name, "due": line.due, "on_time": line.on_time, "late": line.late,
              "missed": line.missed} for line in month.lines]
    return {"due": sum(p["due"] for p in plans), "on_time": sum(p["on_time"] for p in plans),
            "late": sum(p["late"] for p in plans), "missed": sum(p["missed"] for p in plans), "plans": plans,
            "lights": month.lights, "lights_working": month.lights_working,
            "lighting_target": month.lighting_target, "drills": len(month.drills)}


def _complaints(site: Site, first: date, last: date) -> dict:
    """W5: complaints received in the month, answered the same day, closed, handled effectively."""
    found = complaints.figures(site, first, last + timedelta(days=1))
    return {"total": found.total, "answered_same_day": found.answered_same_day, "closed": found.closed,
            "effective": found.effective, "target": found.target}
