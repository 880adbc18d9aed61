"""Storing an uploaded photo: checked against its checksum, re-encoded within the decode budget, stored once."""
from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from wuye_field.accounts.models import User
from wuye_field.core.errors import DomainError
from wuye_field.core.logging import security_event
from wuye_field.extensions import db
from wuye_field.photos.models import Photo, PhotoLink
from wuye_field.photos.processing import DecodeSlots, PhotoLimits, PhotoRejected, process_photo
from wuye_field.photos.storage import LocalStorage
from wuye_field.sync.receipt import Receipt

_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")


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
    (unless a committed photo uses them) should the transaction not commit (R4, R26).
    If a record already names this photo, the photo takes that record's site (R6). The decode
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
