"""A site-month of work orders as JSON-able figures (the monthly page's numbers, `reports.site_month`),
and orders by the state of their completion clock (for the supervisor's chart)."""
from __future__ import annotations

from collections import Counter
from datetime import datetime

from wuye_field.places.models import Site
from wuye_field.workorders import sla
from wuye_field.workorders.reports import Share, order_facts, site_month

CLOCK_STATES = (sla.OK, sla.AMBER, sla.RED, sla.MET, sla.MISSED, sla.CANCELLED)


def _share(share: Share) -> dict:
    return {"hits": share.hits, "total": share.total, "percent": share.percent}


def month_figures(site: Site, month: str, start: datetime, end: datetime, *, now: datetime) -> dict:
    """The work-order part of a site-month: orders raised in `[start, end)` (UTC) and their clocks."""
    report = site_month(site, month, start, end, now=now)
    return {"raised": report.raised, "cancelled": report.cancelled,
            "emergency_on_site": _share(report.emergency_on_site),
            "finished_in_time": {p: _share(s) for p, s in report.finished_in_time.items()},
            "priority_labels": dict(report.by_priority_label),
            "avg_response_minutes": report.avg_response_minutes,
            "avg_completion_minutes": report.avg_completion_minutes,
            "return_visits": _share(report.return_visits), "return_visit_target": report.return_visit_target,
            "satisfaction": _share(report.satisfaction), "reopens": _share(report.reopens),
            "clock_states": clock_states(site.id, start, end, now=now)}


def clock_states(site_id: int, start: datetime, end: datetime, *, now: datetime) -> dict[str, int]:
    """Orders raised in `[start, end)` by their completion clock now: ok / amber / red while running,
    met / missed when stopped, cancelled."""
    counts = Counter(sla.clocks(fact, now).finish.state for fact in order_facts(site_id, start, end))
    return {state: counts[state] for state in CLOCK_STATES}


