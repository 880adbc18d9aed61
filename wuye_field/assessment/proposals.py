"""Deductions proposed from the month's field data (placeholder until the rules land: none)."""
from __future__ import annotations

from datetime import datetime

from wuye_field.assessment.inputs import Proposal
from wuye_field.places.models import Site


def propose(site: Site, month: str, *, now: datetime) -> list[Proposal]:
    """The month's proposed deductions, each with its evidence."""
    return []
