"""The month's survey summary (placeholder until the survey lands: no responses yet)."""
from __future__ import annotations

from wuye_field.survey.summary import SurveySummary


def month_survey(site_id: int, month: str) -> SurveySummary | None:
    """The survey summary of a site-month, or None when the site ran no survey that month."""
    return None
