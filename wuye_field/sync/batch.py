"""Batch replay (R28 in docs/standards.md): `POST /sync/batch` carries up to `SYNC_BATCH_MAX_ACTIONS` queued
field actions and answers each on its own, in order, exactly as its single request would have.

Each action is dispatched to its own view through the app's URL map, as a request of its own inside this
one: the same path, form fields and protocol headers the outbox would send alone, this request's cookie
(so the same session, CSRF token and language) and every request hook. So the idempotency rules
(sync.idempotency), quarantine (sync.quarantine), the body limits, CSRF and the error handlers apply to
each action unchanged: a batch action and a single request with the same key are replays of each other.

All actions share this request's application context and one transaction (issue 13): the user is loaded
once, the key rows and quarantine of the batch's keys are read once, each action runs in its own SAVEPOINT
(one action's failure rolls back only itself), and the records are linked into their sites' chains at the
end, each head locked only then (in site order) and written once, before the one commit. Until that
commit nothing of the batch is stored, so a batch cut off mid-way and sent again stores each action once;
racing batches and single requests are decided by the unique (user, key) as for single requests (two
waiting on each other: that action answers 409 in_progress). On SQLite the write lock is taken after the
sign-in's reads, just before the first action.
"""
from __future__ import annotations

import json
from io import BytesIO
from urllib.parse import unquote, urlencode

from flask import Flask, Request, g, session
from flask.ctx import RequestContext
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from wuye_field.core.database import begin_writing, finish_deferred, share_transaction, start_deferred
from wuye_field.core.request_limits import FORM_URLENCODED
from wuye_field.extensions import db
from wuye_field.sync import idempotency, quarantine

# Headers of the batch request every action carries on (session, CSRF, language, proxy view of the scheme).
PASSED_HEADERS = ("Cookie", "X-CSRFToken", "Accept-Language", "Referer", "Origin", "User-Agent",
                  "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host")
# What `g` keeps from one action to the next: the signed-in user and the language's translations (the same
# for every action of the batch); everything else an action puts in `g` is its own.
KEPT_IN_G = frozenset({"_login_user", "_flask_babel"})


class Malformed(ValueError):
    """An action of the batch that is not one (its own 400 result)."""


def parse_actions(payload: object, limit: int) -> list:
    """The list of actions of a batch body. Raises ValueError when the body is not `{"actions": [...]}`,
    OverflowError above `limit` actions."""
    if not isinstance(payload, dict) or not isinstance(payload.get("actions"), list):
        raise ValueError("actions")
    actions = payload["actions"]
    if len(actions) > limit:
        raise OverflowError(len(actions))
    return actions


def clean_action(raw: object) -> tuple[str, str, str, str, list[tuple[str, str]]]:
    """(key, device_time, sent_at, path, fields) of one action; Malformed when it is not an action.

    The key and times are passed on as sent: the action's view answers a bad one with its own 400, as it
    would for a single request."""
    if not isinstance(raw, dict):
        raise Malformed("action")
    path, fields = raw.get("path"), raw.get("fields", [])
    if not isinstance(path, str) or not path.startswith("/") or len(path) > 200:
        raise Malformed("path")
    if not isinstance(fields, list) or not all(
            isinstance(pair, list | tuple) and len(pair) == 2 and all(isinstance(v, str) for v in pair)
            for pair in fields):
        raise Malformed("fields")
    texts = [raw.get(name, "") for name in ("key", "device_time", "sent_at")]
    if not all(isinstance(text, str) for text in texts):
        raise Malformed("headers")
    return texts[0], texts[1], texts[2], path, [(name, value) for name, value in fields]


def field_action_endpoint(app: Flask, path: str) -> str | None:
    """The endpoint a POST to `path` reaches when it is a field action (not a photo upload), else None."""
    try:
        endpoint, _args = app.url_map.bind("localhost").match(path, method="POST")
    except HTTPException:
        return None
    view = app.view_functions.get(endpoint)
    if not quarantine.is_field_action(endpoint) or getattr(view, "body_limit_key", "") != "FIELD_ACTION_MAX_BYTES":
        return None
    return endpoint


def malformed_result(key: object, reason: str) -> dict:
    message = _("这条记录的格式不对，无法上传（%(reason)s）。", reason=reason)
    return {"key": key if isinstance(key, str) else None, "status": 400,
            "body": {"error": "malformed_action", "message": message}}


def run(app: Flask, outer: Request, actions: list) -> list[dict]:
    """Replay `actions` in one transaction (see the module docstring); their results in order."""
    user = current_user._get_current_object()
    keys = [idempotency.parse_key(raw.get("key")) for raw in actions
            if isinstance(raw, dict) and isinstance(raw.get("key"), str)]
    begin_writing()  # SQLite: the write lock from here (the user was read without it)
    state = idempotency.BatchState.read(user.id, keys)
    start_deferred()  # the chain links the batch's records at the end (audit.chain)
    g.wuye_field_batch = state
    share_transaction(True)
    cookie_session = session._get_current_object()
    try:
        results = [replay(app, outer, raw, cookie_session) for raw in actions]
        finish_deferred()
        db.session.commit()
    except BaseException:
        db.session.rollback()
        for hook in reversed(state.hooks):
            try:
                hook()
            except Exception:  # a failed clean-up must not hide the original error
                idempotency.log.exception("rollback hook failed")
        raise
    finally:
        share_transaction(False)
        g.pop("wuye_field_batch", None)
    if any(result["status"] == 201 for result in results):
        g.alerts_queued = True  # alerts raised by the actions go out now that they are committed
    return results


def action_environ(outer: Request, path: str, headers: dict[str, str], body: bytes) -> dict:
    """The WSGI environ of one action: the batch request's (server, scheme, client address, cookie, CSRF
    token, language …) with the action's path, headers and form body."""
    environ = {name: value for name, value in outer.environ.items()
               if not name.startswith(("HTTP_", "CONTENT_", "werkzeug.request"))}
    for name in PASSED_HEADERS:
        if name in outer.headers:
            environ["HTTP_" + name.upper().replace("-", "_")] = outer.headers[name]
    for name, value in headers.items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    path, _sep, query = path.partition("?")
    environ.update({"REQUEST_METHOD": "POST", "PATH_INFO": unquote(path).encode("utf-8").decode("latin-1"),
                    "QUERY_STRING": query, "CONTENT_TYPE": FORM_URLENCODED, "CONTENT_LENGTH": str(len(body)),
                    "wsgi.input": BytesIO(body), "RAW_URI": path, "REQUEST_URI": path})
    if "HTTP_HOST" in outer.environ:
        environ["HTTP_HOST"] = outer.environ["HTTP_HOST"]
    return environ


def replay(app: Flask, outer: Request, raw: object, cookie_session=None) -> dict:
    """The result of one action of the batch: {"key", "status", "body"} as its single request answers.
    `cookie_session`: the batch request's session (the same cookie; not decoded again for each action)."""
    try:
        key, device_time, sent_at, path, fields = clean_action(raw)
    except Malformed as error:
        return malformed_result(raw.get("key") if isinstance(raw, dict) else None, str(error))
    if field_action_endpoint(app, path) is None:
        return malformed_result(key, "path")
    headers = {"Idempotency-Key": key, "X-Device-Time": device_time, "X-Device-Sent-At": sent_at,
               "Accept": "application/json"}
    environ = action_environ(outer, path, headers, urlencode(fields).encode("utf-8"))
    kept = dict(vars(g))  # each action's own g (its action, hooks …); the user and the batch stay loaded
    try:
        # In this request's application context: the same database session and transaction.
        with RequestContext(app, environ, session=cookie_session):
            response = app.full_dispatch_request()
            status, text = response.status_code, response.get_data(as_text=True)
    finally:
        cached = {name: value for name, value in vars(g).items() if name in KEPT_IN_G}
        vars(g).clear()
        vars(g).update(kept | cached)
    try:
        body = json.loads(text) if text else {}
    except ValueError:
        body = {"message": text[:500]}
    return {"key": key, "status": status, "body": body}
