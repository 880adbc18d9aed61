"""PostgreSQL: the role the app connects as may read and add records but never change or delete them.

The triggers refuse UPDATE/DELETE on record tables for everybody; this takes the rights away as well,
so that even a dropped trigger does not open the tables to the app (H5). The retention job
(`wuye purge-expired`) and migrations run as the owner role, not as this one.

    flask --app app wuye grant-app-role wuye_app      # as the owner, after `flask db upgrade`
    DATABASE_URL=postgresql://wuye_app:…@host/wuye    # what the app server then uses
"""
from __future__ import annotations

import re

from sqlalchemy import text
from sqlalchemy.engine import Connection

from wuye_field.audit.triggers import record_tables

_ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def grant_app_role(connection: Connection, role: str) -> list[str]:
    """Give the existing role `role` what the app needs: all rights on configuration and working tables,
    SELECT and INSERT only on record tables; sequences usable. Returns the record tables restricted.
    Raises ValueError for a role name that is not a plain identifier or a database that is not PostgreSQL."""
    if connection.dialect.name != "postgresql":
        raise ValueError("app roles exist on PostgreSQL only")
    if not _ROLE.match(role):
        raise ValueError(f"not a plain role name: {role!r}")
    restricted = [name for name in record_tables() if _table_exists(connection, name)]
    statements = [
        f'GRANT USAGE ON SCHEMA public TO "{role}"',
        f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{role}"',
        f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{role}"',
        *(f'REVOKE UPDATE, DELETE, TRUNCATE ON "{name}" FROM "{role}"' for name in restricted),
    ]
    for statement in statements:
        connection.execute(text(statement))
    return restricted


def _table_exists(connection: Connection, name: str) -> bool:
    return connection.execute(text("SELECT to_regclass(:name) IS NOT NULL"), {"name": f"public.{name}"}).scalar()
