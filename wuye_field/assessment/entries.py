"""The inspector's round as append-only records (placeholder until the round lands: nothing decided)."""
from __future__ import annotations

from wuye_field.assessment.inputs import Decisions


def decisions(site_id: int, month: str) -> Decisions:
    """What people decided about a site-month, from the round's records."""
    return Decisions()
