"""Append-only records (H5): per-site hash chain, database triggers, retention, admin change log.

Generic: domains call `chain.append_records` and `chain.register_kind`; audit imports no domain.
"""
from wuye_field.audit import models, triggers  # noqa: F401  (Alembic sees the tables; triggers attach)
