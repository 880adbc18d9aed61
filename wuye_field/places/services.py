"""Place rules: scoping to the user's sites, tag look-up and re-issue."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from wuye_field.accounts.models import Membership, User
from wuye_field.audit.services import log_admin_change
from wuye_field.audit.settings_history import change_setting
from wuye_field.core.geo import parse_position
from wuye_field.core.errors import DomainError, FieldErrors, Forbidden, NotFound, other_site
from wuye_field.core.text import clean_text, text_problem
from wuye_field.core.time import utcnow, valid_timezone
from wuye_field.extensions import db
from wuye_field.places.models import (
    DEFAULT_PATROL_INTERVAL_MIN, PLACE_KINDS, Building, Place, RetiredTag, Site, new_tag_token, places_of_site,
)


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
        raise NotFound(_("小区不存在，或您无权查看。"), site_id=site_id if db.session.get(Site, site_id) else None)
    site = db.session.get(Site, site_id)
    if site is None:
        raise NotFound(_("小区不存在，或您无权查看。"))
    return site


def site_by_code_or_id(user: User, raw: str | None, *roles: str) -> Site:
    """The site `raw` names — its code (exports take `site=<code>`) or its numeric id — if `user` holds one
    of `roles` there; NotFound otherwise (an unknown and a foreign site answer alike)."""
    text = (raw or "").strip()
    condition = Site.code == text.upper()
    if text.isascii() and text.isdigit():
        condition = (Site.id == int(text)) | condition
    site = db.session.scalar(select(Site).where(condition).limit(1)) if text else None
    if site is None:
        raise NotFound(_("小区不存在，或您无权查看。"))
    return get_site(user, site.id, *roles)


def get_place(user: User, place_id: int, *roles: str) -> Place:
    """An active place on one of the user's sites; NotFound otherwise."""
    place = db.session.get(Place, place_id)
    if place is None or not place.active or place.site_id not in user.site_ids(*roles):
        raise NotFound(_("地点不存在，或您无权查看。"), site_id=other_site(place, user.site_ids(*roles)))
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
    raise NotFound(_("找不到这个标签，或它不属于您的小区。"), site_id=other_site(place, site_ids))


def places_by_code(user: User, raw: str | None) -> list[Place]:
    """The active places on the user's sites whose code is `raw`, the text printed under a QR (「CP01」):
    case and spaces tolerated, and 「DEMO-CP01」 (site code first) too. Several when the user's sites
    share the code. Raises NotFound (Chinese) when nothing matches, empty input included."""
    code = "".join(str(raw or "").split("·")[0].split()).upper()
    found = _places_with_code(user, code)
    if not found and "-" in code:
        site_code, _sep, rest = code.partition("-")
        found = [p for p in _places_with_code(user, rest) if p.site.code.upper() == site_code]
    if not found:
        raise NotFound(_("没有编码为「%(code)s」的地点，或它不属于您的小区。请核对标签上的编码。",
                         code=clean_text(str(raw or ""))[:32]))
    return found


def _places_with_code(user: User, code: str) -> list[Place]:
    if not code or len(code) > 16:
        return []
    query = (select(Place).where(Place.site_id.in_(user.site_ids()), Place.active.is_(True),
                                 func.upper(Place.code) == code).order_by(Place.site_id))
    return list(db.session.scalars(query))


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


# ---------------------------------------------------------------- administration (管理处)
# Every function below takes the acting user and checks that they administer the site in question
# (NotFound otherwise, so other sites' objects are never confirmed to exist). Input errors come back
# as FieldErrors({field: message}); the caller re-renders its form. Functions only flush.

SITE_CODE_RE = re.compile(r"^[A-Z0-9-]{2,16}$")
PLACE_CODE_RE = re.compile(r"^[A-Z0-9-]{1,16}$")
HOST_RE = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$")
PATROL_INTERVAL_RANGE = (10, 1440)
DEFAULT_TIMEZONE = "Asia/Shanghai"
ADMIN = "admin"


@dataclass
class SiteAdminView:
    """What the site admin page shows: the site, its buildings and its places grouped by kind."""

    site: Site
    buildings: list[Building]
    place_groups: list[tuple[str, list[Place]]]
    kind: str | None = None
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def building_options(self) -> list[tuple[int, str]]:
        return [(b.id, b.name) for b in self.buildings]


def admin_sites(actor: User) -> list[Site]:
    """The sites `actor` administers; Forbidden unless they administer one or are a company admin."""
    if not (actor.is_admin or actor.has_role(ADMIN)):
        raise Forbidden(_("您没有权限执行此操作。"))
    return sites_for(actor, ADMIN)


def site_admin_view(actor: User, site_id: int, *, kind: str | None = None) -> SiteAdminView:
    """The admin view of one site; `kind` (checkpoint / cleaning / both) filters the places. NotFound if foreign."""
    site = get_site(actor, site_id, ADMIN)
    kind = kind if kind in PLACE_KINDS else None
    query = select(Place).where(Place.site_id == site.id).order_by(Place.code)
    if kind == "checkpoint":
        query = query.where(Place.kind.in_(("checkpoint", "both")))
    elif kind == "cleaning":
        query = query.where(Place.kind.in_(("cleaning", "both")))
    elif kind == "both":
        query = query.where(Place.kind == "both")
    places = list(db.session.scalars(query))
    groups = [(str(label), [p for p in places if p.kind == code]) for code, label in PLACE_KINDS.items()]
    counts = {"places": len(places), "key_areas": sum(p.is_key_area for p in places if p.active)}
    return SiteAdminView(site=site, buildings=site_buildings(site), kind=kind, counts=counts,
                         place_groups=[(label, group) for label, group in groups if group])


def site_buildings(site: Site) -> list[Building]:
    """A site's buildings by name."""
    return list(db.session.scalars(select(Building).where(Building.site_id == site.id).order_by(Building.name)))


def validate_site(code: str, name: str, timezone: str, public_base_url: str, *,
                  site_id: int | None = None) -> dict[str, str]:
    """Field errors for a site's code (ignored when editing), name, time zone and public base URL."""
    errors: dict[str, str] = {}
    if site_id is None:
        if not code:
            errors["code"] = _("请填写小区代码。")
        elif any(ch.isspace() for ch in code):
            errors["code"] = _("小区代码不能包含空格。")
        elif not SITE_CODE_RE.match(code):
            errors["code"] = _("小区代码须为 2–16 位大写字母、数字或 -。")
        elif db.session.scalar(select(Site.id).where(Site.code == code)) is not None:
            errors["code"] = _("小区代码已存在。")
    if message := _name_error(name, 60, _("请填写小区名称。")):
        errors["name"] = message
    if not _timezone_ok(timezone):
        errors["timezone"] = _("时区无效，例如 Asia/Shanghai。")
    if not valid_base_url(public_base_url):
        errors["public_base_url"] = _("网址须为 http(s)://主机[:端口][/路径]，例如 https://wuye.example.com。")
    return errors


def _timezone_ok(name: str) -> bool:
    """valid_timezone, made safe for any input: "Asia" or a 300-character name raise OSError in zoneinfo."""
    if not name or len(name) > 64:
        return False
    try:
        return valid_timezone(name)
    except OSError:
        return False


def valid_base_url(url: str) -> bool:
    """True for `http(s)://host[:port][/path]` with no query, fragment, credentials or spaces."""
    if not url or len(url) > 200 or any(ch.isspace() for ch in url):
        return False
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError when out of range or not a number
    except ValueError:
        return False
    return (
        parts.scheme in ("http", "https") and bool(parts.hostname) and HOST_RE.match(parts.hostname) is not None
        and "@" not in parts.netloc and not parts.query and not parts.fragment and url.count("?") == 0
        and url.count("#") == 0 and (port is None or port > 0)
    )


def create_site(actor: User, *, code: str, name: str, timezone: str, public_base_url: str) -> Site:
    """Create a site (company admins only, else Forbidden); the creator becomes its 管理处.

    `code` is upper-cased; raises FieldErrors on invalid input.
    """
    if not actor.is_admin:
        raise Forbidden(_("只有公司管理员可以新建小区。"))
    code, typed_name, name = (code or "").strip().upper(), name, clean_text(name)
    timezone = (timezone or "").strip() or DEFAULT_TIMEZONE
    public_base_url = (public_base_url or "").strip().rstrip("/")
    errors = validate_site(code, name, timezone, public_base_url) | _text_errors(name=typed_name)
    if errors:
        raise FieldErrors(errors)
    site = Site(code=code, name=name, timezone=timezone, public_base_url=public_base_url)
    _flush_unique(site, "code", _("小区代码已存在。"))
    actor.memberships.append(Membership(site_id=site.id, role=ADMIN))
    db.session.flush()
    return site


def update_site(actor: User, site_id: int, *, name: str, timezone: str, public_base_url: str) -> Site:
    """Change a site's name, time zone and public base URL (the code stays); FieldErrors on bad input."""
    site = get_site(actor, site_id, ADMIN)
    typed_name, name, timezone = name, clean_text(name), (timezone or "").strip()
    public_base_url = (public_base_url or "").strip().rstrip("/")
    errors = validate_site(site.code, name, timezone, public_base_url, site_id=site.id) | _text_errors(name=typed_name)
    if errors:
        raise FieldErrors(errors)
    site.name, site.timezone, site.public_base_url = name, timezone, public_base_url
    db.session.flush()
    return site


def _text_errors(**typed: str | None) -> dict[str, str]:
    """{field: message} for the typed values holding characters `clean_text` removes."""
    return {field: message for field, value in typed.items() if (message := text_problem(value))}


def _name_error(name: str, max_length: int, empty_message: str) -> str | None:
    if not name:
        return empty_message
    if len(name) > max_length:
        return _("名称最多 %(n)d 个字。", n=max_length)
    return None


def _flush_unique(obj, field_name: str, message: str) -> None:
    """Add and flush `obj` in a savepoint; a unique-constraint race becomes a field error, not a 500."""
    try:
        with db.session.begin_nested():
            db.session.add(obj)
    except IntegrityError as exc:
        raise FieldErrors({field_name: message}) from exc


# ---------------------------------------------------------------- buildings


def get_building(actor: User, building_id: int) -> Building:
    """A building on a site `actor` administers; NotFound otherwise."""
    building = db.session.get(Building, building_id)
    if building is None or building.site_id not in actor.site_ids(ADMIN):
        raise NotFound(_("楼栋不存在，或您无权查看。"), site_id=other_site(building, actor.site_ids(ADMIN)))
    return building


def _building_name_errors(site_id: int, name: str, building_id: int | None = None) -> dict[str, str]:
    if message := _name_error(name, 40, _("请填写楼栋名称。")):
        return {"name": message}
    query = select(Building.id).where(Building.site_id == site_id, Building.name == name)
    if building_id is not None:
        query = query.where(Building.id != building_id)
    if db.session.scalar(query) is not None:
        return {"name": _("本小区已有同名楼栋。")}
    return {}


def add_building(actor: User, site_id: int, name: str) -> Building:
    """Add a building (name unique per site, ≤ 40 characters); FieldErrors on bad input."""
    site = get_site(actor, site_id, ADMIN)
    typed, name = name, clean_text(name)
    if errors := _building_name_errors(site.id, name) | _text_errors(name=typed):
        raise FieldErrors(errors)
    building = Building(site_id=site.id, name=name)
    _flush_unique(building, "name", _("本小区已有同名楼栋。"))
    return building


def rename_building(actor: User, building_id: int, name: str) -> Building:
    """Rename a building (unique per site); FieldErrors on bad input, NotFound if foreign."""
    building = get_building(actor, building_id)
    typed, name = name, clean_text(name)
    if errors := _building_name_errors(building.site_id, name, building.id) | _text_errors(name=typed):
        raise FieldErrors(errors)
    building.name = name
    db.session.flush()
    return building


def remove_building(actor: User, building_id: int) -> Site:
    """Delete a building; its places stay, with no building. Returns the building's site."""
    building = get_building(actor, building_id)
    site = building.site
    for place in db.session.scalars(select(Place).where(Place.building_id == building.id)):
        place.building = None
    db.session.flush()
    site.buildings.remove(building)
    db.session.delete(building)
    db.session.flush()
    return site


# ---------------------------------------------------------------- places


def admin_place(actor: User, place_id: int) -> Place:
    """A place (active or not) on a site `actor` administers; NotFound otherwise."""
    place = db.session.get(Place, place_id)
    if place is None or place.site_id not in actor.site_ids(ADMIN):
        raise NotFound(_("地点不存在，或您无权查看。"), site_id=other_site(place, actor.site_ids(ADMIN)))
    return place


def clean_place_values(site: Site, values: dict, *, place_id: int | None = None) -> tuple[dict, dict[str, str]]:
    """Normalise raw form `values` for a place on `site`: (clean values, field errors).

    Keys: name, code, kind, building_id, is_key_area, patrol_interval_min (strings as posted).
    """
    errors: dict[str, str] = {}
    name = clean_text(values.get("name"))
    code = str(values.get("code") or "").strip().upper()
    kind = str(values.get("kind") or "")
    if message := _name_error(name, 60, _("请填写地点名称。")) or text_problem(values.get("name")):
        errors["name"] = message
    if not code:
        errors["code"] = _("请填写地点编号。")
    elif not PLACE_CODE_RE.match(code):
        errors["code"] = _("编号须为 1–16 位大写字母、数字或 -，不能有空格。")
    else:
        query = select(Place.id).where(Place.site_id == site.id, Place.code == code)
        if place_id is not None:
            query = query.where(Place.id != place_id)
        if db.session.scalar(query) is not None:
            errors["code"] = _("本小区已有此编号的地点。")
    if kind not in PLACE_KINDS:
        errors["kind"] = _("请选择类型。")
    building_id = _building_choice(site, values.get("building_id"), errors)
    interval = _interval(values.get("patrol_interval_min"), errors)
    clean = {"name": name, "code": code, "kind": kind, "building_id": building_id,
             "is_key_area": _truthy(values.get("is_key_area")), "patrol_interval_min": interval}
    if "lat" in values or "lon" in values:
        clean |= _place_position(values, errors)
    return clean, errors


def _place_position(values: dict, errors: dict[str, str]) -> dict:
    """The place's recorded position (both or neither), for the far-from-place check on scans."""
    raw_lat, raw_lon = str(values.get("lat") or "").strip(), str(values.get("lon") or "").strip()
    if not raw_lat and not raw_lon:
        return {"lat": None, "lon": None}
    position = parse_position({"lat": raw_lat, "lon": raw_lon})
    if position["lat"] is None:
        errors["lat"] = _("请填写有效的纬度和经度（如 31.2304 和 121.4737），或都留空。")
    return {"lat": position["lat"], "lon": position["lon"]}


def _building_choice(site: Site, raw, errors: dict[str, str]) -> int | None:
    if raw in (None, ""):
        return None
    building_ids = {b.id for b in site_buildings(site)}
    if not _is_number(str(raw)) or int(raw) not in building_ids:
        errors["building_id"] = _("请选择本小区的楼栋。")
        return None
    return int(raw)


def _interval(raw, errors: dict[str, str]) -> int:
    low, high = PATROL_INTERVAL_RANGE
    text = str(raw if raw is not None else "").strip()
    if not text:
        return DEFAULT_PATROL_INTERVAL_MIN
    if not _is_number(text) or not low <= int(text) <= high:
        errors["patrol_interval_min"] = _("巡查间隔须为 %(low)d–%(high)d 分钟的整数。", low=low, high=high)
        return DEFAULT_PATROL_INTERVAL_MIN
    return int(text)


def _is_number(text: str) -> bool:
    """ASCII digits only: str.isdigit() also accepts "²", which int() refuses."""
    return text.isascii() and text.isdigit()


def _truthy(value) -> bool:
    return str(value or "").lower() in {"1", "on", "true", "yes", "y"}


def create_place(actor: User, site_id: int, values: dict) -> Place:
    """Create a checkpoint / cleaning area on a site `actor` administers (with a fresh tag token).

    `values` as in clean_place_values; raises FieldErrors, or NotFound for a foreign site.
    """
    site = get_site(actor, site_id, ADMIN)
    clean, errors = clean_place_values(site, values)
    if errors:
        raise FieldErrors(errors)
    place = Place(site_id=site.id, **clean)
    _flush_unique(place, "code", _("本小区已有此编号的地点。"))
    return place


# The place's settings a compliance figure depends on (P2): effective-dated through audit.settings_history.
DATED_PLACE_SETTINGS = {"is_key_area": _l("重要部位"), "patrol_interval_min": _l("巡查间隔")}


def update_place(actor: User, place_id: int, values: dict, *, now: datetime | None = None,
                 effective_from: datetime | None = None) -> Place:
    """Change a place's name, code, kind, building, key-area flag and interval; its tag stays valid.

    The key-area flag and the interval change from `effective_from` (default now, never earlier: P2
    figures of past windows keep the settings they were measured with); the columns follow at once
    unless the change is scheduled for later (they hold the value in force now)."""
    place = admin_place(actor, place_id)
    clean, errors = clean_place_values(place.site, values, place_id=place.id)
    if errors:
        raise FieldErrors(errors)
    now = now or utcnow()
    for name, label in DATED_PLACE_SETTINGS.items():
        value = clean.pop(name)
        change_setting(actor, place.site_id, "place", name, value, subject_id=place.id, now=now,
                       effective_from=effective_from, default=getattr(place, name),
                       label=_("地点 %(code)s %(what)s", code=place.code, what=str(label)))
        if effective_from is None or effective_from <= now:
            setattr(place, name, value)
    before = {key: getattr(place, key) for key in clean}
    for key, value in clean.items():
        setattr(place, key, value)
    db.session.flush()
    changed = sorted(key for key in clean if before[key] != clean[key])
    if changed:  # who changed an interval, a key-area flag, a name (P2, H5)
        log_admin_change(actor, place.site_id, _("地点 %(code)s", code=place.code),
                         {k: before[k] for k in changed}, {k: clean[k] for k in changed}, now=now)
    return place


def set_place_active(actor: User, place_id: int, active: bool) -> Place:
    """Deactivate (its tag stops opening it; records keep pointing at it) or reactivate a place."""
    place = admin_place(actor, place_id)
    place.active = active
    db.session.flush()
    return place
