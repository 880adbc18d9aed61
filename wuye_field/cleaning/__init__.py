"""Cleaning domain: area tasks by frequency (C1–C16), check-offs at the tag, spot checks."""
from wuye_field.cleaning import models  # noqa: F401  (registers tables for Alembic)
