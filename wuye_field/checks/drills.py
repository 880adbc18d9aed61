"""Drill records (P11: a fire drill at least once a year): type, day, place, participants, duration, findings."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select

from wuye_field.accounts.models import Membership, User
from wuye_field.audit import chain
from wuye_field.checks.defaults import DRILL_KINDS
from wuye_field.checks.models import Drill
from wuye_field.core.errors import DomainError, NotFound
from wuye_field.core.text import clean_text
from wuye_field.extensions import db
from wuye_field.photos import links as photo_links
from wuye_field.places.models import Place, Site
from wuye_field.sync.models import FIELD_COLUMNS
from wuye_field.sync.receipt import Receipt

PHOTO_OWNER = "drill"
RECORDERS = ("supervisor", "admin", "guard")
TEXT_MAX = 1000
chain.register_tables({"drill": FIELD_COLUMNS + ("kind", "held_on", "place_id", "location", "participant_ids",
                                                 "participants_typed", "duration_min", "findings")})


class DrillRefused(DomainError):
    status = 422
    code = "drill_refused"


@dataclass(frozen=True)
class DrillForm:
    site: Site
    places: list[Place]
    staff: list[User]
    kinds: list[tuple[str, str]]


def drill_form(user: User, site_id: int | None) -> DrillForm:
    sites = sorted(user.site_ids(*RECORDERS))
    if not sites or (site_id is not None and site_id not in sites):
        raise NotFound(_("小区不存在，或您无权查看。"))
    site = db.session.get(Site, site_id or sites[0])
    places = list(db.session.scalars(select(Place).where(Place.site_id == site.id, Place.active.is_(True))
                                     .order_by(Place.code)))
    staff = list(db.session.scalars(select(User).join(Membership).where(Membership.site_id == site.id,
                                                                        User.active.is_(True))
                                     .order_by(User.name).distinct()))
    return DrillForm(site, places, staff, [(k, str(v)) for k, v in DRILL_KINDS.items()])


def record_drill(user: User, *, site_id: int, form: dict, participant_ids: list[str], photo_ids: list[str],
                 receipt: Receipt) -> Drill:
    """Store a drill; a replay returns the stored one. DrillRefused (Chinese) for a bad field."""
    stored = db.session.scalar(select(Drill).where(Drill.user_id == user.id, Drill.client_uuid == receipt.client_uuid))
    if stored is not None:
        return stored
    if site_id not in user.site_ids(*RECORDERS):
        raise NotFound(_("小区不存在，或您无权查看。"), scope_site_id=site_id)
    site = db.session.get(Site, site_id)
    kind = form.get("kind", "")
    if kind not in DRILL_KINDS:
        raise DrillRefused(_("请选择演练类型。"), code="bad_kind")
    today = receipt.device_time.astimezone(ZoneInfo(site.timezone)).date()
    try:
        held_on = date.fromisoformat(str(form.get("held_on") or "").strip())
    except ValueError as exc:
        raise DrillRefused(_("日期格式应为 YYYY-MM-DD。"), code="bad_date") from exc
    if held_on > today or held_on < today - timedelta(days=366):
        raise DrillRefused(_("演练日期应在过去一年内。"), code="bad_date")
    duration = str(form.get("duration_min") or "").strip()
    if not (duration.isdigit() and 1 <= int(duration) <= 24 * 60):
        raise DrillRefused(_("时长请填写 1–1440 分钟。"), code="bad_duration")
    place_id = None
    if str(form.get("place_id") or "").strip().isdigit():
        place = db.session.get(Place, int(form["place_id"]))
        if place is None or place.site_id != site.id:
            raise DrillRefused(_("地点不在本小区。"), code="bad_place")
        place_id = place.id
    staff = set(db.session.scalars(select(Membership.user_id).where(Membership.site_id == site.id)))
    ids = sorted({int(i) for i in participant_ids if str(i).isdigit() and int(i) in staff})
    typed = clean_text(form.get("participants_typed"), multiline=True)
    findings = clean_text(form.get("findings"), multiline=True)
    location = clean_text(form.get("location"), multiline=False)
    if len(typed) > TEXT_MAX or len(findings) > TEXT_MAX or len(location) > 100:
        raise DrillRefused(_("文字太长了。"), code="too_long")
    if not ids and not typed:
        raise DrillRefused(_("请勾选或填写参加人员。"), code="no_participants")
    drill = Drill(**receipt.columns(), user_id=user.id, site_id=site.id, kind=kind, held_on=held_on,
                  place_id=place_id, location=location, participant_ids=ids, participants_typed=typed,
                  duration_min=int(duration), findings=findings)
    db.session.add(drill)
    db.session.flush()
    photo_links.link_photos(PHOTO_OWNER, drill.id, user_id=user.id, site_id=site.id, photo_ids=photo_ids)
    chain.append_records(site.id, "drill", [drill.id], now=receipt.received_at)
    return drill


def site_drills(site_id: int, limit: int = 20) -> list[Drill]:
    return list(db.session.scalars(select(Drill).where(Drill.site_id == site_id)
                                   .order_by(Drill.held_on.desc(), Drill.id.desc()).limit(limit)))
