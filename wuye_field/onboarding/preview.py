"""The preview of an import (R34): per sheet, what each row would do — create, update, unchanged or error —
and every error in Chinese with its sheet, row and column. Reads the database, writes nothing.

Rows are matched by building name, place code, post code and staff number; a matched row whose values
equal the stored ones is unchanged, so importing the same file twice changes nothing. Objects absent
from a sheet are listed, never deleted. An empty optional cell keeps the stored value (a new object gets
the default).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, select

from wuye_field.accounts.models import Membership, User
from wuye_field.accounts.services import PHONE_RE, STAFF_NO_RE, admin_site_ids
from wuye_field.cleaning.models import CleaningTask
from wuye_field.cleaning.setup import standard_tasks_for
from wuye_field.core.errors import FieldErrors
from wuye_field.core.text import clean_text, text_problem
from wuye_field.extensions import db
from wuye_field.handover.models import HandoverPost
from wuye_field.handover.posts import WORK_ROLES, post_values, validate_post
from wuye_field.onboarding import schema
from wuye_field.onboarding.reading import RawSheet
from wuye_field.patrol.checklists import STANDARD_CHECKLISTS, place_checklist
from wuye_field.places.models import DEFAULT_PATROL_INTERVAL_MIN, Building, Place, Site
from wuye_field.places.services import PATROL_INTERVAL_RANGE, PLACE_CODE_RE

ACTIONS = ("create", "update", "unchanged", "error")


@dataclass
class RowError:
    sheet: str
    row: int
    column: str  # letter, "" for the whole row
    message: str

    def __str__(self) -> str:
        if self.column:
            return _("%(sheet)s 第 %(row)d 行 %(col)s 列：%(msg)s", sheet=self.sheet, row=self.row, col=self.column,
                     msg=self.message)
        return _("%(sheet)s 第 %(row)d 行：%(msg)s", sheet=self.sheet, row=self.row, msg=self.message)


@dataclass
class RowPlan:
    row: int
    key: str
    action: str = "create"
    values: dict = field(default_factory=dict)
    changes: list[str] = field(default_factory=list)  # the columns an update changes
    errors: list[RowError] = field(default_factory=list)
    target_id: int | None = None


@dataclass
class SheetPreview:
    spec: schema.SheetSpec
    rows: list[RowPlan] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)  # sheet-level (a missing header)

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def all_errors(self) -> list[RowError]:
        return self.errors + [e for r in self.rows for e in r.errors]


@dataclass
class Preview:
    site: Site
    sheets: list[SheetPreview]

    @property
    def errors(self) -> list[RowError]:
        return [e for s in self.sheets for e in s.all_errors]

    @property
    def has_errors(self) -> bool:
        return bool(self.errors)

    @property
    def changes(self) -> int:
        return sum(s.count("create") + s.count("update") for s in self.sheets)

    def sheet(self, key: str) -> SheetPreview | None:
        return next((s for s in self.sheets if s.spec.key == key), None)


class _Row:
    """One row being checked: its cells by column key, and the errors found, by column."""

    def __init__(self, sheet: RawSheet, number: int, values: list[str]):
        self.sheet, self.number, self.values = sheet, number, values
        self.plan = RowPlan(row=number, key="")

    def get(self, key: str) -> str:
        index = self.sheet.headers.get(key)
        return self.values[index].strip() if index is not None and index < len(self.values) else ""

    def has(self, key: str) -> bool:
        return bool(self.get(key))

    def error(self, key: str, message: str) -> None:
        column = self.sheet.spec.letter(key) if key else ""
        self.plan.errors.append(RowError(self.sheet.spec.title, self.number, column, message))

    def text(self, key: str, limit: int, *, required: bool = False) -> str:
        raw = self.get(key)
        if message := text_problem(raw):
            self.error(key, message)
        value = clean_text(raw)
        header = next(c.header for c in self.sheet.spec.columns if c.key == key)
        if required and not value:
            self.error(key, _("请填写%(header)s。", header=header))
        elif len(value) > limit:
            self.error(key, _("%(header)s最多 %(n)d 个字。", header=header, n=limit))
        return value

    def yes_no(self, key: str) -> bool | None:
        raw = self.get(key)
        if not raw:
            return None
        if raw in (schema.YES, "Y", "y", "1", "TRUE", "True"):
            return True
        if raw in (schema.NO, "N", "n", "0", "FALSE", "False"):
            return False
        self.error(key, _("只能填「是」或「否」，不能是“%(value)s”。", value=raw[:20]))
        return None


def _finish(plan: RowPlan, before: dict | None, after: dict, labels: dict[str, str]) -> None:
    """create / update (with the changed columns) / unchanged / error."""
    if plan.errors:
        plan.action = "error"
    elif before is None:
        plan.action = "create"
    else:
        plan.changes = [labels.get(k, k) for k in after if before.get(k) != after[k]]
        plan.action = "update" if plan.changes else "unchanged"
    plan.values = after


def _duplicates(row: _Row, seen: dict[str, int], key: str, column: str) -> None:
    if not key:
        return
    if key in seen:
        row.error(column, _("与第 %(row)d 行重复（“%(key)s”）。", row=seen[key], key=key))
    else:
        seen[key] = row.number


def _labels(spec: schema.SheetSpec) -> dict[str, str]:
    return {c.key: c.header for c in spec.columns}


def _sheet_start(raw: RawSheet) -> SheetPreview:
    preview = SheetPreview(spec=raw.spec)
    for header in raw.missing_headers:
        preview.errors.append(RowError(raw.spec.title, 1, "", _("缺少表头「%(header)s」。", header=header)))
    return preview


# ---------------------------------------------------------------- buildings


def preview_buildings(site: Site, raw: RawSheet) -> SheetPreview:
    preview = _sheet_start(raw)
    stored = {b.name: b for b in db.session.scalars(select(Building).where(Building.site_id == site.id))}
    seen: dict[str, int] = {}
    for number, values in raw.rows:
        row = _Row(raw, number, values)
        name = row.text("name", 40, required=True)
        _duplicates(row, seen, name, "name")
        floors = row.get("floors")
        if floors and not (floors.isascii() and floors.isdigit() and 1 <= int(floors) <= 200):
            row.error("floors", _("层数须为 1–200 的整数，不能是“%(value)s”。", value=floors[:20]))
        building = stored.get(name)
        after = {"name": name, "floors": int(floors) if floors and not row.plan.errors else
                 (building.floors if building else None)}
        row.plan.key, row.plan.target_id = name, building.id if building else None
        _finish(row.plan, {"name": building.name, "floors": building.floors} if building else None, after,
                _labels(raw.spec))
        preview.rows.append(row.plan)
    preview.absent = sorted(set(stored) - set(seen))
    return preview


# ---------------------------------------------------------------- places


def _checklist_missing(place: Place | None, categories: list[str]) -> bool:
    have = {i.label for i in place_checklist(place.id)} if place else set()
    return any(str(item.label) not in have for c in categories for item in STANDARD_CHECKLISTS[c])


def _cleaning_missing(place: Place | None, name: str) -> bool:
    have = set(db.session.execute(select(CleaningTask.standard, CleaningTask.title)
                                  .where(CleaningTask.place_id == place.id)).all()) if place else set()
    return any((t.standard, t.title) not in have for t in standard_tasks_for(name))


def _place_row(row: _Row, site: Site, stored: dict[str, Place], buildings: set[str]) -> tuple[dict | None, dict]:
    code = row.get("code").upper()
    if not code:
        row.error("code", _("请填写编号。"))
    elif not PLACE_CODE_RE.match(code):
        row.error("code", _("编号须为 1–16 位大写字母、数字或 -，不能是“%(value)s”。", value=code[:20]))
    place = stored.get(code)
    name = row.text("name", 60, required=True)
    building = row.text("building", 40)
    if building and building not in buildings:
        row.error("building", _("楼栋“%(name)s”不存在。", name=building))
    floor = row.text("floor", 8)
    kind_text = "".join(row.get("kind").split())
    kind = schema.kind_labels().get(kind_text)
    if kind is None:
        row.error("kind", _("类型须为 %(choices)s 之一，不能是“%(value)s”。",
                            choices="、".join(schema.kind_labels()), value=kind_text[:20] or _("空")))
    key_area = row.yes_no("key_area")
    interval_text, low_high = row.get("interval"), PATROL_INTERVAL_RANGE
    interval = None
    if interval_text:
        if interval_text.isascii() and interval_text.isdigit() and low_high[0] <= int(interval_text) <= low_high[1]:
            interval = int(interval_text)
        else:
            row.error("interval", _("巡查间隔须为 %(low)d–%(high)d 分钟的整数，不能是“%(value)s”。",
                                    low=low_high[0], high=low_high[1], value=interval_text[:20]))
    labels = schema.category_labels()
    categories = []
    for item in schema.split_list(row.get("checklist")):
        if item in labels:
            categories.append(labels[item])
        else:
            row.error("checklist", _("检查清单类别“%(value)s”不存在，可选：%(choices)s。", value=item[:20],
                                     choices="、".join(labels)))
    cleaning = row.yes_no("cleaning")
    row.plan.key, row.plan.target_id = code, place.id if place else None
    before = None
    if place is not None:
        before = {"name": place.name, "building": place.building.name if place.building else "",
                  "floor": place.floor or "", "kind": place.kind, "key_area": place.is_key_area,
                  "interval": place.patrol_interval_min, "checklist": False, "cleaning": False}
    after = {
        "name": name, "building": building if row.has("building") else (before or {}).get("building", ""),
        "floor": floor if row.has("floor") else (before or {}).get("floor", ""), "kind": kind,
        "key_area": key_area if key_area is not None else (before or {}).get("key_area", False),
        "interval": interval or (before or {}).get("interval", DEFAULT_PATROL_INTERVAL_MIN),
        "checklist": bool(categories) and _checklist_missing(place, categories),
        "cleaning": bool(cleaning) and kind in ("cleaning", "both") and _cleaning_missing(place, name),
    }
    row.plan.values["categories"] = categories
    return before, after


def preview_places(site: Site, raw: RawSheet, file_buildings: set[str]) -> SheetPreview:
    preview = _sheet_start(raw)
    stored = {p.code: p for p in db.session.scalars(select(Place).where(Place.site_id == site.id))}
    buildings = set(db.session.scalars(select(Building.name).where(Building.site_id == site.id))) | file_buildings
    seen: dict[str, int] = {}
    for number, values in raw.rows:
        row = _Row(raw, number, values)
        before, after = _place_row(row, site, stored, buildings)
        _duplicates(row, seen, row.plan.key, "code")
        categories = row.plan.values.get("categories", [])
        _finish(row.plan, before, after, _labels(raw.spec))
        row.plan.values["categories"] = categories
        preview.rows.append(row.plan)
    preview.absent = sorted(code for code, p in stored.items() if p.active and code not in seen)
    return preview


# ---------------------------------------------------------------- posts

POST_FIELDS = {"code": "code", "name": "name", "kind": "kind", "shift_starts": "shift_starts",
               "equipment": "equipment"}


def preview_posts(site: Site, raw: RawSheet) -> SheetPreview:
    preview = _sheet_start(raw)
    stored = {p.code: p for p in db.session.scalars(select(HandoverPost).where(HandoverPost.site_id == site.id))}
    seen: dict[str, int] = {}
    kinds = schema.post_kind_labels()
    for number, values in raw.rows:
        row = _Row(raw, number, values)
        code = row.get("code").upper()
        post = stored.get(code)
        kind = kinds.get(row.get("kind"))
        if kind is None:
            row.error("kind", _("岗位类型须为 %(choices)s 之一。", choices="、".join(kinds)))
        form = {"code": code, "name": row.get("name"), "kind": kind or "guard",
                "shift_starts": row.get("shift_starts") or (post.shift_starts if post else "07:00,19:00"),
                "equipment": "\n".join(schema.split_list(row.get("equipment").replace(" ", "")))
                or (post.equipment if post else ""),
                "window_min": post.window_min if post else "", "late_after_min": post.late_after_min if post else ""}
        clean: dict = {}
        try:
            clean = validate_post(form)
        except FieldErrors as exc:
            for name, message in exc.errors.items():
                row.error(POST_FIELDS.get(name, ""), message)
        _duplicates(row, seen, code, "code")
        row.plan.key, row.plan.target_id = code, post.id if post else None
        before = {k: v for k, v in post_values(post).items() if k in clean} if post else None
        _finish(row.plan, before, clean, _labels(raw.spec))
        preview.rows.append(row.plan)
    preview.absent = sorted(code for code, p in stored.items() if p.active and code not in seen)
    return preview


# ---------------------------------------------------------------- staff


def _site_roles(user: User, site_id: int) -> list[str]:
    return sorted(m.role for m in user.memberships if m.site_id == site_id)


def preview_staff(actor: User, site: Site, raw: RawSheet, file_posts: dict[str, str]) -> SheetPreview:
    preview = _sheet_start(raw)
    members = {u.staff_no.lower(): u for u in db.session.scalars(
        select(User).join(Membership).where(Membership.site_id == site.id).distinct())}
    posts = {p.code: p.kind for p in db.session.scalars(select(HandoverPost).where(HandoverPost.site_id == site.id))}
    posts |= file_posts
    role_codes = schema.role_labels()
    seen: dict[str, int] = {}
    phones: dict[str, int] = {}
    for number, values in raw.rows:
        row = _Row(raw, number, values)
        staff_no = row.get("staff_no")
        if not STAFF_NO_RE.match(staff_no):
            row.error("staff_no", _("工号须为 2–32 位字母、数字或 - _ .，不能是“%(value)s”。", value=staff_no[:32]))
        user = members.get(staff_no.lower())
        if user is None and staff_no and db.session.scalar(
                select(User.id).where(func.lower(User.staff_no) == staff_no.lower())) is not None:
            row.error("staff_no", _("工号“%(no)s”已被其他小区的人员使用。", no=staff_no))
        name = row.text("name", 50, required=True)
        phone = row.get("phone").replace(" ", "").replace("-", "")
        if phone and not PHONE_RE.match(phone):
            row.error("phone", _("手机号“%(value)s”无效，须为 11 位数字。", value=phone[:20]))
        elif phone:
            _duplicates(row, phones, phone, "phone")
            other = db.session.scalar(select(User.id).where(User.phone == phone))
            if other is not None and (user is None or other != user.id):
                row.error("phone", _("手机号 %(phone)s 已被其他账号使用。", phone=phone))
        roles = []
        for label in schema.split_list(row.get("roles")):
            if label in role_codes:
                roles.append(role_codes[label])
            else:
                row.error("roles", _("未知角色“%(value)s”，可选：%(choices)s。", value=label[:20],
                                     choices="、".join(role_codes)))
        if not roles and not row.plan.errors:
            row.error("roles", _("请填写角色。"))
        for code in schema.split_list(row.get("posts").upper()):
            if code not in posts:
                row.error("posts", _("岗位“%(code)s”不存在。", code=code))
            elif not set(roles) & set(WORK_ROLES.get(posts[code], ())):
                row.error("posts", _("岗位“%(code)s”需要角色：%(roles)s。", code=code, roles="、".join(
                    str(k) for k, v in role_codes.items() if v in WORK_ROLES.get(posts[code], ()))))
        if (user is not None and user.id != actor.id and user.site_ids() - admin_site_ids(actor)
                and user.has_role("admin")):
            row.error("staff_no", _("此账号在其他小区也有管理权限，只能由公司管理员修改。"))
        _duplicates(row, seen, staff_no.lower(), "staff_no")
        row.plan.key, row.plan.target_id = staff_no, user.id if user else None
        before = {"name": user.name, "phone": user.phone or "", "roles": _site_roles(user, site.id)} if user else None
        after = {"name": name, "phone": phone if row.has("phone") else (before or {}).get("phone", ""),
                 "roles": sorted(set(roles))}
        _finish(row.plan, before, after, {"name": "姓名", "phone": "手机号", "roles": "角色"})
        preview.rows.append(row.plan)
    preview.absent = sorted(u.staff_no for key, u in members.items() if u.active and key not in seen)
    return preview


def build_preview(actor: User, site: Site, raw_sheets: list[RawSheet]) -> Preview:
    """The preview of `raw_sheets` against `site` as it is now (buildings and posts first: places and staff
    may name the ones created by the same file)."""
    by_key = {s.spec.key: s for s in raw_sheets}
    result: list[SheetPreview] = []
    new_buildings: set[str] = set()
    if "buildings" in by_key:
        sheet = preview_buildings(site, by_key["buildings"])
        new_buildings = {r.key for r in sheet.rows if r.action != "error"}
        result.append(sheet)
    if "places" in by_key:
        result.append(preview_places(site, by_key["places"], new_buildings))
    new_posts: dict[str, str] = {}
    if "posts" in by_key:
        sheet = preview_posts(site, by_key["posts"])
        new_posts = {r.key: r.values.get("kind", "guard") for r in sheet.rows if r.action != "error"}
        result.append(sheet)
    if "staff" in by_key:
        result.append(preview_staff(actor, site, by_key["staff"], new_posts))
    return Preview(site=site, sheets=result)
