"""A site-month of cleaning: due / on time / late / missed per area and per cleaner, counted from the
same occurrences as /export/cleaning.csv (one row each; its 「责任人」 column names whom an occurrence
counts for: who did it, or every cleaner of the area when nobody did — `reports._charged`)."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from wuye_field.cleaning import rules
from wuye_field.cleaning.reports import Row, _charged, report_rows
from wuye_field.cleaning.setup import assignees_by_area
from wuye_field.places.models import Site


def _blank() -> dict:
    return {"due": 0, "on_time": 0, "late": 0, "missed": 0, "open": 0}


def _add(tally: dict, status: str) -> None:
    tally["due"] += 1
    key = status if status in (rules.ON_TIME, rules.LATE, rules.MISSED) else "open"
    tally[key] += 1


def _finish(tally: dict) -> dict:
    decided = tally["due"] - tally["open"]
    return {**tally, "share": round(tally["on_time"] / decided, 4) if decided else None}


def figures_of(site: Site, rows: list[Row]) -> dict:
    """Totals, per area (code), per cleaner (name) and per day of report rows."""
    assignees = assignees_by_area(site.id)
    total, areas, cleaners, days = _blank(), defaultdict(_blank), defaultdict(_blank), defaultdict(_blank)
    names = {}
    for row in rows:
        _add(total, row.status)
        _add(areas[row.task.place.code], row.status)
        names[row.task.place.code] = row.task.place.name
        _add(days[row.day.isoformat()], row.status)
        for person in _charged(row, assignees):
            _add(cleaners[person], row.status)
    return {"total": _finish(total),
            "areas": [{"code": c, "name": names[c], **_finish(t)} for c, t in sorted(areas.items())],
            "cleaners": [{"name": n, **_finish(t)} for n, t in sorted(cleaners.items())],
            "days": {d: _finish(t) for d, t in sorted(days.items())}}


def month_figures(site: Site, first: date, last: date, *, now: datetime) -> dict:
    """The cleaning part of a site-month (JSON-able)."""
    return figures_of(site, report_rows(site, first, last, now=now))


def day_shares(site: Site, first: date, last: date, *, now: datetime) -> list[tuple[date, float | None]]:
    """On-time share of decided occurrences per local day (for a trend chart)."""
    days = month_figures(site, first, last, now=now)["days"]
    return [(d, (days.get(d.isoformat()) or {}).get("share"))
            for d in (first + timedelta(days=i) for i in range((last - first).days + 1))]
