"""Defects: problems staff report at a place (with photos) and their resolution; the photo pipeline."""
from wuye_field.defects import models  # noqa: F401  (registers tables for Alembic)
