"""Apply a quarantined action late: through the same view and service as the original request, as its
author, with the original device time and receive time.

The view is called unwrapped (no login, CSRF or idempotency layer: the supervisor's own request carries
those) inside a request context rebuilt from the stored path and form fields. For the call, the author
holds again the roles they lost on the item's site (from `RoleEnded`; for a moved object, their roles on
the site it came from), in memory only.
"""
from __future__ import annotations

import inspect

from flask import current_app, g, make_response
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm.attributes import set_committed_value
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from wuye_field.accounts.models import Membership, User
from wuye_field.sync.models import RoleEnded
from wuye_field.core.errors import DomainError
from wuye_field.core.time import as_utc
from wuye_field.extensions import db
from wuye_field.sync.idempotency import ClockSkew, FieldAction
from wuye_field.sync.models import QuarantineItem


def match_field_action(path: str) -> tuple[str, dict]:
    """(endpoint, view args) of the field action posted to `path`; DomainError when `path` names none."""
    try:
        endpoint, view_args = current_app.url_map.bind("localhost").match(path, method="POST")
    except HTTPException:
        endpoint, view_args = "", {}
    if not getattr(current_app.view_functions.get(endpoint), "field_action", False):
        raise DomainError(_("不是可上传的记录类型。"), code="not_a_field_action")
    return endpoint, view_args


def _with_lost_roles(author: User, site_id: int, origin_site_id: int | None) -> None:
    """Give `author` back, in memory, the roles they lost on `site_id` — for a moved object, the roles they
    hold on the site it came from (never flushed)."""
    lost = set(db.session.scalars(select(RoleEnded.role).where(RoleEnded.user_id == author.id,
                                                                RoleEnded.site_id == site_id)))
    if origin_site_id is not None:
        lost |= {m.role for m in author.memberships if m.site_id == origin_site_id}
    held = {(m.site_id, m.role) for m in author.memberships}
    extra = [Membership(site_id=site_id, role=role) for role in sorted(lost) if (site_id, role) not in held]
    if extra:
        set_committed_value(author, "memberships", list(author.memberships) + extra)


def run_as_author(item: QuarantineItem) -> tuple[int, str]:
    """Run the item's view as its author; (status, JSON body) of a 2xx answer. The view's DomainError
    propagates (the caller rolls back); a non-2xx answer raises DomainError with its message."""
    endpoint, view_args = match_field_action(item.path)
    raw_view = inspect.unwrap(current_app.view_functions[endpoint])
    author = db.session.get(User, item.user_id)
    _with_lost_roles(author, item.site_id, item.origin_site_id)
    action = FieldAction(key=item.client_uuid, device_time=as_utc(item.device_time),
                         received_at=as_utc(item.received_at), skew=ClockSkew.unknown(),
                         request_hash=item.request_hash, endpoint=endpoint)
    saved = {name: g.get(name) for name in ("_login_user", "wuye_field_action")}
    try:
        with current_app.test_request_context(item.path, method="POST", data=MultiDict(item.field_pairs),
                                              headers={"Accept": "application/json"}):
            g._login_user = author
            g.wuye_field_action = action
            response = make_response(raw_view(**view_args))
    finally:
        for name, value in saved.items():
            if value is None:
                g.pop(name, None)
            else:
                setattr(g, name, value)
        db.session.expire(author, ["memberships"])
    body = response.get_data(as_text=True)
    if not 200 <= response.status_code < 300:
        message = (response.get_json(silent=True) or {}).get("message") or _("请求失败（%(status)s）。",
                                                                            status=response.status_code)
        raise DomainError(message, status=409, code="apply_refused")
    return response.status_code, body
