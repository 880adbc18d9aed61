"""Records name photos by UUID: the links (chained with the record), their counts, and who may see a photo."""
from __future__ import annotations

import uuid
from collections.abc import Iterable

from flask_babel import gettext as _
from sqlalchemy import and_, exists, func, or_, select

from wuye_field.accounts.models import ROLES, User
from wuye_field.audit import chain
from wuye_field.core.errors import DomainError, NotFound
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.photos.models import Photo, PhotoLink

PHOTO_LINK_KIND = "photo_link"

# A record's photo list is part of the record: each link is chained (H5).
chain.register_kind(PHOTO_LINK_KIND, chain.table_loader(
    "photo_link", ("photo_uuid", "owner_kind", "owner_id", "user_id", "position", "created_at")))


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
    site_ids = user.site_ids(*ROLES)  # the client's inspector reads the photos of their sites too
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
