"""Sync: the offline protocol's server side — idempotent field actions keyed by client UUID."""
from wuye_field.sync import models  # noqa: F401
