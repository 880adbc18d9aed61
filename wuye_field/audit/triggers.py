"""Database-enforced append-only record tables (H5, R27) and the retention path.

`make_append_only(tables)` installs, on SQLite and PostgreSQL, triggers that refuse every UPDATE and
DELETE (and, on PostgreSQL, TRUNCATE) of the given tables. The one way to delete is `purge_expired`:
it opens a gate for one site and one cutoff, and the triggers themselves check that the cutoff lies at
least three years back, so the gate can never open younger records.

A migration that adds record tables installs their triggers with a frozen list::

    def upgrade():
        make_append_only({"scan": "received_at", ...}, bind=op.get_bind())

Tables are given as names (timestamp column `received_at`, the FieldRecord default) or as a mapping
{table: timestamp column}. Every table needs a `site_id` column for the retention path.

Personal fields kept on a record (the phone's position on a scan) are erased after the site's personal-data
retention without deleting the record: a table registered with `erasable` columns lets one UPDATE through,
`erase_columns`, which sets exactly those columns to NULL on the rows of one site older than a cutoff at
least 30 days back, through a gate like the retention path's; every other change stays refused. The
erasable columns must not be part of the record's chained content.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import Table, event, text
from sqlalchemy.engine import Connection

from wuye_field.audit.models import (AdminChange, ChainEntry, DEFAULT_RETENTION_YEARS, ErasureGate, RetentionGate,
                                     SiteRetention)
from wuye_field.core.time import as_utc
from wuye_field.extensions import db

PREFIX = "wuye_ao_"
MIN_RETENTION_YEARS = DEFAULT_RETENTION_YEARS
MIN_ERASURE_DAYS = 30  # personal fields are never erased younger than this (the settings' own minimum)
_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")

# Record tables register themselves next to their models (`register_append_only`, so `create_all` installs
# their triggers too): table → the column that dates its rows. Migrations freeze their own lists.
_REGISTERED: dict[str, str] = {}
_ERASABLE: dict[str, tuple[str, ...]] = {}  # table → columns `erase_columns` may blank

# Registered but left alone by the retention job: `cleaning_spot_check_item` has no site_id column (the
# retention path needs one), so spot checks and the re-cleans pointing at their items stay; work orders are
# kept with their whole history (the order row is not a record table), so their events and the resident
# access log stay until orders get a retention rule of their own. (`photo` and `idempotency_key` are not
# record tables: a photo takes its site when a record names it, a key is completed in place.)
_NOT_PURGED = ("cleaning_spot_check_item", "cleaning_spot_check", "cleaning_reclean", "order_event",
               "resident_access")


def record_tables() -> dict[str, str]:
    """Every registered record table → its dating column, children before parents (the delete order)."""
    order = [t.name for t in reversed(db.metadata.sorted_tables)]
    return {name: _REGISTERED[name] for name in order if name in _REGISTERED}


def purgeable_tables() -> dict[str, str]:
    """The record tables the retention job deletes from, in delete order."""
    return {t: c for t, c in record_tables().items() if t not in _NOT_PURGED}


_SQLITE_FLOOR = "strftime('%Y-%m-%d %H:%M:%f', 'now', '-{years} years')"

PG_FUNCTIONS = [
    f"""
CREATE OR REPLACE FUNCTION wuye_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  cutoff timestamptz := nullif(current_setting('wuye.retention_cutoff', true), '')::timestamptz;
BEGIN
  IF TG_OP = 'DELETE' AND cutoff IS NOT NULL
     AND cutoff <= clock_timestamp() - interval '{MIN_RETENTION_YEARS} years'
     AND (to_jsonb(OLD) ->> 'site_id') = current_setting('wuye.retention_site', true)
     AND (to_jsonb(OLD) ->> TG_ARGV[0])::timestamptz < cutoff THEN
    RETURN OLD;  -- the retention path: an old row of the gated site
  END IF;
  RAISE EXCEPTION USING ERRCODE = '42501',  -- no percent sign anywhere: drivers read it as a placeholder
    MESSAGE = 'wuye: ' || TG_OP || ' on ' || TG_TABLE_NAME || ' refused: records are append-only (H5)';
END
$fn$""",
    f"""
CREATE OR REPLACE FUNCTION wuye_append_only_erasable() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  cutoff timestamptz := nullif(current_setting('wuye.retention_cutoff', true), '')::timestamptz;
  erase_cutoff timestamptz := nullif(current_setting('wuye.erase_cutoff', true), '')::timestamptz;
  old_rest jsonb := to_jsonb(OLD);
  new_rest jsonb;
  i int;
BEGIN
  IF TG_OP = 'UPDATE' AND erase_cutoff IS NOT NULL
     AND erase_cutoff <= clock_timestamp() - interval '{MIN_ERASURE_DAYS} days'
     AND (old_rest ->> 'site_id') = current_setting('wuye.erase_site', true)
     AND (old_rest ->> TG_ARGV[0])::timestamptz < erase_cutoff THEN
    new_rest := to_jsonb(NEW);
    FOR i IN 1 .. TG_NARGS - 1 LOOP
      IF new_rest -> TG_ARGV[i] <> 'null'::jsonb THEN
        RAISE EXCEPTION USING ERRCODE = '42501',
          MESSAGE = 'wuye: UPDATE on ' || TG_TABLE_NAME || ' refused: erasure only blanks its personal fields';
      END IF;
      old_rest := old_rest - TG_ARGV[i];
      new_rest := new_rest - TG_ARGV[i];
    END LOOP;
    IF old_rest = new_rest THEN
      RETURN NEW;  -- the erasure path: only the personal fields of an old row of the gated site, blanked
    END IF;
  END IF;
  IF TG_OP = 'DELETE' AND cutoff IS NOT NULL
     AND cutoff <= clock_timestamp() - interval '{MIN_RETENTION_YEARS} years'
     AND (to_jsonb(OLD) ->> 'site_id') = current_setting('wuye.retention_site', true)
     AND (to_jsonb(OLD) ->> TG_ARGV[0])::timestamptz < cutoff THEN
    RETURN OLD;  -- the retention path: an old row of the gated site
  END IF;
  RAISE EXCEPTION USING ERRCODE = '42501',
    MESSAGE = 'wuye: ' || TG_OP || ' on ' || TG_TABLE_NAME || ' refused: records are append-only (H5)';
END
$fn$""",
    """
CREATE OR REPLACE FUNCTION wuye_append_only_truncate() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION USING ERRCODE = '42501',
    MESSAGE = 'wuye: TRUNCATE on ' || TG_TABLE_NAME || ' refused: records are append-only (H5)';
END
$fn$""",
]


def _tables(tables: Iterable[str] | Mapping[str, str]) -> dict[str, str]:
    spec = dict(tables) if isinstance(tables, Mapping) else {name: "received_at" for name in tables}
    for name, column in spec.items():
        if not (_NAME.match(name) and _NAME.match(column)):
            raise ValueError(f"not a plain table/column name: {name}.{column}")
    return spec


def _sqlite_erasure_guard(table: str, time_column: str, erasable: Sequence[str], columns: Sequence[str]) -> str:
    """SQLite: the WHEN of the UPDATE trigger of a table with erasable columns — refuse unless the erasure
    gate is open for this old row, the erasable columns become NULL and every other column stays."""
    floor = f"strftime('%Y-%m-%d %H:%M:%f', 'now', '-{MIN_ERASURE_DAYS} days')"
    kept = [f'NEW."{c}" IS OLD."{c}"' for c in columns if c not in erasable]
    blanked = [f'NEW."{c}" IS NULL' for c in erasable]
    return (f"WHEN NOT (EXISTS (SELECT 1 FROM audit_erasure_gate g WHERE g.site_id = OLD.site_id "
            f'AND OLD."{time_column}" < g.cutoff AND g.cutoff <= {floor}) AND ' + " AND ".join(blanked + kept) + ") ")


def append_only_ddl(dialect: str, table: str, time_column: str = "received_at", *, erasable: Sequence[str] = (),
                    columns: Sequence[str] = ()) -> list[str]:
    """The statements that make `table` append-only on `dialect` ("sqlite" or "postgresql"). With
    `erasable` columns, one UPDATE passes: `erase_columns` blanking them (SQLite needs the table's
    `columns` to check that nothing else changes)."""
    _tables({table: time_column, **{c: c for c in erasable}, **{c: c for c in columns}})
    message = f"wuye: %s on {table} refused: records are append-only (H5)"
    if dialect == "sqlite":
        floor = _SQLITE_FLOOR.format(years=MIN_RETENTION_YEARS)
        guard = _sqlite_erasure_guard(table, time_column, erasable, columns) if erasable else ""
        return [
            f'CREATE TRIGGER IF NOT EXISTS {PREFIX}{table}_update BEFORE UPDATE ON "{table}" {guard}'
            f"BEGIN SELECT RAISE(ABORT, '{message % 'UPDATE'}'); END",
            f'CREATE TRIGGER IF NOT EXISTS {PREFIX}{table}_delete BEFORE DELETE ON "{table}" '
            f"WHEN NOT EXISTS (SELECT 1 FROM audit_retention_gate g WHERE g.site_id = OLD.site_id "
            f'AND OLD."{time_column}" < g.cutoff AND g.cutoff <= {floor}) '
            f"BEGIN SELECT RAISE(ABORT, '{message % 'DELETE'}'); END",
        ]
    if dialect == "postgresql":
        function = "wuye_append_only_erasable" if erasable else "wuye_append_only"
        arguments = ", ".join(f"'{name}'" for name in (time_column, *erasable))
        return [
            f'DROP TRIGGER IF EXISTS {PREFIX}{table} ON "{table}"',
            f'CREATE TRIGGER {PREFIX}{table} BEFORE UPDATE OR DELETE ON "{table}" '
            f"FOR EACH ROW EXECUTE FUNCTION {function}({arguments})",
            f'DROP TRIGGER IF EXISTS {PREFIX}{table}_truncate ON "{table}"',
            f'CREATE TRIGGER {PREFIX}{table}_truncate BEFORE TRUNCATE ON "{table}" '
            f"FOR EACH STATEMENT EXECUTE FUNCTION wuye_append_only_truncate()",
        ]
    raise ValueError(f"append-only triggers are not written for {dialect}")


def drop_ddl(dialect: str, table: str) -> list[str]:
    """The statements that remove `table`'s append-only triggers (for a reviewed migration only)."""
    if dialect == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {PREFIX}{table}_update", f"DROP TRIGGER IF EXISTS {PREFIX}{table}_delete"]
    return [f'DROP TRIGGER IF EXISTS {PREFIX}{table} ON "{table}"',
            f'DROP TRIGGER IF EXISTS {PREFIX}{table}_truncate ON "{table}"']


def make_append_only(tables: Iterable[str] | Mapping[str, str], bind: Connection | None = None,
                     erasable: Mapping[str, Sequence[str]] | None = None) -> None:
    """Install the append-only triggers on `tables` (names, or {name: timestamp column}); idempotent.

    `bind` is a connection (Alembic: `op.get_bind()`); default: the current session's connection.
    `erasable`: {table: columns `erase_columns` may blank} (a migration freezes it like the table list).
    On SQLite a table's update trigger is replaced (its erasure guard names the table's columns as they are).
    """
    connection = bind if bind is not None else db.session.connection()
    dialect = connection.dialect.name
    erasable = erasable or {}
    if dialect == "postgresql":
        for statement in PG_FUNCTIONS:
            connection.exec_driver_sql(statement)
    for table, column in _tables(tables).items():
        columns: list[str] = []
        if dialect == "sqlite" and erasable.get(table):
            columns = [row[1] for row in connection.exec_driver_sql(f'PRAGMA table_info("{table}")')]
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {PREFIX}{table}_update")
        for statement in append_only_ddl(dialect, table, column, erasable=erasable.get(table, ()), columns=columns):
            connection.exec_driver_sql(statement)


def drop_append_only(tables: Iterable[str] | Mapping[str, str], bind: Connection | None = None) -> None:
    """Remove the append-only triggers of `tables` (tests and reviewed migrations only)."""
    connection = bind if bind is not None else db.session.connection()
    for table in _tables(tables):
        for statement in drop_ddl(connection.dialect.name, table):
            connection.exec_driver_sql(statement)


def register_append_only(table: Table, time_column: str = "received_at", *, erasable: Sequence[str] = ()) -> None:
    """Have `create_all` (tests, the embedded SQLite start) install `table`'s triggers right after it.
    `erasable`: personal columns `erase_columns` may blank after the site's retention (never chained ones)."""

    _REGISTERED[table.name] = time_column
    if erasable:
        _ERASABLE[table.name] = tuple(erasable)

    @event.listens_for(table, "after_create")
    def _install(target, connection, **_kw):
        make_append_only({target.name: time_column}, bind=connection, erasable={target.name: tuple(erasable)})


def erasable_columns() -> dict[str, tuple[str, ...]]:
    """Every registered table with erasable columns → those columns."""
    return dict(_ERASABLE)


@contextmanager
def suspended(connection: Connection) -> Iterator[None]:
    """Lift the append-only triggers for the current transaction (test clean-up only).

    PostgreSQL: `SET LOCAL session_replication_role = replica`, which only a superuser may set (the
    app's role cannot). SQLite: the triggers are dropped and re-created from their stored SQL.
    """
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
        yield
        connection.exec_driver_sql("SET LOCAL session_replication_role = origin")
        return
    saved = list(connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE ?", (PREFIX + "%",)))
    for name, _sql in saved:
        connection.exec_driver_sql(f'DROP TRIGGER IF EXISTS "{name}"')
    try:
        yield
    finally:
        for _name, sql in saved:
            connection.exec_driver_sql(sql)


# ---------------------------------------------------------------- retention


def retention_years(site_id: int) -> int:
    """The site's retention in years (default and minimum: three)."""
    setting = db.session.get(SiteRetention, site_id)
    return max(MIN_RETENTION_YEARS, setting.years if setting else DEFAULT_RETENTION_YEARS)


def retention_cutoff(now: datetime, years: int) -> datetime:
    """Rows dated before this are past retention (`years` calendar years, Feb 29 → Feb 28)."""
    now = as_utc(now)
    try:
        return now.replace(year=now.year - years)
    except ValueError:
        return (now - timedelta(days=1)).replace(year=now.year - years)


def purge_expired(site_id: int, tables: Mapping[str, str], *, now: datetime) -> dict[str, int]:
    """Delete the site's rows of `tables` ({table: timestamp column}, children first) dated before the
    site's retention cutoff; return {table: rows deleted}. Flushes; the caller commits.

    The database triggers re-check each row (same site, older than the cutoff, cutoff ≥ 3 years back):
    a wrong cutoff fails loudly instead of deleting young records.
    """
    cutoff = retention_cutoff(now, retention_years(site_id))
    connection = db.session.connection()
    spec = _tables(tables)
    deleted = {}
    with _gate_open(connection, "retention", RetentionGate, site_id, cutoff):
        for table, column in spec.items():
            result = connection.execute(text(f'DELETE FROM "{table}" WHERE site_id = :site AND "{column}" < :cutoff'),
                                        {"site": site_id, "cutoff": cutoff})
            deleted[table] = result.rowcount
    return deleted


@contextmanager
def _gate_open(connection: Connection, name: str, gate_model, site_id: int, cutoff: datetime) -> Iterator[None]:
    """Let the triggers pass this transaction's deletions (`retention`) or erasures (`erase`) of one site's
    rows before `cutoff`: on PostgreSQL two transaction-local settings `wuye.<name>_site` / `_cutoff`, on
    SQLite a row of `gate_model` the triggers look up; closed again before anything else runs."""
    postgres = connection.dialect.name == "postgresql"
    if postgres:
        connection.execute(text(f"SELECT set_config('wuye.{name}_site', :site, true), "
                                f"set_config('wuye.{name}_cutoff', :cutoff, true)"),
                           {"site": str(site_id), "cutoff": cutoff.isoformat()})
    else:
        db.session.add(gate := gate_model(site_id=site_id, cutoff=cutoff))
        db.session.flush()
    yield
    if postgres:
        connection.execute(text(f"SELECT set_config('wuye.{name}_site', '', true), "
                                f"set_config('wuye.{name}_cutoff', '', true)"))
    else:
        db.session.delete(gate)
        db.session.flush()


# ---------------------------------------------------------------- erasure of personal fields


def erase_columns(site_id: int, table: str, columns: Sequence[str], cutoff: datetime) -> list[int]:
    """Set `columns` (registered as erasable on `table`) to NULL on the site's rows dated before `cutoff`
    that still hold any of them; return their ids. Flushes; the caller commits and records the erasure.

    The triggers re-check each row (same site, older than the cutoff, cutoff ≥ 30 days back, nothing else
    changed); an unregistered column is a programming error.
    """
    time_column = _REGISTERED.get(table)
    if time_column is None or not columns or not set(columns) <= set(_ERASABLE.get(table, ())):
        raise ValueError(f"{table}.{columns} are not registered as erasable")
    _tables({table: time_column, **{c: c for c in columns}})
    held = " OR ".join(f'"{c}" IS NOT NULL' for c in columns)
    connection = db.session.connection()
    cutoff = as_utc(cutoff)
    ids = [row[0] for row in connection.execute(text(
        f'SELECT id FROM "{table}" WHERE site_id = :site AND "{time_column}" < :cutoff AND ({held}) ORDER BY id'),
        {"site": site_id, "cutoff": cutoff})]
    if not ids:
        return []
    blank = ", ".join(f'"{c}" = NULL' for c in columns)
    with _gate_open(connection, "erase", ErasureGate, site_id, cutoff):
        connection.execute(text(f'UPDATE "{table}" SET {blank} WHERE site_id = :site AND "{time_column}" < :cutoff '
                                f"AND ({held})"), {"site": site_id, "cutoff": cutoff})
    return ids


register_append_only(ChainEntry.__table__, "created_at")
register_append_only(AdminChange.__table__, "created_at")
