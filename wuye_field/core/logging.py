"""The app's one logging set-up: lines an operator can trust, and the security events they watch for.

Every line carries the time (UTC), level, logger, and — inside a request — the request id, the signed-in
user's id and the site where one is known. Anything a user typed is written through `user_text()`:
control characters, CR/LF, escape sequences and direction overrides are escaped and long values cut, so
a login name can neither forge a log line nor drive the terminal of whoever tails the log. The formatter
escapes control characters in every message as well, as a second guard for a value logged without it.

Development and tests get one readable line per record on stdout; production (`WUYE_ENV=production`, or
`LOG_FORMAT=json`) gets one JSON object per line, for the log collector.

Security events (`security_event`) are WARNING lines with a stable `event` name from SECURITY_EVENTS,
so an operator can alert on them without parsing messages.
"""
from __future__ import annotations

import json
import logging
import re
import sys
import uuid
from datetime import datetime, timezone

from flask import Flask, g, has_request_context, request
from sqlalchemy import inspect as sa_inspect

SECURITY_LOGGER = "wuye_field.security"
SECURITY_EVENTS = frozenset({
    "login_failed",            # wrong login name or password
    "login_throttled",         # a login refused by the failed-login limits
    "session_stale",           # a cookie from before a logout, deactivation or password reset
    "forbidden",               # a role or site refused an action (403)
    "not_found_other_site",    # an object of a site the user has no access to (answered 404)
    "csrf_refused",            # a form or field action without a valid CSRF token
    "idempotency_conflict",    # the same Idempotency-Key with another body
    "upload_refused",          # a photo or body refused (size, type, checksum, damaged)
    "quarantined",             # a field action kept aside because it can no longer be applied
    "resident_unverified",     # a unit and phone typed at the residents' window that the desk does not know
})

USER_TEXT_LIMIT = 80
REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_HANDLER_MARK = "_wuye_field_handler"

# C0/C1 controls, DEL, and the invisible characters that reorder or hide text (bidi embeddings, overrides
# and isolates, marks, zero-width characters, the BOM, line/paragraph separators).
_UNSAFE_RE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape_char(match: re.Match) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_unsafe(text: str) -> str:
    """`text` with every control or invisible formatting character written as a visible escape (`\\r`, `\\x1b`,
    `\\u202e`)."""
    return _UNSAFE_RE.sub(_escape_char, text)


def user_text(value: object, limit: int = USER_TEXT_LIMIT) -> str:
    """A user-supplied value made safe for a log line: quoted, backslashes, quotes and unsafe characters
    escaped, and cut after `limit` characters (the line says how many were left out).

    Use it for every value a user typed (login names, notes, names, file names, paths) before logging it.
    """
    text, cut = _escaped(value, limit)
    return f"'{text}'" + (f"…(+{cut})" if cut else "")


def _escaped(value: object, limit: int) -> tuple[str, int]:
    """(the first `limit` characters of `value` with backslash, quote and unsafe characters escaped, how
    many characters were cut)."""
    text = "" if value is None else str(value)
    cut = max(0, len(text) - limit)
    return escape_unsafe(text[:limit].replace("\\", "\\\\").replace("'", "\\'")), cut


def security_event(event: str, /, **fields: object) -> None:
    """Log security event `event` (one of SECURITY_EVENTS) at WARNING on the `wuye_field.security` logger.

    `fields` are written as `name=value`; strings go through `user_text()` (they may have been typed by
    anyone), numbers as they are. Raises ValueError for an event name not in SECURITY_EVENTS.
    """
    if event not in SECURITY_EVENTS:
        raise ValueError(f"unknown security event {event!r}")
    typed = {name: value for name, value in fields.items() if not (value is None or isinstance(value, int | float))}
    shown = fields | {name: user_text(value) for name, value in typed.items()}
    message = " ".join([event, *(f"{name}={value}" for name, value in shown.items())])
    plain = fields | {name: _escaped(value, USER_TEXT_LIMIT)[0] for name, value in typed.items()}  # for JSON
    logging.getLogger(SECURITY_LOGGER).warning(message, extra={"event": event, "fields": plain})


# ---------------------------------------------------------------- request context


def _request_context() -> dict[str, object]:
    """Request id, user id and site id of the current request (empty outside a request).

    The user is read only when Flask-Login has already loaded it, and only its identity key: logging must
    never query the database (it may be the database that is failing).
    """
    if not has_request_context():
        return {}
    context: dict[str, object] = {"request_id": g.get("request_id")}
    user_id = _loaded_user_id(g.get("_login_user"))  # Flask-Login's per-request cache of current_user
    if user_id is not None:
        context["user_id"] = user_id
    # The site a URL names: /admin/sites/<site_id>/… or ?site=<id>.
    site_id = (request.view_args or {}).get("site_id") or request.args.get("site", type=int)
    if site_id is not None:
        context["site_id"] = site_id
    return context


def _loaded_user_id(user: object) -> int | None:
    """The id of a loaded user object from its identity key: no attribute is read, so an expired object
    (after a rollback) is not reloaded. None for the anonymous user."""
    state = sa_inspect(user, raiseerr=False) if user is not None else None
    identity = getattr(state, "identity", None)
    return identity[0] if identity else None


class ContextFilter(logging.Filter):
    """Adds `request_id`, `user_id` and `site_id` of the current request to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in _request_context().items():
            if not hasattr(record, name):
                setattr(record, name, value)
        return True


def _timestamp(record: logging.LogRecord) -> str:
    moment = datetime.fromtimestamp(record.created, timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class TextFormatter(logging.Formatter):
    """`2026-11-29T02:15:04.123Z WARNING wuye_field.security [req=… user=3 site=1] login_throttled login='x'`."""

    def format(self, record: logging.LogRecord) -> str:
        context = " ".join(f"{label}={getattr(record, name)}" for label, name in
                           (("req", "request_id"), ("user", "user_id"), ("site", "site_id"))
                           if getattr(record, name, None) is not None)
        line = f"{_timestamp(record)} {record.levelname} {record.name} "
        line += f"[{context}] " if context else ""
        line += escape_unsafe(record.getMessage())
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, event and its fields, request context."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": _timestamp(record), "level": record.levelname, "logger": record.name,
            "message": escape_unsafe(record.getMessage()),
        }
        for name in ("request_id", "user_id", "site_id", "event"):
            if getattr(record, name, None) is not None:
                entry[name] = getattr(record, name)
        if getattr(record, "fields", None):
            entry["fields"] = record.fields
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        # ensure_ascii keeps the line pure ASCII: nothing in it can reorder or colour a terminal.
        return json.dumps(entry, ensure_ascii=True, default=str)


class StdoutHandler(logging.StreamHandler):
    """Writes to whatever `sys.stdout` is at the time of each record (gunicorn, pytest and the CLI swap it)."""

    def __init__(self) -> None:
        super().__init__(sys.stdout)

    @property
    def stream(self):
        return sys.stdout

    @stream.setter
    def stream(self, _value) -> None:
        pass


# ---------------------------------------------------------------- set-up


def configure_logging(app: Flask) -> None:
    """Send every log line to stdout in one format (JSON in production), tag requests with an id.

    The root logger gets the one handler (replacing the handler of an earlier `create_app` in the same
    process), at WARNING so libraries stay quiet; the app's own loggers (`wuye_field.*`) log from
    `LOG_LEVEL` (INFO by default). Flask's default stderr handler is removed.
    """
    from flask.logging import default_handler

    json_lines = app.config.get("LOG_FORMAT") == "json" or (
        app.config.get("LOG_FORMAT") is None and app.config["WUYE_ENV"] == "production")
    handler = StdoutHandler()
    handler.setFormatter(JsonFormatter() if json_lines else TextFormatter())
    handler.addFilter(ContextFilter())
    setattr(handler, _HANDLER_MARK, True)

    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _HANDLER_MARK, False)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    logging.getLogger("wuye_field").setLevel(app.config.get("LOG_LEVEL") or logging.INFO)
    logging.getLogger("werkzeug").setLevel(logging.INFO)  # the development server's access lines
    app.logger.removeHandler(default_handler)

    @app.before_request
    def _assign_request_id() -> None:
        offered = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = offered if _REQUEST_ID_RE.match(offered) else uuid.uuid4().hex[:16]

    @app.after_request
    def _echo_request_id(response):
        if g.get("request_id"):
            response.headers[REQUEST_ID_HEADER] = g.request_id
        return response
