"""Quarantine for supervisors (R12): the site's list, apply late, dismiss with a reason, import a hand-over
file. Every decision is written to the admin change log (记录与审计) and taken once: a second apply of the
same item finds it decided and stores nothing."""
from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from wuye_field.accounts.models import Membership, User
from wuye_field.sync.models import RoleEnded
from wuye_field.audit.services import log_admin_change
from wuye_field.core.errors import DomainError, NotFound, other_site
from wuye_field.core.text import clean_text
from wuye_field.extensions import db
from wuye_field.places.services import get_site, sites_for
from wuye_field.quarantine.replay import match_field_action, run_as_author
from wuye_field.sync import quarantine as rule
from wuye_field.sync.idempotency import parse_key, request_fingerprint
from wuye_field.sync.receipt import Receipt
from wuye_field.sync.models import (APPLIED, DISMISSED, HANDED_OVER, PENDING, SOURCE_IMPORT, IdempotencyKey,
                                    QuarantineItem)

OVERSEERS = ("supervisor", "admin")
REASON_MAX = 200
HANDOVER_FORMAT = "wuye-outbox-handover"
IMPORT_MAX_ITEMS = 500
ACTION_LABELS = (  # endpoint prefix → what the list calls the action
    ("patrol.record_scan", lambda: _("巡更打卡")), ("patrol.round", lambda: _("巡更")),
    ("patrol.record_inspection", lambda: _("巡查记录")), ("defects.", lambda: _("报事")),
    ("cleaning.", lambda: _("保洁打卡")), ("workorders.", lambda: _("工单")), ("handover.", lambda: _("交接班")),
    ("checks.", lambda: _("设备检查")),
)


def action_label(endpoint: str) -> str:
    for prefix, label in ACTION_LABELS:
        if endpoint.startswith(prefix):
            return label()
    return _("记录")


def overseen_sites(user: User) -> list:
    return sites_for(user, *OVERSEERS)


def site_for(user: User, site_id: int | None):
    """The site whose quarantine `user` opens (`site_id`, or their first); NotFound for another site's."""
    if site_id is None:
        sites = overseen_sites(user)
        if not sites:
            raise NotFound(_("小区不存在，或您无权查看。"))
        return sites[0]
    return get_site(user, site_id, *OVERSEERS)


def site_items(site_id: int, limit: int = 100) -> tuple[list[QuarantineItem], list[QuarantineItem]]:
    """(pending items oldest first, decided items newest first) of a site."""
    base = select(QuarantineItem).where(QuarantineItem.site_id == site_id)
    pending = list(db.session.scalars(base.where(QuarantineItem.state == PENDING).order_by(QuarantineItem.id)))
    decided = list(db.session.scalars(base.where(QuarantineItem.state != PENDING)
                                      .order_by(QuarantineItem.decided_at.desc()).limit(limit)))
    return pending, decided


def pending_by_site(user: User) -> list[tuple[object, int]]:
    """[(site, pending count)] of the user's overseen sites that have pending items (for the home card)."""
    sites = overseen_sites(user)
    counts = dict(db.session.execute(
        select(QuarantineItem.site_id, func.count()).where(QuarantineItem.site_id.in_([s.id for s in sites]),
                                                          QuarantineItem.state == PENDING)
        .group_by(QuarantineItem.site_id)).all())
    return [(site, counts[site.id]) for site in sites if counts.get(site.id)]


def get_item(user: User, item_id: int) -> QuarantineItem:
    item = db.session.get(QuarantineItem, item_id)
    allowed = user.site_ids(*OVERSEERS)
    if item is None or item.site_id not in allowed:
        raise NotFound(_("记录不存在，或您无权查看。"), site_id=other_site(item, allowed))
    return item


def _decide(item: QuarantineItem, actor: User, state: str, note: str, now: datetime) -> None:
    """Mark the item decided, only if it is still pending (a conditional UPDATE: of two clicks one wins)."""
    taken = db.session.execute(
        update(QuarantineItem).where(QuarantineItem.id == item.id, QuarantineItem.state == PENDING)
        .values(state=state, decided_by_id=actor.id, decided_at=now, decision_note=note)
        .execution_options(synchronize_session=False))
    if taken.rowcount != 1:
        raise DomainError(_("这条记录已经处理过了。"), status=409, code="already_decided")
    db.session.refresh(item)


def _log(actor: User, item: QuarantineItem, after: dict, now: datetime) -> None:
    what = _("隔离记录 #%(id)d（%(action)s · %(name)s）", id=item.id, action=action_label(item.endpoint),
             name=item.user.name)
    log_admin_change(actor, item.site_id, what, {"state": PENDING}, after, now=now)


def apply_item(actor: User, item_id: int, *, now: datetime) -> QuarantineItem:
    """Apply the item late as its author (original device time), marked applied late by `actor`.

    Raises NotFound (another site), DomainError 409 when already decided or when the action's own rules
    refuse it now (the message says why; the item stays pending). Flushes; the caller commits."""
    item = get_item(actor, item_id)
    note = _("由 %(name)s 补录", name=actor.name)
    _decide(item, actor, APPLIED, note, now)
    status, body = run_as_author(item)
    key = IdempotencyKey(user_id=item.user_id, key=item.client_uuid, endpoint=item.endpoint,
                         request_hash=item.request_hash, completed=True, response_status=status, response_body=body,
                         device_time=item.device_time, received_at=item.received_at)
    try:
        with db.session.begin_nested():
            db.session.add(key)
    except IntegrityError:
        raise DomainError(_("这条记录已经上传过，无需补录。"), status=409, code="already_received") from None
    item.result = body
    _log(actor, item, {"state": APPLIED, "note": note, "key": item.client_uuid}, now)
    return item


def dismiss_item(actor: User, item_id: int, reason: str | None, *, now: datetime) -> QuarantineItem:
    """Dismiss the item with a required reason (kept as it is; nothing applied)."""
    item = get_item(actor, item_id)
    text = clean_text(reason, multiline=True)
    if not text:
        raise DomainError(_("请填写不采用的原因。"), code="reason_required")
    if len(text) > REASON_MAX:
        raise DomainError(_("原因最多 %(n)d 个字。", n=REASON_MAX), code="reason_too_long")
    _decide(item, actor, DISMISSED, text, now)
    _log(actor, item, {"state": DISMISSED, "reason": text, "key": item.client_uuid}, now)
    return item


# ---------------------------------------------------------------- hand-over files


@dataclass
class ImportResult:
    added: int = 0
    duplicates: int = 0
    errors: list[str] = field(default_factory=list)


def _works_on_site(user_id: int, site_id: int) -> bool:
    member = db.session.scalar(select(Membership.id).where(Membership.user_id == user_id,
                                                           Membership.site_id == site_id))
    ended = db.session.scalar(select(RoleEnded.id).where(RoleEnded.user_id == user_id, RoleEnded.site_id == site_id))
    return member is not None or ended is not None


def _already_here(user_id: int, key: str) -> bool:
    return db.session.scalar(select(QuarantineItem.id).where(
        QuarantineItem.user_id == user_id, QuarantineItem.client_uuid == key).union_all(
        select(IdempotencyKey.id).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key))) is not None


def read_handover(raw: bytes) -> list[dict]:
    """The items of a hand-over file; DomainError (400) for anything that is not one."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise DomainError(_("文件不是手机导出的记录文件（JSON）。"), code="not_json") from None
    if not isinstance(data, dict) or data.get("format") != HANDOVER_FORMAT or not isinstance(data.get("items"), list):
        raise DomainError(_("文件不是手机导出的记录文件（JSON）。"), code="not_handover")
    if len(data["items"]) > IMPORT_MAX_ITEMS:
        raise DomainError(_("一次最多导入 %(n)d 条记录。", n=IMPORT_MAX_ITEMS), code="too_many")
    return data["items"]


def import_handover(actor: User, site_id: int, raw: bytes, *, now: datetime) -> ImportResult:
    """Import a deactivated user's hand-over file into `site_id`'s quarantine.

    Each item is checked (author working or having worked on the site, client UUID, device time, a field
    action's URL, form fields, photos); a bad item is named in `errors` and skipped, one already received
    or already in quarantine (same author and client UUID) is counted as a duplicate. Photos are stored as
    if uploaded by the author. Flushes; the caller commits."""
    site = get_site(actor, site_id, *OVERSEERS)
    result = ImportResult()
    for number, entry in enumerate(read_handover(raw), start=1):
        try:
            with db.session.begin_nested():
                if _import_one(actor, site.id, entry, now=now):
                    result.added += 1
                else:
                    result.duplicates += 1
        except DomainError as error:
            result.errors.append(_("第 %(n)d 条：%(message)s", n=number, message=error.message))
    if result.added:
        log_admin_change(actor, site.id, _("导入停用账号的手机记录"), None,
                         {"added": result.added, "duplicates": result.duplicates, "errors": len(result.errors)},
                         now=now)
    return result


def _import_one(actor: User, site_id: int, entry, *, now: datetime) -> bool:
    from wuye_field.core.time import parse_device_time

    if not isinstance(entry, dict):
        raise DomainError(_("格式不对。"))
    key = parse_key(str(entry.get("id") or ""))
    user_id = str(entry.get("user_id") or "")
    device_time = parse_device_time(str(entry.get("created_at") or ""))
    if key is None or not user_id.isdigit() or device_time is None:
        raise DomainError(_("缺少记录编号、人员或时间。"))
    author = db.session.get(User, int(user_id))
    if author is None or not _works_on_site(author.id, site_id):
        raise DomainError(_("记录人不是本小区的人员。"))
    path = urlsplit(str(entry.get("url") or "")).path
    endpoint, _args = match_field_action(path)
    fields = _clean_fields(entry.get("fields"))
    if _already_here(author.id, key):
        return False
    _store_photos(author, entry.get("photos") or [], device_time, now)
    rule.keep(user_id=author.id, site_id=site_id, key=key, endpoint=endpoint, path=path, fields=fields,
              request_hash=request_fingerprint("POST", path, fields), device_time=device_time, received_at=now,
              reason=HANDED_OVER, detail=_("由 %(name)s 导入", name=actor.name), source=SOURCE_IMPORT,
              imported_by_id=actor.id)
    return True


def _clean_fields(raw) -> list[tuple[str, str]]:
    config = current_app.config
    if not isinstance(raw, list) or len(raw) > config["MAX_FORM_PARTS"]:
        raise DomainError(_("表单内容格式不对。"))
    fields = []
    for pair in raw:
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(v, str) for v in pair)):
            raise DomainError(_("表单内容格式不对。"))
        if pair[0] not in rule.IGNORED_FIELDS:
            fields.append((pair[0], pair[1]))
    if sum(len(n) + len(v) for n, v in fields) > config["FIELD_ACTION_MAX_BYTES"]:
        raise DomainError(_("表单内容太长。"))
    return fields


def _store_photos(author: User, photos, device_time: datetime, now: datetime) -> None:
    from wuye_field.photos.models import Photo
    from wuye_field.photos.processing import PhotoLimits
    from wuye_field.photos.storage import photo_storage
    from wuye_field.photos.upload import store_photo

    config = current_app.config
    if not isinstance(photos, list) or len(photos) > config["PHOTOS_PER_RECORD"]:
        raise DomainError(_("照片数量不对。"))
    for photo in photos:
        key = parse_key(str(photo.get("uuid") or "")) if isinstance(photo, dict) else None
        if key is None:
            raise DomainError(_("照片编号不对。"))
        if db.session.scalar(select(Photo.id).where(Photo.user_id == author.id, Photo.client_uuid == key)):
            continue
        try:
            data = base64.b64decode(str(photo.get("data") or ""), validate=True)
        except (binascii.Error, ValueError):
            raise DomainError(_("照片数据不对。")) from None
        if len(data) > config["PHOTO_MAX_BYTES"]:
            raise DomainError(_("照片太大。"))
        store_photo(author, data, Receipt(client_uuid=key, device_time=device_time, received_at=now),
                    checksum=photo.get("sha256"), storage=photo_storage(), limits=PhotoLimits.from_config(config))
