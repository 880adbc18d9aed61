"""A site-month of defects and inspection findings: raised in the month (device time), resolved (a
DefectResolution, either outcome), still open, and the median hours from raise to resolution. A defect
linked to an inspection (`inspection_id`) is an inspection finding (P5); the others are defects."""
from __future__ import annotations

import statistics
from datetime import datetime

from sqlalchemy import select

from wuye_field.core.time import as_utc
from wuye_field.defects.models import Defect, DefectResolution
from wuye_field.extensions import db


def _figures(pairs: list[tuple[datetime, datetime | None]]) -> dict:
    hours = [(as_utc(done) - as_utc(raised)).total_seconds() / 3600 for raised, done in pairs if done is not None]
    return {"raised": len(pairs), "resolved": len(hours), "open": len(pairs) - len(hours),
            "median_hours": round(statistics.median(hours), 1) if hours else None}


def month_figures(site_id: int, start: datetime, end: datetime) -> dict:
    """{"defects": …, "findings": …} for defects raised in `[start, end)` (UTC), JSON-able."""
    rows = db.session.execute(
        select(Defect.device_time, Defect.inspection_id, DefectResolution.device_time)
        .outerjoin(DefectResolution, DefectResolution.defect_id == Defect.id)
        .where(Defect.site_id == site_id, Defect.device_time >= start, Defect.device_time < end)).all()
    return {"defects": _figures([(r, d) for r, insp, d in rows if insp is None]),
            "findings": _figures([(r, d) for r, insp, d in rows if insp is not None])}
