"""Batch replay (R28 in docs/standards.md): `POST /sync/batch` carries up to `SYNC_BATCH_MAX_ACTIONS` queued
field actions and answers each on its own, in order, exactly as its single request would have.

Each action is dispatched to its own view through the app's URL map, as a request of its own inside this
one: the same path, form fields and protocol headers the outbox would send alone, this request's cookie
(so the same session, CSRF token and language), a fresh application context (so its own database session
and transaction, committed or rolled back on its own) and every request hook. So the idempotency rules
(sync.idempotency), quarantine (sync.quarantine), the body limits, CSRF and the error handlers apply to
each action unchanged: a batch action and a single request with the same key are replays of each other,
one action's failure never touches the others, and a batch cut off mid-way and sent again stores each
action once.

The batch request itself holds no transaction while the actions run: on SQLite a POST begins with
`BEGIN IMMEDIATE`, which would keep every action's own write waiting on the batch's lock.
"""
from __future__ import annotations

import json
from urllib.parse import urlencode

from flask import Flask, Request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException
from werkzeug.test import EnvironBuilder

from wuye_field.core.request_limits import FORM_URLENCODED
from wuye_field.sync import quarantine

# Headers of the batch request every action carries on (session, CSRF, language, proxy view of the scheme).
PASSED_HEADERS = ("Cookie", "X-CSRFToken", "Accept-Language", "Referer", "Origin", "User-Agent",
                  "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host")


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


def replay(app: Flask, outer: Request, raw: object) -> dict:
    """The result of one action of the batch: {"key", "status", "body"} as its single request answers."""
    try:
        key, device_time, sent_at, path, fields = clean_action(raw)
    except Malformed as error:
        return malformed_result(raw.get("key") if isinstance(raw, dict) else None, str(error))
    if field_action_endpoint(app, path) is None:
        return malformed_result(key, "path")
    headers = {name: outer.headers[name] for name in PASSED_HEADERS if name in outer.headers}
    headers.update({"Idempotency-Key": key, "X-Device-Time": device_time, "X-Device-Sent-At": sent_at,
                    "Accept": "application/json"})
    builder = EnvironBuilder(path=path, method="POST", base_url=outer.host_url, headers=headers,
                             data=urlencode(fields), content_type=FORM_URLENCODED,
                             environ_base={"REMOTE_ADDR": outer.remote_addr or ""})
    try:
        environ = builder.get_environ()
    finally:
        builder.close()
    with app.app_context(), app.request_context(environ):
        response = app.full_dispatch_request()
        status, text = response.status_code, response.get_data(as_text=True)
    try:
        body = json.loads(text) if text else {}
    except ValueError:
        body = {"message": text[:500]}
    return {"key": key, "status": status, "body": body}
