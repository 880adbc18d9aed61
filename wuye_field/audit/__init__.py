"""Append-only records (H5): per-site hash chain, database triggers, retention, admin change log, and
the effective-dated settings the figures read (settings_history).

Generic: domains call `chain.append_records` and `chain.register_kind`; audit imports no domain.
"""
from wuye_field.audit import models, settings_history, triggers  # noqa: F401  (Alembic sees the tables; triggers attach)
