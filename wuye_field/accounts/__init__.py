"""Accounts: users, roles per site, login and sessions that can be ended server-side."""
from wuye_field.accounts import models  # noqa: F401  (registers tables for Alembic)
