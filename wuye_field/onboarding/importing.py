"""Applying a confirmed preview: every row through the same service as the admin form for that object, so
each change lands in the admin change log, and a changed patrol interval is recorded as an
effective-dated setting (audit.settings_history) from now on. Flush only; the caller commits once.

New staff get a one-time password, returned once (for the page and the printable sheet) and never stored
in clear; their first sign-in must choose a new one (`User.must_change_password`).
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _

from wuye_field.accounts import services as accounts
from wuye_field.accounts.models import User
from wuye_field.audit.services import log_admin_change
from wuye_field.cleaning.setup import apply_standard_set
from wuye_field.core.errors import DomainError, FieldErrors
from wuye_field.extensions import db
from wuye_field.handover.models import HandoverPost
from wuye_field.handover.posts import save_post
from wuye_field.onboarding.equipment import apply_equipment
from wuye_field.onboarding.preview import Preview, RowPlan
from wuye_field.patrol.checklists import apply_standard
from wuye_field.places import services as places
from wuye_field.places.models import Building

PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off paper
PASSWORD_LENGTH = 10


def one_time_password() -> str:
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))


@dataclass
class NewAccount:
    staff_no: str
    name: str
    password: str


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    place_ids: list[int] = field(default_factory=list)
    building_ids: list[int] = field(default_factory=list)
    accounts: list[NewAccount] = field(default_factory=list)


def _rows(preview: Preview, key: str) -> list[RowPlan]:
    sheet = preview.sheet(key)
    return [r for r in sheet.rows if r.action in ("create", "update")] if sheet else []


def _count(result: ImportResult, plan: RowPlan) -> None:
    if plan.action == "create":
        result.created += 1
    else:
        result.updated += 1


def _buildings(actor: User, preview: Preview, result: ImportResult) -> dict[str, int]:
    site = preview.site
    for plan in _rows(preview, "buildings"):
        building = (db.session.get(Building, plan.target_id) if plan.target_id
                    else places.add_building(actor, site.id, plan.values["name"]))
        if building.floors != plan.values["floors"]:
            building.floors = plan.values["floors"]
            db.session.flush()
        result.building_ids.append(building.id)
        _count(result, plan)
    return {b.name: b.id for b in places.site_buildings(site)}


def _place_form(values: dict, building_ids: dict[str, int]) -> dict:
    return {"name": values["name"], "code": None, "kind": values["kind"],
            "building_id": building_ids.get(values["building"], ""), "is_key_area": "1" if values["key_area"] else "",
            "patrol_interval_min": str(values["interval"])}


def _places(actor: User, preview: Preview, result: ImportResult, building_ids: dict[str, int], *,
            now: datetime) -> None:
    site, wants_cleaning = preview.site, False
    for plan in _rows(preview, "places"):
        form = _place_form(plan.values, building_ids) | {"code": plan.key}
        if plan.target_id is None:
            place = places.create_place(actor, site.id, form)
        else:
            # P2: update_place records the interval and key-area flag as dated settings from `now`.
            place = places.update_place(actor, plan.target_id, form, now=now)
        if (plan.values.get("floor") or None) != place.floor:
            log_admin_change(actor, site.id, _("地点 %(code)s", code=place.code), {"floor": place.floor},
                             {"floor": plan.values.get("floor") or None}, now=now)
            place.floor = plan.values.get("floor") or None
        if not place.active:
            places.set_place_active(actor, place.id, True)
        if plan.values["checklist"]:
            apply_standard(actor, place.id, plan.values["categories"])
        wants_cleaning = wants_cleaning or plan.values["cleaning"]
        result.place_ids.append(place.id)
        _count(result, plan)
    if wants_cleaning:  # the same one-click standard set as 保洁设置 (C1–C16), for the site's cleaning areas
        apply_standard_set(actor, site.id, now=now)
    db.session.flush()


def _posts(actor: User, preview: Preview, result: ImportResult, *, now: datetime) -> None:
    for plan in _rows(preview, "posts"):
        post = db.session.get(HandoverPost, plan.target_id) if plan.target_id else None
        save_post(actor, preview.site.id, plan.values, now=now, post=post)
        _count(result, plan)


def _staff(actor: User, preview: Preview, result: ImportResult, hash_method: str | None) -> None:
    site = preview.site
    for plan in _rows(preview, "staff"):
        values = plan.values
        if plan.target_id is None:
            password = one_time_password()
            user = accounts.admin_create_user(actor, staff_no=plan.key, name=values["name"], phone=values["phone"],
                                              password=password, roles={site.id: set(values["roles"])},
                                              hash_method=hash_method)
            user.must_change_password = True
            result.accounts.append(NewAccount(user.staff_no, user.name, password))
        else:
            user = db.session.get(User, plan.target_id)
            roles = {m.site_id: set() for m in user.memberships if m.site_id in accounts.admin_site_ids(actor)}
            for membership in user.memberships:
                if membership.site_id in roles:
                    roles[membership.site_id].add(membership.role)
            roles[site.id] = set(values["roles"])
            accounts.admin_update_user(actor, user.id, name=values["name"], phone=values["phone"] or None,
                                       roles=roles)
        _count(result, plan)
    db.session.flush()


def apply_preview(actor: User, preview: Preview, *, only_valid: bool, now: datetime,
                  hash_method: str | None = None) -> ImportResult:
    """Store the rows of `preview` that create or update something. Refuses a preview with errors unless
    `only_valid` (then error rows are skipped and counted). Raises DomainError when a service refuses a row
    the preview accepted (the caller rolls everything back)."""
    if preview.has_errors and not only_valid:
        raise DomainError(_("文件中还有错误，请先修改，或选择「只导入无误的行」。"), code="import_has_errors")
    result = ImportResult(skipped=sum(s.count("error") for s in preview.sheets))
    try:
        building_ids = _buildings(actor, preview, result)
        _posts(actor, preview, result, now=now)
        _places(actor, preview, result, building_ids, now=now)
        for action, _equipment_id in apply_equipment(actor, preview, now=now):
            result.created += action == "create"
            result.updated += action == "update"
        _staff(actor, preview, result, hash_method)
    except FieldErrors as exc:
        raise DomainError(_("导入中断，未保存任何内容：%(msg)s", msg="；".join(exc.errors.values()))) from exc
    return result
