"""Patrol domain: checkpoint scans (routes, rounds and inspections to come)."""
from wuye_field.patrol import models  # noqa: F401  (registers tables for Alembic)
