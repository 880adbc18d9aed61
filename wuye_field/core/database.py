"""Database engine tuning: SQLite gets WAL, a busy timeout and `BEGIN IMMEDIATE` writes."""
from __future__ import annotations

from flask import current_app, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine


def configure_sqlite(engine: Engine) -> None:
    """Make SQLite safe for several threads and processes writing at once.

    pysqlite's own transaction handling starts a deferred transaction lazily, so two writers can both
    read and then fail with "database is locked" on upgrade. We take over: a transaction that may write
    starts with BEGIN IMMEDIATE, so a second writer waits (busy_timeout) instead of failing. Requests
    that only read (GET/HEAD/OPTIONS) begin deferred, so in WAL mode they never wait for a writer.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout = 30000")
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN" if _read_only_request() else "BEGIN IMMEDIATE")


def writes_on_get(view):
    """Mark a GET view that writes (a resident-data access-log row): on SQLite its transaction begins with
    `BEGIN IMMEDIATE`, so the write waits its turn (busy_timeout) instead of failing with "database is
    locked" when a read transaction cannot be upgraded because another request wrote meanwhile."""
    view.writes_on_get = True
    return view


def _read_only_request() -> bool:
    if not has_request_context() or request.method not in ("GET", "HEAD", "OPTIONS"):
        return False
    view = current_app.view_functions.get(request.endpoint or "")
    return not getattr(view, "writes_on_get", False)
