"""Goods-release slips (放行条, P10, G10–G11): issued by the desk or a supervisor, checked at the gate.

A valid slip is released against a count check (a count that does not match is refused and nothing is
stored); an unknown, expired, already used or other site's slip is refused with its reason and the attempt
is recorded; goods going out without a slip are recorded as stopped. The gate phone carries the site's
valid slips in its gate page (cached at the start of the shift) and decides offline from them; the server
re-validates on sync, and a slip released from two phones' caches is stored as released and flagged
(double use), never silently accepted twice.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from wuye_field.accounts.models import User
from wuye_field.audit import chain
from wuye_field.core.errors import FieldErrors
from wuye_field.core.time import to_site_time
from wuye_field.extensions import db
from wuye_field.gate import numbers
from wuye_field.gate.checks import check_text
from wuye_field.gate.models import ReleaseCheck, ReleaseSlip
from wuye_field.gate.visitors import gate_post, refuse
from wuye_field.photos import links as photo_links
from wuye_field.places.models import Building, Site
from wuye_field.places.services import get_site
from wuye_field.sync.models import FIELD_COLUMNS
from wuye_field.sync.receipt import Receipt

ISSUE_ROLES = ("desk", "supervisor")
PHOTO_OWNER = "release_check"
MAX_SLIP_DAYS = 7
OUTCOMES = {"released": _l("放行"), "refused": _l("拒绝放行"), "stopped": _l("无条拦截")}

CHAIN_KINDS = {"gate_release_check": FIELD_COLUMNS + ("post_id", "slip_id", "number", "outcome", "reason", "pieces",
                                                      "cached", "flag", "note")}
chain.register_tables(CHAIN_KINDS)


def reason_text(reason: str) -> str:
    return {"unknown": _("放行条号不存在"), "expired": _("放行条已过期"), "used": _("放行条已使用过"),
            "other_site": _("不是本小区的放行条")}.get(reason, reason)


def issue_slip(actor: User, site_id: int, values: dict, *, now: datetime) -> ReleaseSlip:
    """Issue a slip from form strings (building, unit, goods, pieces, carrier, days). FieldErrors per field."""
    site = get_site(actor, site_id, *ISSUE_ROLES)
    errors: dict[str, str] = {}
    building_id = None
    if str(values.get("building") or "").isdigit():
        building = db.session.get(Building, int(values["building"]))
        if building is None or building.site_id != site.id:
            errors["building"] = _("请选择本小区的楼栋。")
        else:
            building_id = building.id
    else:
        errors["building"] = _("请选择楼栋。")
    unit = check_text(values.get("unit"), errors, "unit", 20, required=_("请填写单元/房号。"))
    goods = check_text(values.get("goods"), errors, "goods", 200, required=_("请填写放行物品。"))
    carrier = check_text(values.get("carrier"), errors, "carrier", 40)
    raw = str(values.get("pieces") or "").strip()
    if not raw.isdigit() or not 1 <= int(raw) <= 999:
        errors["pieces"] = _("件数须为 1–999 的整数。")
    raw_days = str(values.get("days") or "1").strip()
    if not raw_days.isdigit() or not 1 <= int(raw_days) <= MAX_SLIP_DAYS:
        errors["days"] = _("有效天数须为 1–%(n)d 天。", n=MAX_SLIP_DAYS)
    if errors:
        raise FieldErrors(errors)
    today = to_site_time(now, site.timezone).date()
    slip = ReleaseSlip(site_id=site.id, number=numbers.new_number(ReleaseSlip, "R"), building_id=building_id,
                       unit=unit, goods=goods, pieces=int(raw), carrier=carrier,
                       valid_until=today + timedelta(days=int(raw_days) - 1), issued_by_id=actor.id, issued_at=now)
    db.session.add(slip)
    db.session.flush()
    return slip


def _used(slip_id: int) -> ReleaseCheck | None:
    return db.session.scalar(select(ReleaseCheck).where(ReleaseCheck.slip_id == slip_id,
                                                        ReleaseCheck.outcome == "released").order_by(ReleaseCheck.id))


def slip_state(site_id: int, number: str, day: date) -> tuple[ReleaseSlip | None, str]:
    """(the slip, "") when valid and unused on local `day`; else (the slip or None, reason code)."""
    slip, reason = numbers.lookup(ReleaseSlip, site_id, number)
    if reason:
        return None, reason
    if _used(slip.id) is not None:
        return slip, "used"
    return slip, numbers.validity(slip, day)


def check_release(user: User, values: dict, receipt: Receipt, *, photo_ids: str | None = "",
                  photo_limit: int = 10) -> tuple[ReleaseCheck, str]:
    """The guard checks a slip at post `values["post"]` (number, pieces, cached = decided from the phone's
    cache). Returns the record and the Chinese message. GateRefused (422, nothing stored) for no number or a
    count that does not match a valid slip."""
    post = gate_post(user, values.get("post"))
    number = numbers.normalize(values.get("number"))
    if not number:
        refuse({"number": _("请填写或扫描放行条号。")})
    tz = db.session.get(Site, post.site_id).timezone
    slip, reason = slip_state(post.site_id, number, to_site_time(receipt.device_time, tz).date())
    cached = values.get("cached") == "1"
    outcome, flag = "refused", ""
    if not reason or (reason == "used" and cached):
        raw = str(values.get("pieces") or "").strip()
        if not raw.isdigit() or int(raw) != slip.pieces:
            refuse({"pieces": _("件数与放行条不符：放行条 %(a)d 件，清点 %(b)s 件。", a=slip.pieces, b=raw or "0")})
        outcome, flag = "released", ("double_use" if reason else "")
    note = check_text(values.get("note"), errors := {}, "note", 200)
    refuse(errors)
    record = ReleaseCheck(**receipt.columns(), user_id=user.id, site_id=post.site_id, post_id=post.id,
                          slip_id=slip.id if slip else None, number=number[:20], outcome=outcome,
                          reason="" if outcome == "released" else reason, pieces=slip.pieces if outcome == "released"
                          else 0, cached=cached, flag=flag, note=note)
    pending = _store(record, photo_ids, photo_limit)
    if flag:
        message = _("已放行，但放行条 %(n)s 已在另一部手机放行过：已标记，请主管核查。", n=number)
    elif outcome == "released":
        message = _("已放行：%(n)s，%(k)d 件", n=number, k=slip.pieces)
    else:
        message = _("拒绝放行：%(reason)s（已记录）", reason=reason_text(reason))
    if pending:
        message += _("（%(n)d 张照片待上传）", n=pending)
    return record, message


def stop_goods(user: User, values: dict, receipt: Receipt, *, photo_ids: str | None = "",
               photo_limit: int = 10) -> ReleaseCheck:
    """Goods going out without a slip, stopped (release-stop): what was stopped (note) and a photo."""
    post = gate_post(user, values.get("post"))
    errors: dict[str, str] = {}
    note = check_text(values.get("note"), errors, "note", 200, required=_("请写明拦下的物品和人员。"))
    refuse(errors)
    record = ReleaseCheck(**receipt.columns(), user_id=user.id, site_id=post.site_id, post_id=post.id,
                          outcome="stopped", note=note)
    _store(record, photo_ids, photo_limit)
    return record


def _store(record: ReleaseCheck, photo_ids: str | None, photo_limit: int) -> int:
    photos = photo_links.parse_photo_ids(photo_ids, photo_limit)
    db.session.add(record)
    db.session.flush()
    pending = photo_links.link_photos(PHOTO_OWNER, record.id, user_id=record.user_id, site_id=record.site_id,
                                      photo_ids=photos)
    chain.append_records(record.site_id, "gate_release_check", [record.id], now=record.received_at)
    return pending


def slips_for_phone(site_id: int, now: datetime) -> list[dict]:
    """The slips the gate phone keeps for offline checks: valid today or later and not yet released."""
    today = to_site_time(now, db.session.get(Site, site_id).timezone).date()
    used = set(db.session.scalars(select(ReleaseCheck.slip_id).where(ReleaseCheck.site_id == site_id,
                                                                     ReleaseCheck.outcome == "released")))
    return [{"number": s.number, "pieces": s.pieces, "goods": s.goods, "unit": s.unit,
             "valid_until": s.valid_until.isoformat()}
            for s in db.session.scalars(select(ReleaseSlip).where(ReleaseSlip.site_id == site_id,
                                                                  ReleaseSlip.valid_until >= today))
            if s.id not in used]


def site_slips(viewer: User, site_id: int, *, now: datetime) -> list[tuple[ReleaseSlip, ReleaseCheck | None]]:
    site = get_site(viewer, site_id, *ISSUE_ROLES, "admin")
    since = to_site_time(now, site.timezone).date() - timedelta(days=7)
    slips = db.session.scalars(select(ReleaseSlip).where(ReleaseSlip.site_id == site.id,
                                                         ReleaseSlip.valid_until >= since)
                               .order_by(ReleaseSlip.issued_at.desc()))
    return [(s, _used(s.id)) for s in slips]


def checks_between(site_id: int, start: datetime, end: datetime) -> list[ReleaseCheck]:
    return list(db.session.scalars(select(ReleaseCheck).where(ReleaseCheck.site_id == site_id,
                                                              ReleaseCheck.device_time >= start,
                                                              ReleaseCheck.device_time < end)
                                   .order_by(ReleaseCheck.device_time)))
