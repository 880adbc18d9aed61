"""The server side of the offline protocol: every field POST is idempotent by (user, Idempotency-Key).

README "How offline works" is the contract. In short, for a view wrapped in `@idempotent_action`:

- `Idempotency-Key` (a UUID) and `X-Device-Time` (ISO 8601 with offset) are required → else 400 JSON.
- First receipt: the key row is inserted FIRST, in the same transaction as the action; the action's 2xx
  response (status + body) is written into the row and the request commits once. The unique constraint
  on (user, key), not a read-then-write check, decides two racing replays (R3).
- Same key, same body (request fingerprint), completed → the stored body, status 200, header
  `Idempotent-Replayed: true`, nothing stored (R1).
- Same key, different body → 409 `conflict`, logged as a SyncConflict for a supervisor (R2).
- A key row that exists but is not completed → 409 `in_progress` (the phone retries later).
- The action was refused because its author lost the role on the object's site, or the object moved away
  from the author's site → kept in quarantine, 409
  `quarantined` (see sync.quarantine; R12); a replay of its key answers the same.
- The action raised (DomainError or anything else) or answered non-2xx → everything is rolled back, the
  key included, so the same key re-evaluates on retry; files written meanwhile are removed through
  `on_rollback` hooks (R4, R26).
- The request reads (user, roles, headers, body) before it writes: on SQLite the write lock is taken only
  when the key is claimed (`core.database.begin_writing`).
- Inside a batch replay (sync.batch) the action runs in its own SAVEPOINT of the batch's one transaction:
  the same rules, but "commit" releases the savepoint and "roll back" rolls back to it, so one action's
  failure undoes only itself; the batch commits once.
"""
from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import wraps

from flask import Response, current_app, g, make_response, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, InvalidRequestError, OperationalError

from wuye_field.core.database import begin_writing, mark_deferred, restore_deferred, shared_transaction
from wuye_field.core.errors import DomainError
from wuye_field.core.logging import security_event
from wuye_field.core.time import parse_device_time, utcnow
from wuye_field.extensions import db
from wuye_field.sync import quarantine
from wuye_field.sync.models import DEACTIVATED, IdempotencyKey, SyncConflict
from wuye_field.sync.receipt import ClockSkew, Receipt

log = logging.getLogger(__name__)

REPLAYED_HEADER = "Idempotent-Replayed"
IGNORED_FIELDS = frozenset({"csrf_token"})  # a fresh token on a replay must not look like another body
_CLAIM_ATTEMPTS = 3
# PostgreSQL: deadlock detected, lock not available, serialization failure — another request holds what this
# one needs (e.g. a batch holding the chain head and a single request the key): the phone retries later.
_LOCK_CONFLICTS = frozenset({"40P01", "55P03", "40001"})


class IdempotencyError(DomainError):
    """The request cannot be handled as a field action (missing/invalid headers, conflicts)."""

    status = 400
    code = "idempotency"


@dataclass(frozen=True)
class FieldAction:
    """What the protocol headers say about the field action being received (see `current_action()`)."""

    key: str
    device_time: datetime
    received_at: datetime
    skew: ClockSkew
    request_hash: str
    endpoint: str

    @property
    def receipt(self) -> Receipt:
        return Receipt.of(self)


# ---------------------------------------------------------------- pure rules


def parse_key(raw: str | None) -> str | None:
    """The canonical (lower-case, hyphenated) form of a UUID key; None when missing or not a UUID."""
    if not raw:
        return None
    try:
        return str(uuid.UUID(raw.strip()))
    except ValueError:
        return None


def clock_skew(sent_at: datetime | None, now: datetime, flag_seconds: float) -> ClockSkew:
    """Skew of the device clock (`sent_at`, its time when sending) against the server's `now`.

    A replay of an action made hours ago offline is not skew: only the send time is compared.
    """
    if sent_at is None:
        return ClockSkew.unknown()
    seconds = round((sent_at - now).total_seconds(), 3)
    return ClockSkew(seconds, abs(seconds) > flag_seconds)


def request_fingerprint(method: str, path: str, fields: Iterable[tuple[str, str]],
                        files: Iterable[tuple[str, str]] = ()) -> str:
    """SHA-256 over the method, the path, the sorted form fields and (field name, SHA-256) of each file.

    File names and the CSRF token are left out: they may differ between replays of one action.
    """
    canonical = {
        "method": method.upper(),
        "path": path,
        "fields": sorted([name, value] for name, value in fields if name not in IGNORED_FIELDS),
        "files": sorted([name, digest] for name, digest in files),
    }
    text = json.dumps(canonical, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def file_sha256(stream) -> str:
    """SHA-256 of an uploaded file stream, read in chunks; the stream is rewound afterwards."""
    digest = hashlib.sha256()
    stream.seek(0)
    for chunk in iter(lambda: stream.read(1024 * 1024), b""):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()


# ---------------------------------------------------------------- reading the request


def read_action(now: datetime) -> FieldAction:
    """The FieldAction of the current request.

    Raises IdempotencyError (400) for a missing/invalid Idempotency-Key or X-Device-Time. Reading the
    form may raise werkzeug's 400 (truncated multipart) or 413 (too large) first.
    """
    key = parse_key(request.headers.get("Idempotency-Key"))
    if key is None:
        raise IdempotencyError(_("缺少 Idempotency-Key（应为记录的 UUID），请通过应用提交。"), code="idempotency_key")
    device_time = parse_device_time(request.headers.get("X-Device-Time"))
    if device_time is None:
        raise IdempotencyError(_("缺少或无法识别 X-Device-Time（应为带时区的 ISO 8601 时间）。"), code="device_time")
    sent_at = parse_device_time(request.headers.get("X-Device-Sent-At"))
    skew = clock_skew(sent_at, now, current_app.config["CLOCK_SKEW_FLAG_SECONDS"])
    _parse_body()
    fields = [(name, value) for name, values in request.form.lists() for value in values]
    files = [(name, file_sha256(f.stream)) for name, items in request.files.lists() for f in items]
    return FieldAction(
        key=key, device_time=device_time, received_at=now, skew=skew, endpoint=request.endpoint or request.path,
        request_hash=request_fingerprint(request.method, request.path, fields, files),
    )


def _parse_body() -> None:
    """Parse the form now. If the upload breaks off (400) or is too large (413), the temporary files the
    parser had opened are closed (and so removed) before the error propagates (R5)."""
    opened = []
    make_stream = request._get_file_stream  # werkzeug's documented hook for upload streams

    def tracking_stream(*args, **kwargs):
        stream = make_stream(*args, **kwargs)
        opened.append(stream)
        return stream

    request._get_file_stream = tracking_stream
    try:
        request.form  # noqa: B018 - parses the body (and request.files)
    except BaseException:
        for stream in opened:
            stream.close()
        raise
    finally:
        del request._get_file_stream
    attached = {id(upload.stream) for _name, upload in request.files.items(multi=True)}
    orphans = [stream for stream in opened if id(stream) not in attached]
    if orphans:
        # werkzeug drops a multipart body that ends mid-file silently (an empty form): say so instead.
        for stream in orphans:
            stream.close()
        raise IdempotencyError(_("上传中断，记录仍保存在手机上，请重试。"), code="incomplete_upload")


def current_action() -> FieldAction:
    """The FieldAction being handled (only inside a view wrapped in `@idempotent_action`)."""
    return g.wuye_field_action


def current_receipt() -> Receipt:
    """The Receipt of the field action being handled: what every domain service storing it takes."""
    return current_action().receipt


def on_rollback(hook: Callable[[], None]) -> None:
    """Run `hook` if the current action is rolled back (e.g. remove a file written for it)."""
    g.setdefault("wuye_field_rollback_hooks", []).append(hook)


# ---------------------------------------------------------------- claiming a key


def claim_key(user_id: int, action: FieldAction) -> IdempotencyKey | Response:
    """Insert the key row for (user, key) or explain why not.

    Returns the new (flushed, uncommitted) row when this request owns the action, or the response to
    send instead: the stored one (replay), 409 conflict or 409 in_progress.
    """
    for _attempt in range(_CLAIM_ATTEMPTS):
        row = _key_row(user_id, action)
        db.session.add(row)
        try:
            db.session.flush()
            return row
        except IntegrityError:
            db.session.rollback()
        stored = db.session.scalar(
            select(IdempotencyKey).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == action.key)
        )
        if stored is not None:
            return _answer_for_stored(user_id, action, stored)
        # The racing request rolled back between our insert and our read: try to claim it again.
    raise IdempotencyError(_("记录正在处理中，请稍后重试。"), status=409, code="in_progress")


def _key_row(user_id: int, action: FieldAction) -> IdempotencyKey:
    return IdempotencyKey(
        user_id=user_id, key=action.key, endpoint=action.endpoint, request_hash=action.request_hash,
        device_time=action.device_time, received_at=action.received_at,
        clock_skew_seconds=action.skew.seconds, skew_flagged=action.skew.flagged,
    )


def _answer_for_stored(user_id: int, action: FieldAction, stored: IdempotencyKey) -> Response:
    shared = shared_transaction()
    if stored.request_hash != action.request_hash:
        conflict = SyncConflict(user_id=user_id, key=action.key, endpoint=action.endpoint,
                                stored_hash=stored.request_hash, request_hash=action.request_hash,
                                created_at=action.received_at)
        if shared:
            with db.session.begin_nested():
                db.session.add(conflict)
        else:
            db.session.add(conflict)
            db.session.commit()
        security_event("idempotency_conflict", key=action.key, endpoint=action.endpoint)
        raise IdempotencyError(
            _("此记录已上传过，内容不同（同一记录被修改后再次提交）。原记录保留不变，已通知主管核查。"),
            status=409, code="conflict",
        )
    if not stored.completed or stored.response_body is None:
        if not shared:
            db.session.rollback()
        raise IdempotencyError(_("记录正在处理中，请稍后重试。"), status=409, code="in_progress")
    if not shared:
        db.session.rollback()  # end the read transaction: nothing was written
    log.info("replay: user %s key %s on %s", user_id, action.key, action.endpoint)
    return Response(stored.response_body, status=200, mimetype="application/json",
                    headers={REPLAYED_HEADER: "true"})


def complete(row: IdempotencyKey, response: Response) -> None:
    """Record the action's response in its key row (flushed; the caller commits)."""
    row.response_status = response.status_code
    row.response_body = response.get_data(as_text=True)
    row.completed = True
    db.session.flush()


def _commit() -> None:
    db.session.commit()


def _abandon() -> None:
    """Roll the action back (key row included) and undo its side effects outside the database."""
    db.session.rollback()
    for hook in reversed(g.pop("wuye_field_rollback_hooks", [])):
        try:
            hook()
        except Exception:  # a failed clean-up must not hide the original error
            log.exception("rollback hook failed")


# ---------------------------------------------------------------- the decorator


def idempotent_action(view):
    """Make a field-action view idempotent by (current user, Idempotency-Key); see the module docstring.

    Use under `@login_required`. The view reads `current_action()` for the key, device time, receive
    time and clock skew, flushes its rows, raises DomainError to refuse, and returns a 2xx JSON response.
    The body is refused (413) above `FIELD_ACTION_MAX_BYTES` before it is read, unless the view names
    another limit with `@body_limit` (put under this decorator).
    """

    @wraps(view)
    def wrapped(*args, **kwargs):
        action = read_action(utcnow())
        if shared_transaction():
            return _in_savepoint(view, args, kwargs, action)
        begin_writing()
        try:
            claimed = claim_key(current_user.id, action)
        except OperationalError as error:
            _abandon()
            _raise_if_lock_conflict(error)
            raise
        if isinstance(claimed, Response):
            return claimed
        if (kept := quarantine.replay_answer(current_user.id, action.key)) is not None:
            db.session.rollback()
            return kept
        g.wuye_field_action = action
        try:
            response = make_response(view(*args, **kwargs))
            if not 200 <= response.status_code < 300:
                _abandon()
                return response
            complete(claimed, response)
            _commit()
        except DomainError as error:
            _abandon()
            return _quarantine_or_raise(error, action)
        except OperationalError as error:
            _abandon()
            _raise_if_lock_conflict(error)
            raise
        except BaseException:
            _abandon()
            raise
        g.pop("wuye_field_rollback_hooks", None)
        return response

    wrapped.__dict__.setdefault("body_limit_key", "FIELD_ACTION_MAX_BYTES")
    wrapped.field_action = True
    wrapped.reads_first = True  # see core.database.begin_writing
    return wrapped


def _raise_if_lock_conflict(error: OperationalError) -> None:
    """A lock another request holds (PostgreSQL detected a deadlock or gave up waiting): 409 in_progress,
    the phone retries later; nothing was stored."""
    if getattr(getattr(error, "orig", None), "sqlstate", None) in _LOCK_CONFLICTS:
        raise IdempotencyError(_("记录正在处理中，请稍后重试。"), status=409, code="in_progress") from error


# ---------------------------------------------------------------- inside a batch replay


@dataclass
class BatchState:
    """What a batch replay (sync.batch) knows for all its actions: the key rows already stored for its keys
    and the keys kept in quarantine (each read once for the batch), and the rollback hooks of the actions
    stored so far (run if the batch's commit fails)."""

    stored: dict[str, IdempotencyKey]
    quarantined: set[str]
    hooks: list[Callable[[], None]]

    @classmethod
    def read(cls, user_id: int, keys: Iterable[str]) -> BatchState:
        keys = sorted({key for key in keys if key})
        if not keys:
            return cls({}, set(), [])
        stored = {row.key: row for row in db.session.scalars(select(IdempotencyKey).where(
            IdempotencyKey.user_id == user_id, IdempotencyKey.key.in_(keys)))}
        return cls(stored, quarantine.kept_keys(user_id, keys), [])


def current_batch() -> BatchState:
    return g.wuye_field_batch


def _in_savepoint(view, args, kwargs, action: FieldAction) -> Response:
    """The action inside a batch's transaction: claimed, run and completed in its own SAVEPOINT."""
    batch, user_id = current_batch(), current_user.id
    stored = batch.stored.get(action.key)
    if stored is not None:  # read with the batch: a replay or a conflict, nothing to claim
        return _answer_for_stored(user_id, action, stored)
    marked = mark_deferred()
    savepoint = db.session.begin_nested()
    claimed = _key_row(user_id, action)
    db.session.add(claimed)
    try:
        db.session.flush()
    except IntegrityError:  # stored meanwhile by another request, or earlier in this batch
        _undo(savepoint, marked)
        stored = db.session.scalar(select(IdempotencyKey).where(IdempotencyKey.user_id == user_id,
                                                                IdempotencyKey.key == action.key))
        if stored is None:
            raise IdempotencyError(_("记录正在处理中，请稍后重试。"), status=409, code="in_progress") from None
        return _answer_for_stored(user_id, action, stored)
    except OperationalError as error:
        _undo(savepoint, marked)
        _raise_if_lock_conflict(error)
        raise
    except BaseException:
        _undo(savepoint, marked)
        raise
    if action.key in batch.quarantined:
        _undo(savepoint, marked)
        return quarantine.quarantined_response()
    g.wuye_field_action = action
    try:
        response = make_response(view(*args, **kwargs))
        if not 200 <= response.status_code < 300:
            _undo(savepoint, marked)
            return response
        complete(claimed, response)
        savepoint.commit()
    except DomainError as error:
        _undo(savepoint, marked)
        return _quarantine_or_raise(error, action)
    except OperationalError as error:
        _undo(savepoint, marked)
        _raise_if_lock_conflict(error)
        raise
    except BaseException:
        _undo(savepoint, marked)
        raise
    batch.hooks.extend(g.pop("wuye_field_rollback_hooks", []))
    return response


def _undo(savepoint, marked) -> None:
    """Roll the action back to its savepoint (key row included) and undo its side effects."""
    try:
        savepoint.rollback()  # also when a failed flush has already rolled it back (then it only closes)
    except InvalidRequestError:  # closed: the view ended the transaction itself
        log.warning("a field action ended the batch's transaction itself")
    restore_deferred(marked)
    for hook in reversed(g.pop("wuye_field_rollback_hooks", [])):
        try:
            hook()
        except Exception:  # a failed clean-up must not hide the original error
            log.exception("rollback hook failed")


def _quarantine_or_raise(error: DomainError, action: FieldAction) -> Response:
    """A refusal because the author lost the role on the object's site: kept in quarantine (R12, see
    sync.quarantine), answered 409 quarantined. Any other refusal is raised again for the error handler."""
    kept = quarantine.refusal(current_user, error)
    if kept is None or quarantine.pending_count(current_user.id) >= quarantine.MAX_PENDING_PER_USER:
        raise error
    return quarantine.quarantine_action(current_user, kept.site_id, action, kept.reason, error.message,
                                        origin_site_id=kept.origin_site_id)


def quarantine_deactivated(author) -> Response | None:
    """A field action sent with the session `author` held when the account was deactivated: kept for the
    author's site and answered 409 quarantined. A photo upload (files, no record: inert until a record
    names it) is stored as the author's, so the record kept in quarantine keeps its photos. None (the
    caller answers 401) for anything else, or an author with no site."""
    if request.method != "POST" or not quarantine.is_field_action(request.endpoint):
        return None
    if request.files:
        g._login_user = author  # this request only: Flask-Login's per-request user
        view = current_app.view_functions[request.endpoint]
        return make_response(getattr(view, "__wrapped__", view)(**(request.view_args or {})))
    action = read_action(utcnow())
    begin_writing()
    if quarantine.find(author.id, action.key) is not None:
        db.session.rollback()
    sites = sorted({m.site_id for m in author.memberships})  # read-only roles too: an inspector's round
    sites = sorted(author.site_ids())
    if not sites or quarantine.pending_count(author.id) >= quarantine.MAX_PENDING_PER_USER:
        return None
    return quarantine.quarantine_action(author, sites[0], action, DEACTIVATED, _("账号已停用"))
