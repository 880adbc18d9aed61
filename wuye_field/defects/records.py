"""Defect records (隐患/缺陷): report one at a place or anywhere, list and show them per site, resolve them,
export them. Plain arguments (actor, times), flush only; the caller commits once."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError

from wuye_field.accounts.models import User
from wuye_field.audit import chain
from wuye_field.core.csv_export import csv_text
from wuye_field.core.errors import DomainError, Forbidden, NotFound, other_site
from wuye_field.core.text import clean_text
from wuye_field.core.time import as_utc
from wuye_field.photos import links as photos
from wuye_field.defects.models import DEFECT_CATEGORIES, Defect, DefectResolution
from wuye_field.photos.models import Photo, PhotoLink
from wuye_field.extensions import db
from wuye_field.places.models import Place, Site
from wuye_field.places.services import get_place, site_by_code_or_id, sites_for
from wuye_field.sync.models import FIELD_COLUMNS
from wuye_field.sync.receipt import Receipt

PHOTO_OWNER = "defect"  # PhotoLink.owner_kind of defect photos
OVERSEERS = ("supervisor", "admin", "desk")  # see a site's defect list
RESOLVERS = ("supervisor", "admin")  # close a defect as resolved
ORDER_RAISERS = ("supervisor", "admin", "desk")  # turn a defect into a work order (the desk raises orders)
EXPORTERS = ("supervisor", "admin")
FIELD_ROLES = ("guard", "cleaner", "technician", "supervisor")  # keep /defects/new offline
NOTE_MAX = 500
LOCATION_MAX = 100
LIST_LIMIT = 200
SEVERITIES = {"low": _l("一般"), "medium": _l("较重"), "high": _l("严重")}
OUTCOMES = ("resolved", "order")
OPEN, CLOSED = "open", "closed"

# What each record kind hashes into the site's chain (explicit columns: a column added later never
# changes the content of old records).
CHAIN_KINDS = {
    "defect": FIELD_COLUMNS + ("place_id", "location", "category", "severity", "note", "inspection_id", "round_id"),
    "defect_resolution": FIELD_COLUMNS + ("defect_id", "outcome", "note", "work_order_id"),
}
chain.register_tables(CHAIN_KINDS)


class DefectRefused(DomainError):
    """The defect or its resolution cannot be stored as sent (a field is missing or wrong)."""

    status = 422
    code = "defect_refused"


# ---------------------------------------------------------------- labels and small rules


def category_label(category: str) -> str:
    return str(DEFECT_CATEGORIES.get(category, category))


def severity_label(severity: str) -> str:
    return str(SEVERITIES.get(severity, severity))


def category_options() -> list[tuple[str, str]]:
    return [(key, str(label)) for key, label in DEFECT_CATEGORIES.items()]


def severity_options() -> list[tuple[str, str]]:
    return [(key, str(label)) for key, label in SEVERITIES.items()]


def found_at(defect: Defect) -> datetime:
    """When the defect was found: the phone's time, or the server's when the phone's clock was flagged."""
    return as_utc(defect.received_at if defect.skew_flagged else defect.device_time)


def age_text(since: datetime, now: datetime) -> str:
    """「刚刚」「12 分钟」「5 小时」「3 天」: how long a defect has been (or was) open (never negative)."""
    minutes = max(0, int((as_utc(now) - as_utc(since)).total_seconds() // 60))
    if minutes < 1:
        return _("刚刚")
    if minutes < 60:
        return _("%(n)d 分钟", n=minutes)
    if minutes < 24 * 60:
        return _("%(n)d 小时", n=minutes // 60)
    return _("%(n)d 天", n=minutes // (24 * 60))


def clean_field(raw: str | None, limit: int, message: str, *, multiline: bool = True) -> str:
    """Cleaned text (`core.text.clean_text`) of at most `limit` characters; DefectRefused with `message`
    when longer."""
    text = clean_text(raw, multiline=multiline)
    if len(text) > limit:
        raise DefectRefused(message, code="too_long")
    return text


def parse_optional_id(raw: str | None) -> int | None:
    """An optional record id from a form (`inspection_id`, `round_id`): None when empty; 400 when not a number."""
    text = (raw or "").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or len(text) > 12:
        raise DomainError(_("关联的巡查或巡更记录编号无效。"), code="invalid_reference")
    return int(text)


# ---------------------------------------------------------------- recording a defect


@dataclass(frozen=True)
class DefectView:
    """A stored defect with its place (None when recorded "anywhere") and how many photos are still to come."""

    defect: Defect
    place: Place | None
    pending_photos: int = 0

    @property
    def where(self) -> str:
        return where_text(self.place, self.defect.location)

    @property
    def message(self) -> str:
        text = _("已报告问题：%(where)s", where=self.where)
        if self.pending_photos:
            text += _("（%(n)d 张照片待上传）", n=self.pending_photos)
        return text

    def as_json(self) -> dict:
        d = self.defect
        return {"id": d.id, "client_uuid": d.client_uuid, "site_id": d.site_id, "place_id": d.place_id,
                "location": d.location, "category": d.category, "severity": d.severity,
                "pending_photos": self.pending_photos, "device_time": as_utc(d.device_time).isoformat(),
                "received_at": as_utc(d.received_at).isoformat(), "skew_flagged": d.skew_flagged}


def where_text(place: Place | None, location: str) -> str:
    """「配电房 · 东侧门口」, or the typed location alone for a defect recorded anywhere."""
    if place is None:
        return location
    return f"{place.name} · {location}" if location else place.name


def _defect_site(user: User, place_id: int | None, site_id: int | None, location: str) -> tuple[int, Place | None]:
    """(site id, place) of a new defect: the place's site, or the chosen (or only) site for a typed location."""
    if place_id is not None:
        place = get_place(user, place_id)  # any role on the place's site may report there
        return place.site_id, place
    if not location:
        raise DefectRefused(_("请选择地点，或写下问题在哪里。"), code="place_required")
    site_ids = user.site_ids()
    if site_id is None:
        if len(site_ids) != 1:
            raise DefectRefused(_("请选择小区。"), code="site_required")
        site_id = next(iter(site_ids))
    if site_id not in site_ids:
        raise NotFound(_("小区不存在，或您无权查看。"))
    return site_id, None


def record_defect(user: User, *, place_id: int | None, site_id: int | None, location: str | None, category: str,
                  severity: str, note: str | None, photo_ids: list[str], receipt: Receipt,
                  inspection_id: int | None = None, round_id: int | None = None) -> DefectView:
    """Store a defect `user` found: at a place of their sites, or anywhere on a site (`location` typed).

    Anyone holding a role on the site may report. At least one photo (`photo_ids`) is required; photos not
    uploaded yet count as pending. The record is chained into the site's hash log.
    Raises NotFound (place or site not theirs), DefectRefused (422: no place nor location, bad category or
    severity, no photo, text too long).
    """
    location = clean_field(location, LOCATION_MAX, _("位置最多 %(n)d 个字。", n=LOCATION_MAX), multiline=False)
    note = clean_field(note, NOTE_MAX, _("描述最多 %(n)d 个字。", n=NOTE_MAX))
    site_id, place = _defect_site(user, place_id, site_id, location)
    if category not in DEFECT_CATEGORIES:
        raise DefectRefused(_("请选择问题类别。"), code="category_required")
    if severity not in SEVERITIES:
        raise DefectRefused(_("请选择严重程度。"), code="severity_required")
    if not photo_ids:
        raise DefectRefused(_("请至少拍一张照片。"), code="photo_required")
    defect = Defect(
        **receipt.columns(), user_id=user.id, site_id=site_id, place_id=place.id if place else None,
        location=location, category=category, severity=severity, note=note, inspection_id=inspection_id,
        round_id=round_id,
    )
    db.session.add(defect)
    db.session.flush()
    pending = photos.link_photos(PHOTO_OWNER, defect.id, user_id=user.id, site_id=site_id, photo_ids=photo_ids)
    chain.append_records(site_id, "defect", [defect.id], now=receipt.received_at)
    return DefectView(defect, place, pending)


# ---------------------------------------------------------------- reading defects


def is_open():
    """SQL condition: the defect has no resolution yet."""
    return ~exists().where(DefectResolution.defect_id == Defect.id)


def is_resolved(defect_id: int) -> bool:
    return db.session.scalar(select(DefectResolution.id).where(DefectResolution.defect_id == defect_id)) is not None


def defect_on_site(site_id: int, defect_id: int) -> Defect | None:
    """The defect when it exists on `site_id` (no access check: the caller checked the site), else None."""
    defect = db.session.get(Defect, defect_id)
    return defect if defect is not None and defect.site_id == site_id else None


def defects_at_places(site_id: int, place_ids: list[int], start: datetime, end: datetime) -> list[Defect]:
    """Defects found at these places of a site in `[start, end)` (device time), oldest first."""
    return list(db.session.scalars(select(Defect).where(
        Defect.site_id == site_id, Defect.place_id.in_(place_ids), Defect.device_time >= start,
        Defect.device_time < end).order_by(Defect.device_time)))


def get_defect_for(user: User, defect_id: int) -> Defect:
    """The defect if `user` reported it or holds a role on its site; NotFound otherwise (never says which)."""
    defect = db.session.get(Defect, defect_id)
    if defect is None or (defect.user_id != user.id and defect.site_id not in user.site_ids()):
        raise NotFound(_("问题记录不存在，或您无权查看。"), site_id=other_site(defect, user.site_ids()))
    return defect


@dataclass
class DefectRow:
    """A defect as lists show it: place, reporter, first photo, resolution, age."""

    defect: Defect
    place: Place | None
    reporter: User | None
    resolution: DefectResolution | None
    thumb: Photo | None
    pending_photos: int
    timezone: str
    age: str

    @property
    def where(self) -> str:
        return where_text(self.place, self.defect.location)

    @property
    def found_at(self) -> datetime:
        return found_at(self.defect)

    @property
    def is_open(self) -> bool:
        return self.resolution is None

    @property
    def category_label(self) -> str:
        return category_label(self.defect.category)

    @property
    def severity_label(self) -> str:
        return severity_label(self.defect.severity)

    @property
    def state_label(self) -> str:
        return state_label(self.resolution)

    @property
    def age_label(self) -> str:
        """「已 3 天」 while open, 「用时 5 小时」 once closed."""
        if self.is_open:
            return self.age if self.age == _("刚刚") else _("已 %(age)s", age=self.age)
        return _("用时 %(age)s", age=self.age)


def state_label(resolution: DefectResolution | None) -> str:
    if resolution is None:
        return _("未处理")
    return _("已转工单") if resolution.outcome == "order" else _("已处理")


def _by_id(model, ids) -> dict:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return {obj.id: obj for obj in db.session.scalars(select(model).where(model.id.in_(ids)))}


def first_photos(defect_ids: list[int]) -> dict[int, Photo]:
    """{defect id: its first arrived photo} in one query."""
    if not defect_ids:
        return {}
    rows = db.session.execute(
        select(PhotoLink.owner_id, Photo)
        .join(Photo, (Photo.client_uuid == PhotoLink.photo_uuid) & (Photo.user_id == PhotoLink.user_id))
        .where(PhotoLink.owner_kind == PHOTO_OWNER, PhotoLink.owner_id.in_(defect_ids))
        .order_by(PhotoLink.owner_id, PhotoLink.position)
    )
    result: dict[int, Photo] = {}
    for owner_id, photo in rows:
        result.setdefault(owner_id, photo)
    return result


def resolutions_of(defect_ids: list[int]) -> dict[int, DefectResolution]:
    if not defect_ids:
        return {}
    return {r.defect_id: r for r in db.session.scalars(
        select(DefectResolution).where(DefectResolution.defect_id.in_(defect_ids)))}


def rows_for(defects: list[Defect], *, now: datetime) -> list[DefectRow]:
    """Rows for some defects with everything a list shows (a fixed number of queries, no N+1)."""
    ids = [d.id for d in defects]
    sites = _by_id(Site, (d.site_id for d in defects))  # place and reporter come joined with each defect
    resolutions, thumbs = resolutions_of(ids), first_photos(ids)
    pending = photos.pending_photo_counts(PHOTO_OWNER, ids)
    rows = []
    for d in defects:
        resolution = resolutions.get(d.id)
        until = as_utc(resolution.received_at) if resolution else now
        rows.append(DefectRow(d, d.place, d.user, resolution, thumbs.get(d.id),
                              pending.get(d.id, 0), sites[d.site_id].timezone, age_text(found_at(d), until)))
    return rows


def _newest_first(query):
    return query.order_by(Defect.device_time.desc(), Defect.id.desc())


def defects_of_site(site_id: int, state: str | None = OPEN):
    """select() of a site's defects (open, closed, or all when `state` is None), newest first."""
    query = select(Defect).where(Defect.site_id == site_id)
    if state == OPEN:
        query = query.where(is_open())
    elif state == CLOSED:
        query = query.where(~is_open())
    return _newest_first(query)


@dataclass
class SiteList:
    site: Site
    sites: list[Site]
    state: str
    rows: list[DefectRow]
    open_count: int
    closed_count: int
    can_export: bool = False
    today: date | None = None

    @property
    def month_start(self) -> date | None:
        """The export form's default first day: the 1st of this month (site time)."""
        return self.today.replace(day=1) if self.today else None


def overseen_sites(user: User) -> list[Site]:
    """The sites whose defect list `user` may see (supervisor, admin, desk), by name."""
    return sites_for(user, *OVERSEERS)


def site_list(user: User, site_id: int | None, state: str, *, now: datetime) -> SiteList:
    """A site's open (or closed) defects, newest first, for an overseer; the first site when `site_id` is None.

    Raises NotFound when `user` oversees no such site.
    """
    sites = overseen_sites(user)
    site = next((s for s in sites if site_id is None or s.id == site_id), None)
    if site is None:
        raise NotFound(_("小区不存在，或您无权查看。"))
    state = CLOSED if state == CLOSED else OPEN
    defects = list(db.session.scalars(defects_of_site(site.id, state).limit(LIST_LIMIT)))
    total = db.session.scalar(select(func.count(Defect.id)).where(Defect.site_id == site.id))
    open_count = db.session.scalar(select(func.count(Defect.id)).where(Defect.site_id == site.id, is_open()))
    today = as_utc(now).astimezone(ZoneInfo(site.timezone)).date()
    return SiteList(site, sites, state, rows_for(defects, now=now), open_count, total - open_count,
                    site.id in user.site_ids(*EXPORTERS), today)


def my_defects(user: User, *, now: datetime) -> list[DefectRow]:
    """The defects `user` reported, newest first (open and closed)."""
    defects = list(db.session.scalars(_newest_first(select(Defect).where(Defect.user_id == user.id))
                                      .limit(LIST_LIMIT)))
    return rows_for(defects, now=now)


def open_at_place(place: Place, *, now: datetime, limit: int = 10) -> list[DefectRow]:
    """Open defects recorded at a place, newest first (for its page)."""
    defects = list(db.session.scalars(
        _newest_first(select(Defect).where(Defect.place_id == place.id, is_open())).limit(limit)))
    return rows_for(defects, now=now)


def open_counts(user: User) -> tuple[int | None, int]:
    """(open defects on the sites `user` oversees — None when none —, open defects `user` reported)."""
    site_ids = user.site_ids(*OVERSEERS)
    site_count = None
    if site_ids:
        site_count = db.session.scalar(select(func.count(Defect.id)).where(Defect.site_id.in_(site_ids), is_open()))
    mine = db.session.scalar(select(func.count(Defect.id)).where(Defect.user_id == user.id, is_open()))
    return site_count, mine


@dataclass
class DefectDetail:
    row: DefectRow
    photos: list[Photo]
    site: Site
    resolver: User | None
    order_number: str | None
    can_resolve: bool
    can_raise_order: bool


def work_order_number(work_order_id: int | None) -> str | None:
    """The number of a work order (read by table name: defects does not import the work-order domain)."""
    return work_order_numbers([work_order_id]).get(work_order_id) if work_order_id is not None else None


def work_order_numbers(work_order_ids) -> dict[int, str]:
    """{work order id: number} for some orders, in one query."""
    table = db.metadata.tables.get("work_order")
    ids = {i for i in work_order_ids if i is not None}
    if not ids or table is None:
        return {}
    return dict(db.session.execute(select(table.c.id, table.c.number).where(table.c.id.in_(ids))).all())


def defect_detail(user: User, defect_id: int, *, now: datetime) -> DefectDetail:
    """A defect's page: photos, place, reporter, resolution (and its work order), what `user` may do."""
    defect = get_defect_for(user, defect_id)
    row = rows_for([defect], now=now)[0]
    resolution = row.resolution
    resolver = db.session.get(User, resolution.user_id) if resolution else None
    order = work_order_number(resolution.work_order_id) if resolution and resolution.outcome == "order" else None
    return DefectDetail(row, photos.photos_of(PHOTO_OWNER, defect.id), db.session.get(Site, defect.site_id),
                        resolver, order, resolution is None and defect.site_id in user.site_ids(*RESOLVERS),
                        resolution is None and defect.site_id in user.site_ids(*ORDER_RAISERS))


# ---------------------------------------------------------------- resolving


def resolve_defect(user: User, defect_id: int, receipt: Receipt, *, outcome: str, note: str | None,
                   work_order_id: int | None = None) -> DefectResolution:
    """Close a defect: `outcome` "resolved" (a supervisor or admin of its site, with a note) or "order"
    (supervisor, admin, desk or the defect's reporter, naming the work order `work_order_id` that takes it over).

    Returns the flushed resolution, chained into the site's log. Raises NotFound (not the user's site),
    Forbidden (403: role may not close it), DefectRefused (422: bad outcome, missing note or order),
    DomainError (409 「已处理」) when the defect was already resolved.
    """
    defect = get_defect_for(user, defect_id)
    if outcome not in OUTCOMES:
        raise DefectRefused(_("处理方式无效。"), code="bad_outcome")
    allowed = RESOLVERS if outcome == "resolved" else ORDER_RAISERS
    own_to_order = outcome == "order" and defect.user_id == user.id  # a guard or cleaner raises from their own
    if defect.site_id not in user.site_ids(*allowed) and not own_to_order:
        raise Forbidden(_("只有本小区的主管可以处理问题。"))
    note = clean_field(note, NOTE_MAX, _("处理说明最多 %(n)d 个字。", n=NOTE_MAX))
    if outcome == "resolved" and not note:
        raise DefectRefused(_("请写明处理情况。"), code="note_required")
    if outcome == "order" and work_order_id is None:
        raise DefectRefused(_("请指明转成的工单。"), code="order_required")
    if outcome == "resolved":
        work_order_id = None
    already = DomainError(_("该问题已处理，不能重复处理。"), status=409, code="already_resolved")
    if is_resolved(defect.id):
        raise already
    resolution = DefectResolution(
        **receipt.columns(), user_id=user.id, site_id=defect.site_id, defect_id=defect.id, outcome=outcome, note=note,
        work_order_id=work_order_id,
    )
    try:
        with db.session.begin_nested():  # two supervisors at once: the unique defect_id decides
            db.session.add(resolution)
    except IntegrityError as exc:
        raise already from exc
    chain.append_records(defect.site_id, "defect_resolution", [resolution.id], now=receipt.received_at)
    return resolution


# ---------------------------------------------------------------- export


def exported_site(user: User, code: str | None) -> Site:
    """The site with this code (or numeric id) if `user` supervises or administers it; NotFound otherwise."""
    return site_by_code_or_id(user, code, *EXPORTERS)


def export_header() -> list[str]:
    return [_("编号"), _("发现时间"), _("上报时间"), _("小区"), _("地点编号"), _("地点"), _("具体位置"), _("类别"),
            _("严重程度"), _("描述"), _("上报人"), _("照片"), _("状态"), _("处理时间"), _("处理人"), _("处理说明"),
            _("工单号"), _("手机时间不准")]


def export_rows(site: Site, first: date, last: date) -> list[list]:
    """One row per defect found on the site's local days first…last (found time in the site's zone)."""
    tz = ZoneInfo(site.timezone)
    start = datetime.combine(first, time(0), tz).astimezone(timezone.utc)  # UTC bounds: SQLite compares text
    end = datetime.combine(last + timedelta(days=1), time(0), tz).astimezone(timezone.utc)
    defects = list(db.session.scalars(
        select(Defect).where(Defect.site_id == site.id, Defect.device_time >= start, Defect.device_time < end)
        .order_by(Defect.device_time, Defect.id)))
    ids = [d.id for d in defects]
    resolutions = resolutions_of(ids)  # defects come with their place and reporter (joined)
    resolvers = _by_id(User, (r.user_id for r in resolutions.values()))
    numbers = work_order_numbers(r.work_order_id for r in resolutions.values())
    photo_counts = dict(db.session.execute(
        select(PhotoLink.owner_id, func.count(PhotoLink.id))
        .where(PhotoLink.owner_kind == PHOTO_OWNER, PhotoLink.owner_id.in_(ids)).group_by(PhotoLink.owner_id)
    ).all()) if ids else {}

    def local(value: datetime | None) -> str:
        return as_utc(value).astimezone(tz).strftime("%Y-%m-%d %H:%M") if value else ""

    rows = []
    for d in defects:
        place, reporter, res = d.place, d.user, resolutions.get(d.id)
        resolver = resolvers.get(res.user_id) if res else None
        rows.append([
            d.id, local(found_at(d)), local(d.received_at), site.name, place.code if place else "",
            place.name if place else "", d.location, category_label(d.category), severity_label(d.severity),
            d.note, reporter.name if reporter else "", photo_counts.get(d.id, 0), state_label(res),
            local(res.received_at) if res else "", resolver.name if resolver else "", res.note if res else "",
            numbers.get(res.work_order_id, "") if res else "", _("是") if d.skew_flagged else "",
        ])
    return rows


def export_csv(site: Site, first: date, last: date) -> str:
    """The site's defects of local days first…last as CSV text starting with a BOM (Excel and WPS open it).

    The caller got `site` from `exported_site` (supervisors and admins of the site only).
    """
    return csv_text(export_header(), export_rows(site, first, last))
