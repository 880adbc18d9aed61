"""Place rules: scoping to the user's sites, tag look-up and re-issue."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from wuye_field.accounts.models import User
from wuye_field.core.errors import DomainError, NotFound
from wuye_field.extensions import db
from wuye_field.places.models import Place, RetiredTag, Site, new_tag_token, places_of_site


class TagRetired(DomainError):
    """The scanned tag was replaced by a new one (the place is known, the token is not live)."""

    status = 410
    code = "tag_retired"


@dataclass(frozen=True)
class TagLookup:
    place: Place
    retired: RetiredTag | None = None


def sites_for(user: User, *roles: str) -> list[Site]:
    """The sites where `user` holds any of `roles` (any role when none given), by name."""
    ids = user.site_ids(*roles)
    if not ids:
        return []
    return list(db.session.scalars(select(Site).where(Site.id.in_(ids)).order_by(Site.name)))


def get_site(user: User, site_id: int, *roles: str) -> Site:
    """The site if `user` holds one of `roles` there; NotFound otherwise (no leak of other sites)."""
    if site_id not in user.site_ids(*roles):
        raise NotFound(_("小区不存在，或您无权查看。"))
    site = db.session.get(Site, site_id)
    if site is None:
        raise NotFound(_("小区不存在，或您无权查看。"))
    return site


def get_place(user: User, place_id: int, *roles: str) -> Place:
    """An active place on one of the user's sites; NotFound otherwise."""
    place = db.session.get(Place, place_id)
    if place is None or not place.active or place.site_id not in user.site_ids(*roles):
        raise NotFound(_("地点不存在，或您无权查看。"))
    return place


def lookup_tag(user: User, token: str) -> Place:
    """Resolve a scanned tag token for `user`.

    Returns the live place. Raises TagRetired (with the place's name) for a replaced tag and NotFound
    for an unknown token or a place outside the user's sites — the two look the same to the user.
    """
    site_ids = user.site_ids()
    place = db.session.scalar(select(Place).where(Place.tag_token == token))
    if place is not None and place.active and place.site_id in site_ids:
        return place
    retired = db.session.scalar(select(RetiredTag).where(RetiredTag.token == token))
    if retired is not None and retired.place.site_id in site_ids:
        raise TagRetired(
            _("此标签已于 %(date)s 更换，请扫描「%(name)s」处的新标签。",
              date=retired.retired_at.strftime("%Y-%m-%d"), name=retired.place.name)
        )
    raise NotFound(_("找不到这个标签，或它不属于您的小区。"))


def reissue_tag(place: Place, *, actor: User, now: datetime) -> RetiredTag:
    """Give `place` a new token; the old one is kept as retired so its scans get a clear message."""
    retired = RetiredTag(token=place.tag_token, place_id=place.id, retired_at=now, retired_by_id=actor.id)
    db.session.add(retired)
    place.tag_token = new_tag_token()
    place.tag_issued_at = now
    db.session.flush()
    return retired


def places_for_user(user: User, *, kind: str | None = None) -> list[Place]:
    """Active places on all of the user's sites (key areas first, then by code)."""
    result: list[Place] = []
    for site in sites_for(user):
        result.extend(db.session.scalars(places_of_site(site.id, kind=kind)))
    result.sort(key=lambda p: (p.site.name, not p.is_key_area, p.code))
    return result
