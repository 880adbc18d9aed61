"""Photos: upload, processing (with the decode budget), storage, the links records hold, the orphan sweep.

Defects, patrol, cleaning, handover and work orders link their records' photos through `photos.services`.
"""
from wuye_field.photos import models  # noqa: F401  (registers tables for Alembic)
