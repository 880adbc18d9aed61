"""Defects domain: photos (and, later, findings)."""
from wuye_field.defects import models  # noqa: F401  (registers tables for Alembic)
