"""Quarantine, never silent loss (R12 in docs/standards.md): the one rule for field actions that arrive
authenticated but can no longer be applied as sent.

- The author lost the role the action needs on the site of its object (a role taken away while the phone
  was offline): the action's view refuses it with a NotFound / Forbidden naming that site, and a
  `RoleEnded` row says the author held a role there.
- The object moved to another site (a `SiteMove` row, written here on every change of a `site_id`) from
  a site where the author still works: kept for the object's new site.
- A stranger's request for another site's object (neither) stays a plain 404.
- The author was deactivated while the phone still held the session of that moment (see
  `accounts.routes`): the action is kept for the author's site.

Either way the action is stored as it arrived in `QuarantineItem` (who, site, action, client UUID, device
and receive time, the form fields with the photo UUIDs, why) and answered 409
`{"status": "quarantined", "message": …}`; a replay of the same client UUID gets the same answer and
stores nothing. `@idempotent_action` calls this module; no route does.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime

from flask import Response, g, jsonify, request
from flask_babel import gettext as _
from sqlalchemy import event, func, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from wuye_field.core.database import shared_transaction
from wuye_field.core.errors import DomainError
from wuye_field.core.logging import security_event
from wuye_field.extensions import db
from wuye_field.sync.models import (DEACTIVATED, HANDED_OVER, MOVED, PENDING, ROLE_REMOVED, SOURCE_UPLOAD, RoleEnded,
                                    QuarantineItem, SiteMove)

log = logging.getLogger("wuye_field.sync")

IGNORED_FIELDS = frozenset({"csrf_token"})
MAX_PENDING_PER_USER = 500  # beyond this, refusals answer as before (404/403): no table filled by one account
QUARANTINED_STATUS = 409


def reasons() -> dict[str, str]:
    """Reason code → the Chinese text shown to supervisors."""
    return {ROLE_REMOVED: _("岗位已变更：作者已不在该小区担任此岗位"),
            MOVED: _("地点已划归其他小区：记录是在原小区做的"),
            DEACTIVATED: _("账号已停用"),
            HANDED_OVER: _("停用账号的手机导出，由主管导入")}


def quarantined_message() -> str:
    return _("此记录已转交主管处理：您在该小区的岗位或账号已变更，记录已完整保存在服务器，无需重新提交。")


def quarantined_response() -> Response:
    response = jsonify(status="quarantined", message=quarantined_message())
    response.status_code = QUARANTINED_STATUS
    return response


@dataclass(frozen=True)
class Refusal:
    """Why a refused field action is kept: the site it is kept for, the reason code, and for a moved
    object the site it came from."""

    site_id: int
    reason: str
    origin_site_id: int | None = None


def refusal(user, error: BaseException) -> Refusal | None:
    """Whether `error` (raised by a field action's view) refused the action because `user` lost the role
    on the object's site or the object moved away from the user's site; None for any other refusal (bad
    input, unknown object, a stranger's request for another site's object)."""
    if not isinstance(error, DomainError) or error.status not in (403, 404):
        return None
    site_id = getattr(error, "site_id", None) or getattr(error, "scope_site_id", None)
    if site_id is None:
        return None
    ended = db.session.scalar(select(RoleEnded.id).where(RoleEnded.user_id == user.id, RoleEnded.site_id == site_id)
                              .limit(1))
    if ended is not None:
        return Refusal(site_id, ROLE_REMOVED)
    table, object_id = g.get("wuye_other_site_object") or ("", None)
    if object_id is None:
        return None
    move = db.session.scalar(select(SiteMove).where(
        SiteMove.table == table, SiteMove.object_id == object_id, SiteMove.to_site_id == site_id,
    ).order_by(SiteMove.id.desc()).limit(1))
    if move is None or move.from_site_id not in user.site_ids():
        return None
    return Refusal(site_id, MOVED, move.from_site_id)


@event.listens_for(Session, "before_flush")
def _record_site_moves(session, _context, _instances) -> None:
    """Write a SiteMove for every object whose `site_id` changes from one site to another."""
    for obj in list(session.dirty):
        if isinstance(obj, SiteMove) or "site_id" not in sa_inspect(obj).attrs:
            continue
        history = sa_inspect(obj).attrs.site_id.history
        if history.deleted and history.added and history.deleted[0] is not None and history.added[0] is not None \
                and history.deleted[0] != history.added[0]:
            session.add(SiteMove(table=getattr(obj, "__tablename__", type(obj).__name__), object_id=obj.id,
                                 from_site_id=history.deleted[0], to_site_id=history.added[0]))


def request_fields() -> list[tuple[str, str]]:
    """The current request's form fields in order, the CSRF token left out."""
    return [(name, value) for name, values in request.form.lists() for value in values if name not in IGNORED_FIELDS]


def find(user_id: int, key: str) -> QuarantineItem | None:
    return db.session.scalar(select(QuarantineItem).where(QuarantineItem.user_id == user_id,
                                                          QuarantineItem.client_uuid == key))


def pending_count(user_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(QuarantineItem).where(
        QuarantineItem.user_id == user_id, QuarantineItem.state == PENDING)) or 0


def keep(*, user_id: int, site_id: int, key: str, endpoint: str, path: str, fields: list[tuple[str, str]],
         request_hash: str, device_time: datetime, received_at: datetime, reason: str, detail: str = "",
         source: str = SOURCE_UPLOAD, imported_by_id: int | None = None,
         origin_site_id: int | None = None) -> tuple[QuarantineItem, bool]:
    """Store the action in quarantine unless (user, key) is there already: (the item, stored now?). Flushes
    inside a savepoint, so a racing duplicate only loses its own insert."""
    existing = find(user_id, key)
    if existing is not None:
        return existing, False
    item = QuarantineItem(user_id=user_id, site_id=site_id, client_uuid=key, endpoint=endpoint[:80], path=path[:200],
                          fields=json.dumps(fields, ensure_ascii=False), request_hash=request_hash,
                          device_time=device_time, received_at=received_at, reason=reason, detail=detail[:500],
                          source=source, imported_by_id=imported_by_id, origin_site_id=origin_site_id)
    try:
        with db.session.begin_nested():
            db.session.add(item)
    except IntegrityError:
        return find(user_id, key), False
    return item, True


def quarantine_action(user, site_id: int, action, reason: str, detail: str = "",
                      origin_site_id: int | None = None) -> Response:
    """Keep the current request's field action (`action`: its FieldAction) for `site_id`, commit, log the
    security event `quarantined` and answer 409 quarantined."""
    item, stored = keep(user_id=user.id, site_id=site_id, key=action.key, endpoint=action.endpoint,
                        path=request.path, fields=request_fields(), request_hash=action.request_hash,
                        device_time=action.device_time, received_at=action.received_at, reason=reason, detail=detail,
                        origin_site_id=origin_site_id)
    if not shared_transaction():  # inside a batch, the batch commits
        db.session.commit()
    if stored:
        security_event("quarantined", quarantined_user_id=user.id, site_id=site_id, reason=reason,
                       endpoint=action.endpoint, key=action.key)
    else:
        log.info("quarantine replay: user %s key %s", user.id, action.key)
    return quarantined_response()


def kept_keys(user_id: int, keys: list[str]) -> set[str]:
    """Which of `keys` (user, key) are in quarantine: read once for a whole batch replay."""
    return set(db.session.scalars(select(QuarantineItem.client_uuid).where(
        QuarantineItem.user_id == user_id, QuarantineItem.client_uuid.in_(keys))))


def replay_answer(user_id: int, key: str) -> Response | None:
    """The 409 quarantined answer when (user, key) is already in quarantine, else None."""
    kept = db.session.scalar(select(QuarantineItem.id).where(QuarantineItem.user_id == user_id,
                                                             QuarantineItem.client_uuid == key).limit(1))
    return quarantined_response() if kept is not None else None


def is_field_action(endpoint: str | None) -> bool:
    """True when `endpoint` is a view wrapped in `@idempotent_action`."""
    from flask import current_app

    view = current_app.view_functions.get(endpoint or "")
    return bool(getattr(view, "field_action", False))
