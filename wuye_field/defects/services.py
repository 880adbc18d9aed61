"""Photo rules: store an uploaded photo once, link records to photos by UUID, decide who may see one."""
from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable, Iterable

from flask_babel import gettext as _
from sqlalchemy import and_, exists, func, or_, select

from wuye_field.accounts.models import User
from wuye_field.audit import chain
from wuye_field.core.errors import DomainError, NotFound
from wuye_field.core.logging import security_event
from wuye_field.core.time import utcnow
from wuye_field.defects.models import Photo, PhotoLink
from wuye_field.defects.photos import DecodeSlots, PhotoLimits, PhotoRejected, process_photo
from wuye_field.defects.storage import LocalStorage
from wuye_field.extensions import db
from wuye_field.sync.receipt import Receipt

_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")
PHOTO_LINK_KIND = "photo_link"

# A record's photo list is part of the record: each link is chained (STANDARDS H5).
chain.register_kind(PHOTO_LINK_KIND, chain.table_loader(
    "photo_link", ("photo_uuid", "owner_kind", "owner_id", "user_id", "position", "created_at")))


class ChecksumMismatch(DomainError):
    """X-Content-SHA256 does not match the bytes that arrived: the phone sends the photo again."""

    status = 400
    code = "checksum"


def store_photo(user: User, data: bytes, receipt: Receipt, *, checksum: str | None, storage: LocalStorage,
                limits: PhotoLimits, slots: DecodeSlots | None = None,
                on_rollback: Callable[[Callable[[], None]], None] = lambda hook: None) -> Photo:
    """Check, re-encode and store one photo uploaded by `user` under its UUID (the receipt's client UUID).

    `checksum` is the phone's hex SHA-256 of the bytes (None when it sent none). Files are written
    before the row is flushed; `on_rollback` receives a hook that removes the files this call created
    (unless a committed photo uses them) should the transaction not commit (RELIABILITY 4, 26).
    If a record already names this photo, the photo takes that record's site (RELIABILITY 6). The decode
    runs holding one of `slots` (the process's bound on concurrent decodes; None: unbounded).
    Returns the flushed Photo. Raises ChecksumMismatch (400), PhotoRejected (413/415/422), StorageFull (507),
    DecodersBusy (503).
    """
    client_uuid = receipt.client_uuid
    digest = hashlib.sha256(data).hexdigest()
    if checksum is not None and (not _HEX64.match(checksum.strip()) or checksum.strip().lower() != digest):
        security_event("upload_refused", code="checksum", photo=client_uuid, bytes=len(data))
        raise ChecksumMismatch(_("照片传输不完整（校验值不符），请重新上传。"))
    try:
        processed = process_photo(data, limits, slots)
    except PhotoRejected as exc:
        security_event("upload_refused", code=exc.code, photo=client_uuid, bytes=len(data))
        raise
    keys = []
    for content in (processed.display, processed.thumb):
        key = storage.key_for(content)
        if not storage.exists(key):
            on_rollback(lambda key=key: _remove_unless_used(storage, key))
        keys.append(storage.put(content))
    site_id = db.session.scalar(
        select(PhotoLink.site_id).where(PhotoLink.photo_uuid == client_uuid, PhotoLink.user_id == user.id)
        .order_by(PhotoLink.id).limit(1)
    )
    photo = Photo(
        **receipt.columns(), user_id=user.id, site_id=site_id, sha256=digest, display_key=keys[0],
        thumb_key=keys[1], width=processed.width, height=processed.height, format_in=processed.format_in,
        bytes_in=len(data), bytes_out=len(processed.display),
    )
    db.session.add(photo)
    db.session.flush()
    return photo


def _remove_unless_used(storage: LocalStorage, key: str) -> None:
    """Delete a file written by a rolled-back upload, unless a committed photo shares its content."""
    used = db.session.scalar(select(func.count(Photo.id)).where(or_(Photo.display_key == key, Photo.thumb_key == key)))
    if not used:
        storage.delete(key)
    db.session.rollback()


def parse_photo_ids(raw: str | None, limit: int) -> list[str]:
    """The photo UUIDs a record names (`photo_ids`: comma-separated), canonical, de-duplicated, in order.

    Raises DomainError (400) for something that is not a UUID or more than `limit` photos.
    """
    result: list[str] = []
    for part in (raw or "").split(","):
        if not part.strip():
            continue
        try:
            value = str(uuid.UUID(part.strip()))
        except ValueError as exc:
            raise DomainError(_("照片编号无效。"), code="invalid_photo_ids") from exc
        if value not in result:
            result.append(value)
    if len(result) > limit:
        raise DomainError(_("一条记录最多 %(n)d 张照片。", n=limit), code="too_many_photos")
    return result


def link_photos(owner_kind: str, owner_id: int, *, user_id: int, site_id: int, photo_ids: Iterable[str]) -> int:
    """Record that a record (`owner_kind`, `owner_id`) by `user_id` on `site_id` names these photos.

    Photos of that user already here take the record's site. Returns how many are still missing.
    """
    photo_ids = list(photo_ids)
    if not photo_ids:
        return 0
    links = [PhotoLink(photo_uuid=photo_uuid, owner_kind=owner_kind, owner_id=owner_id, user_id=user_id,
                       site_id=site_id, position=position) for position, photo_uuid in enumerate(photo_ids)]
    db.session.add_all(links)
    db.session.flush()
    chain.append_records(site_id, PHOTO_LINK_KIND, [link.id for link in links], now=utcnow())
    present = list(db.session.scalars(
        select(Photo).where(Photo.user_id == user_id, Photo.client_uuid.in_(photo_ids))
    ))
    for photo in present:
        if photo.site_id is None:
            photo.site_id = site_id
    db.session.flush()
    return len(photo_ids) - len(present)


def _photo_present():
    return exists().where(Photo.client_uuid == PhotoLink.photo_uuid, Photo.user_id == PhotoLink.user_id)


def pending_photo_counts(owner_kind: str, owner_ids: Iterable[int]) -> dict[int, int]:
    """{record id: number of named photos that have not arrived} for records with any missing (one query)."""
    owner_ids = list(owner_ids)
    if not owner_ids:
        return {}
    rows = db.session.execute(
        select(PhotoLink.owner_id, func.count(PhotoLink.id))
        .where(PhotoLink.owner_kind == owner_kind, PhotoLink.owner_id.in_(owner_ids), ~_photo_present())
        .group_by(PhotoLink.owner_id)
    )
    return {owner_id: count for owner_id, count in rows}


def photos_of(owner_kind: str, owner_id: int) -> list[Photo]:
    """The photos of one record that have arrived, in the order the record named them."""
    return list(db.session.scalars(
        select(Photo)
        .join(PhotoLink, and_(Photo.client_uuid == PhotoLink.photo_uuid, Photo.user_id == PhotoLink.user_id))
        .where(PhotoLink.owner_kind == owner_kind, PhotoLink.owner_id == owner_id).order_by(PhotoLink.position)
    ))


def photo_for_viewer(user: User, photo_uuid: str) -> Photo:
    """The photo `photo_uuid` if `user` uploaded it or holds a role on its site; NotFound otherwise."""
    try:
        photo_uuid = str(uuid.UUID(photo_uuid))
    except ValueError as exc:
        raise NotFound(_("照片不存在，或您无权查看。")) from exc
    site_ids = user.site_ids()
    visible = or_(Photo.user_id == user.id, Photo.site_id.in_(site_ids)) if site_ids else Photo.user_id == user.id
    photo = db.session.scalar(select(Photo).where(Photo.client_uuid == photo_uuid, visible).order_by(Photo.id).limit(1))
    if photo is None:
        raise NotFound(_("照片不存在，或您无权查看。"))
    return photo


def photo_counts(owner_kind: str, owner_ids: list[int]) -> dict[int, int]:
    """{owner id: number of photos linked} for records of `owner_kind` (ids without photos are left out)."""
    if not owner_ids:
        return {}
    rows = db.session.execute(select(PhotoLink.owner_id, func.count(PhotoLink.id))
                              .where(PhotoLink.owner_kind == owner_kind, PhotoLink.owner_id.in_(owner_ids))
                              .group_by(PhotoLink.owner_id))
    return dict(rows.all())
