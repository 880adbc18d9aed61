"""The staff side of the residents' window: the admin replaces a building's code and sets the desk phone;
the desk writes notices. Plain values in, flush only; every admin change goes to the admin change log."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import or_, select

from wuye_field.accounts.models import User
from wuye_field.audit.services import log_admin_change
from wuye_field.audit.settings_history import change_setting
from wuye_field.core.errors import FieldErrors, NotFound
from wuye_field.core.text import clean_text, text_problem
from wuye_field.core.time import as_utc
from wuye_field.extensions import db
from wuye_field.places.models import Building, Site, new_tag_token
from wuye_field.places.services import get_site
from wuye_field.residents.models import NOTICE_BODY_MAX, NOTICE_TITLE_MAX, DeskNotice, RetiredBuildingToken
from wuye_field.residents.settings import site_setting

NOTICE_ROLES = ("desk", "supervisor", "admin")
DESK_PHONE_CHARS = set("0123456789-+ ")


def admin_buildings(actor: User, site_id: int) -> tuple[Site, list[Building]]:
    site = get_site(actor, site_id, "admin")
    return site, list(db.session.scalars(select(Building).where(Building.site_id == site.id).order_by(Building.name)))


def replace_token(actor: User, building_id: int, *, now: datetime) -> Building:
    """A new public code for a building (a QR photographed and misused, a sticker torn off): the old code
    then says it was replaced."""
    building = db.session.get(Building, building_id)
    if building is None or building.site_id not in actor.site_ids("admin"):
        raise NotFound(_("楼栋不存在，或您无权查看。"))
    db.session.add(RetiredBuildingToken(token=building.public_token, building_id=building.id, retired_at=now,
                                        retired_by_id=actor.id))
    building.public_token = new_tag_token()
    db.session.flush()
    log_admin_change(actor, building.site_id, _("楼栋公示二维码 %(name)s", name=building.name), _("旧二维码"),
                     _("新二维码"), now=now)
    return building


def set_desk_phone(actor: User, site_id: int, raw: str, *, now: datetime) -> str:
    """The service desk's phone shown on every window (effective-dated, logged)."""
    site = get_site(actor, site_id, "admin")
    phone = "".join(str(raw or "").split())
    if not phone or len(phone) > 20 or not set(phone) <= DESK_PHONE_CHARS:
        raise FieldErrors({"desk_phone": _("请填写客服电话，只能包含数字、+ 和 -。")})
    change_setting(actor, site.id, "site", "residents.desk_phone", phone, now=now,
                   default=site_setting(site.id, "residents.desk_phone", now), label=_("客服电话"))
    return phone


# ---------------------------------------------------------------- notices (the desk, W10)


def notice_sites(user: User) -> list[Site]:
    ids = user.site_ids(*NOTICE_ROLES)
    return list(db.session.scalars(select(Site).where(Site.id.in_(ids)).order_by(Site.name))) if ids else []


def current_notices(user: User, *, now: datetime) -> list[DeskNotice]:
    ids = user.site_ids(*NOTICE_ROLES)
    if not ids:
        return []
    return list(db.session.scalars(select(DeskNotice).where(DeskNotice.site_id.in_(ids),
                                                            or_(DeskNotice.ends_at.is_(None),
                                                                DeskNotice.ends_at >= as_utc(now)))
                                   .order_by(DeskNotice.starts_at)))


def add_notice(user: User, site_id: int, values: dict, *, now: datetime) -> DeskNotice:
    """A notice (停水、停电 …) for the whole site or one building, shown from now for `days` days."""
    site = get_site(user, site_id, *NOTICE_ROLES)
    errors: dict[str, str] = {}
    title, body = clean_text(values.get("title")), clean_text(values.get("body"), multiline=True)
    if message := text_problem(values.get("title")) or text_problem(values.get("body"), multiline=True):
        errors["title"] = message
    elif not title or len(title) > NOTICE_TITLE_MAX:
        errors["title"] = _("请填写标题（最多 %(n)d 字）。", n=NOTICE_TITLE_MAX)
    if len(body) > NOTICE_BODY_MAX:
        errors["body"] = _("内容最多 %(n)d 字。", n=NOTICE_BODY_MAX)
    days = str(values.get("days") or "3").strip()
    if not (days.isascii() and days.isdigit() and 1 <= int(days) <= 60):
        errors["days"] = _("显示天数须为 1–60。")
    building_id = None
    raw_building = str(values.get("building_id") or "")
    if raw_building:
        building = db.session.get(Building, int(raw_building)) if raw_building.isdigit() else None
        if building is None or building.site_id != site.id:
            errors["building_id"] = _("请选择本小区的楼栋。")
        else:
            building_id = building.id
    if errors:
        raise FieldErrors(errors)
    start = as_utc(now)
    local_end = (start + timedelta(days=int(days))).astimezone(ZoneInfo(site.timezone))
    notice = DeskNotice(site_id=site.id, building_id=building_id, title=title, body=body, starts_at=start,
                        ends_at=local_end.replace(hour=23, minute=59, second=0, microsecond=0),
                        created_by_id=user.id, created_at=start)
    db.session.add(notice)
    db.session.flush()
    return notice


def end_notice(user: User, notice_id: int, *, now: datetime) -> DeskNotice:
    notice = db.session.get(DeskNotice, notice_id)
    if notice is None or notice.site_id not in user.site_ids(*NOTICE_ROLES):
        raise NotFound(_("找不到这条公告。"))
    notice.ends_at = as_utc(now)
    db.session.flush()
    return notice
