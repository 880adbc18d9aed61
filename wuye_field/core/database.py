"""Database engine tuning: SQLite gets WAL, a busy timeout and `BEGIN IMMEDIATE` writes; field actions read
before they take the write lock; a batch replay runs its actions in one shared transaction."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app, g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

from wuye_field.extensions import db

_DEFERRED = "wuye_deferred_begin"  # connection.info: this transaction began without the write lock
_SHARED = "wuye_shared_transaction"  # g: the request runs inside a transaction its caller commits


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
        deferred = _read_only_request()
        connection.info[_DEFERRED] = deferred
        connection.exec_driver_sql("BEGIN" if deferred else "BEGIN IMMEDIATE")


def reads_first(view):
    """Mark a POST view that reads (the user, its roles, what it checks) before it writes: on SQLite its
    transaction begins without the write lock, and the view calls `begin_writing()` before its first write,
    so the lock is held only for the writes (issue 13). Field actions (`@idempotent_action`) are marked."""
    view.reads_first = True
    return view


def begin_writing() -> None:
    """From here on the request writes. On SQLite a transaction begun without the write lock (a
    `reads_first` view's reads) is ended and `BEGIN IMMEDIATE` taken: upgrading a read transaction in
    place fails at once ("database is locked") when another request wrote meanwhile, waiting for the lock
    does not. What was read stays loaded in the session. PostgreSQL needs nothing: rows are locked where
    they are written."""
    if not has_request_context() or g.get("wuye_writing"):
        return
    g.wuye_writing = True
    if db.session.get_bind().dialect.name != "sqlite" or not db.session().in_transaction():
        return
    connection = db.session.connection()
    if connection.info.pop(_DEFERRED, False):
        connection.exec_driver_sql("COMMIT")
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def shared_transaction() -> bool:
    """True while the request runs inside a transaction its caller owns (an action of a batch replay):
    it neither commits nor rolls back the session; its work lives in its own savepoint."""
    return has_request_context() and bool(g.get(_SHARED))


def share_transaction(on: bool) -> None:
    """Mark (or unmark) the current request as running inside its caller's transaction (sync.batch)."""
    if on:
        g.setdefault(_SHARED, True)
    else:
        g.pop(_SHARED, None)


@dataclass(frozen=True)
class Deferral:
    """Work a generic package puts off to the end of a shared transaction (audit.chain: linking records):
    `start()` begins deferring, `mark()` / `restore(marked)` follow each action's savepoint (restore after
    a rollback), `finish()` does the work just before the commit and stops deferring."""

    start: Callable[[], None]
    mark: Callable[[], object]
    restore: Callable[[object], None]
    finish: Callable[[], object]


_DEFERRALS: dict[str, Deferral] = {}


def register_deferral(name: str, deferral: Deferral) -> None:
    """Register (or replace) the deferral `name`; a shared transaction (sync.batch) runs every one."""
    _DEFERRALS[name] = deferral


def start_deferred() -> None:
    for deferral in _DEFERRALS.values():
        deferral.start()


def mark_deferred() -> dict[str, object]:
    return {name: deferral.mark() for name, deferral in _DEFERRALS.items()}


def restore_deferred(marked: dict[str, object]) -> None:
    for name, value in marked.items():
        _DEFERRALS[name].restore(value)


def finish_deferred() -> None:
    for deferral in _DEFERRALS.values():
        deferral.finish()


def rollback_request() -> None:
    """Roll back the request's work after an error: the session, unless the request runs in a shared
    transaction (its own savepoint was already rolled back; the caller's transaction goes on)."""
    if not shared_transaction():
        db.session.rollback()


def writes_on_get(view):
    """Mark a GET view that writes (a resident-data access-log row): on SQLite its transaction begins with
    `BEGIN IMMEDIATE`, so the write waits its turn (busy_timeout) instead of failing with "database is
    locked" when a read transaction cannot be upgraded because another request wrote meanwhile."""
    view.writes_on_get = True
    return view


def _read_only_request() -> bool:
    if not has_request_context():
        return False
    view = current_app.view_functions.get(request.endpoint or "")
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        return getattr(view, "reads_first", False) and not g.get("wuye_writing")
    return not getattr(view, "writes_on_get", False)
