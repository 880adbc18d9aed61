"""Visitors (来访登记, P10, G1–G7): registering at the gate, time out, masking and the access log, and the
erasure of personal fields after the site's retention. Plain values in, flush only; the caller commits."""
from __future__ import annotations

import hashlib
import json
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from wuye_field.accounts.models import User
from wuye_field.audit import chain
from wuye_field.core.errors import DomainError, NotFound
from wuye_field.core.masking import mask_id_number, mask_name, mask_phone
from wuye_field.core.time import as_utc, to_site_time
from wuye_field.extensions import db
from wuye_field.gate import passes, rules, settings
from wuye_field.gate.checks import check_phone, check_plate, check_text
from wuye_field.gate.models import GateErasure, GatePass, Visitor, VisitorAccess, VisitorExit, VisitorPerson
from wuye_field.handover.models import HandoverPost
from wuye_field.handover.posts import can_work
from wuye_field.places.models import Building, Site
from wuye_field.sync.models import FIELD_COLUMNS
from wuye_field.sync.receipt import Receipt

log = logging.getLogger(__name__)

DESK_ROLES = ("desk",)
FULL_VIEW_ROLES = ("desk", "supervisor")  # G6: everyone else sees 138****1234 and 110***********1234
GATE_ROLES = ("gate", "guard", "supervisor")

CHAIN_KINDS = {
    "gate_visitor": FIELD_COLUMNS + ("post_id", "building_id", "unit", "reason", "party_size", "plate", "id_type",
                                     "person_digest", "pass_id", "watch_hit", "watch_decision"),
    "gate_visitor_exit": FIELD_COLUMNS + ("visitor_id",),
    "gate_erasure": ("site_id", "what", "cutoff", "retention_days", "count", "record_ids", "created_at"),
}
chain.register_tables(CHAIN_KINDS)


class GateRefused(DomainError):
    """A gate action refused: `errors` names the fields (the phone shows the message, never a half record)."""

    status = 422
    code = "gate_refused"

    def __init__(self, message: str, *, errors: dict[str, str] | None = None, **kwargs):
        super().__init__(message, **kwargs)
        self.errors = errors or {}


def refuse(errors: dict[str, str]) -> None:
    if errors:
        raise GateRefused("；".join(errors.values()), errors=errors)


def gate_post(user: User, post_id) -> HandoverPost:
    """A guard post of a site where `user` works the gate; NotFound otherwise."""
    post = db.session.get(HandoverPost, int(post_id)) if str(post_id or "").isdigit() else None
    if post is None or not post.active or not can_work(user, post) or post.kind != "guard":
        raise NotFound(_("找不到这个岗位，或您无权查看。"))
    return post


# ---------------------------------------------------------------- checking what the guard typed


def _id_number(id_type: str, raw, errors: dict, required: bool) -> str:
    number = rules.normalize_id_number(raw)
    if id_type == "id18":
        if not rules.id18_valid(number):
            errors["id_number"] = _("身份证号不正确：应为 18 位，最后一位校验码须与前 17 位相符。")
    elif id_type == "other":
        if not 4 <= len(number) <= 30 or not number.isalnum():
            errors["id_number"] = _("请填写 4–30 位证件号（字母或数字）。")
    elif number:
        errors["id_type"] = _("请选择证件类型。")
    elif required:
        errors["id_type"] = _("本小区访客须登记证件：请选择证件类型并填写号码。")
    return number


def _count(raw, errors: dict, name: str = "party_size") -> int:
    text = str(raw or "1").strip()
    if not text.isdigit() or not 1 <= int(text) <= 50:
        errors[name] = _("人数须为 1–50 的整数。")
        return 1
    return int(text)


def person_digest(salt: str, name: str, phone: str, id_number: str, host_name: str) -> str:
    """What the chain keeps of a visitor's personal fields: a digest salted with a salt erased with them."""
    payload = json.dumps([name, phone, id_number, host_name], ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(salt.encode("ascii") + payload).hexdigest()


# ---------------------------------------------------------------- in and out


def register_visitor(user: User, values: dict, receipt: Receipt) -> Visitor:
    """The guard registers a visitor coming in at post `values["post"]` (time in = the device time).

    Values are the form's strings: name, phone, id_type, id_number, building, unit, host_name, reason,
    party_size, plate. Raises NotFound for a post the user does not work; GateRefused (422) naming every
    bad field (11-digit phone, ID check digit, plate, whom they visit) — nothing is stored then.
    """
    post = gate_post(user, values.get("post"))
    site_id = post.site_id
    errors: dict[str, str] = {}
    gate_pass = None
    if (values.get("pass") or "").strip():  # G9: a pass fills what the guard left empty
        gate_pass, problem = passes.pass_problem(site_id, values["pass"], receipt.device_time)
        if problem:
            refuse({"pass": problem})
        values = _from_pass(values, gate_pass)
    name = check_text(values.get("name"), errors, "name", 40, required=_("请填写访客姓名。"))
    phone = check_phone(values.get("phone"), errors)
    id_type = values.get("id_type") or ""
    required = settings.setting(site_id, "gate.visitor_id_required", receipt.device_time)
    id_number = _id_number(id_type if id_type in ("id18", "other") else "", values.get("id_number"), errors, required)
    building_id = None
    if str(values.get("building") or "").isdigit():
        building = db.session.get(Building, int(values["building"]))
        if building is None or building.site_id != site_id:
            errors["building"] = _("请选择本小区的楼栋。")
        else:
            building_id = building.id
    unit = check_text(values.get("unit"), errors, "unit", 20)
    host_name = check_text(values.get("host_name"), errors, "host_name", 40)
    if building_id is None and not host_name and "building" not in errors:
        errors["building"] = _("请选择被访楼栋，或填写被访住户姓名。")
    reason = check_text(values.get("reason"), errors, "reason", 100)
    party = _count(values.get("party_size"), errors)
    plate = check_plate(values.get("plate"), errors)
    refuse(errors)
    hits = passes.watch_matches(site_id, name, id_number, plate)  # G8: a warning and a decision, never a refusal
    decision = values.get("watch_decision") if hits and values.get("watch_decision") in ("admit", "refuse") else ""
    salt = secrets.token_hex(16)
    visitor = Visitor(**receipt.columns(), user_id=user.id, site_id=site_id, post_id=post.id, building_id=building_id,
                      unit=unit, reason=reason, party_size=party, plate=plate,
                      id_type=id_type if id_number else "",
                      person_digest=person_digest(salt, name, phone, id_number, host_name),
                      pass_id=gate_pass.id if gate_pass else None, watch_decision=decision,
                      watch_hit="；".join(_watch_line(e) for e in hits)[:200])
    db.session.add(visitor)
    db.session.flush()
    db.session.add(VisitorPerson(visitor_id=visitor.id, site_id=site_id, name=name, phone=phone, id_number=id_number,
                                 host_name=host_name, salt=salt))
    chain.append_records(site_id, "gate_visitor", [visitor.id], now=receipt.received_at)
    log.info("visitor %s in at post %s by %s", visitor.id, post.code, user.staff_no)
    return visitor


def _from_pass(values: dict, gate_pass) -> dict:
    filled = dict(values)
    for field, value in (("name", gate_pass.visitor_name), ("phone", gate_pass.visitor_phone),
                         ("building", str(gate_pass.building_id or "")), ("unit", gate_pass.unit),
                         ("host_name", gate_pass.host_name), ("reason", gate_pass.reason)):
        if not (filled.get(field) or "").strip():
            filled[field] = value
    return filled


def _watch_line(entry) -> str:
    what = entry.name or entry.plate or mask_id_number(entry.id_number)
    return f"{what}：{entry.note}" if entry.note else what


def get_visitor(user: User, visitor_id: int) -> Visitor:
    visitor = db.session.get(Visitor, visitor_id)
    if visitor is None or visitor.site_id not in user.site_ids(*GATE_ROLES, *FULL_VIEW_ROLES, "admin"):
        raise NotFound(_("找不到这条访客记录，或您无权查看。"))
    return visitor


def visitor_out(user: User, visitor_id: int, receipt: Receipt) -> VisitorExit:
    """The visitor left (time out = the device time). GateRefused for a time out before the time in, 409
    when their leaving is already recorded."""
    visitor = get_visitor(user, visitor_id)
    if visitor.site_id not in user.site_ids(*GATE_ROLES):
        raise NotFound(_("找不到这条访客记录，或您无权查看。"))
    if as_utc(receipt.device_time) < as_utc(visitor.device_time):
        tz = db.session.get(Site, visitor.site_id).timezone
        refuse({"time_out": _("离开时间不能早于进入时间（%(t)s）。",
                              t=to_site_time(visitor.device_time, tz).strftime("%m-%d %H:%M"))})
    if visitor.exit is not None:
        raise GateRefused(_("这位访客已登记离开。"), status=409, code="already_out")
    leaving = VisitorExit(**receipt.columns(), user_id=user.id, site_id=visitor.site_id, visitor_id=visitor.id)
    db.session.add(leaving)
    db.session.flush()
    chain.append_records(visitor.site_id, "gate_visitor_exit", [leaving.id], now=receipt.received_at)
    db.session.expire(visitor, ["exit"])
    return leaving


def visitors_inside(site_id: int, *, post_id: int | None = None) -> list[Visitor]:
    query = (select(Visitor).outerjoin(VisitorExit, VisitorExit.visitor_id == Visitor.id)
             .where(Visitor.site_id == site_id, VisitorExit.id.is_(None)).order_by(Visitor.device_time))
    if post_id is not None:
        query = query.where(Visitor.post_id == post_id)
    return list(db.session.scalars(query))


def visitors_between(site_id: int, start: datetime, end: datetime) -> list[Visitor]:
    return list(db.session.scalars(select(Visitor).where(Visitor.site_id == site_id, Visitor.device_time >= start,
                                                         Visitor.device_time < end).order_by(Visitor.device_time)))


# ---------------------------------------------------------------- who sees what (G6, H6)


@dataclass(frozen=True)
class VisitorView:
    name: str
    phone: str
    id_number: str
    host_name: str
    full: bool
    erased: bool


def _view(visitor: Visitor, full: bool) -> VisitorView:
    person = visitor.person
    if person is None:
        return VisitorView(_("（已清除）"), "", "", "", full, True)
    if full:
        return VisitorView(person.name, person.phone, person.id_number, person.host_name, True, False)
    return VisitorView(person.name, mask_phone(person.phone), mask_id_number(person.id_number),
                       mask_name(person.host_name), False, False)


def may_see_full(user: User, visitor: Visitor) -> bool:
    """The desk and supervisors; a guard of the gate while the visitor is still inside (to check them)."""
    if visitor.site_id in user.site_ids(*FULL_VIEW_ROLES):
        return True
    return visitor.inside and visitor.site_id in user.site_ids("gate", "guard")


def list_view(user: User, visitor: Visitor) -> VisitorView:
    """A list row: full for the desk (not logged), masked for everyone else (lists never log)."""
    return _view(visitor, visitor.site_id in user.site_ids(*DESK_ROLES))


def full_view(user: User, visitor: Visitor, *, now: datetime, what: str = "view") -> VisitorView:
    """The details `user` may see; a full view by anyone but the desk adds a VisitorAccess row (flushed)."""
    if not may_see_full(user, visitor):
        return _view(visitor, False)
    if visitor.person is not None and visitor.site_id not in user.site_ids(*DESK_ROLES):
        db.session.add(VisitorAccess(site_id=visitor.site_id, visitor_id=visitor.id, user_id=user.id,
                                     what=what[:40], created_at=now))
        db.session.flush()
    return _view(visitor, True)


def access_log(site_id: int, *, limit: int = 200) -> list[VisitorAccess]:
    return list(db.session.scalars(select(VisitorAccess).where(VisitorAccess.site_id == site_id)
                                   .order_by(VisitorAccess.created_at.desc(), VisitorAccess.id.desc()).limit(limit)))


# ---------------------------------------------------------------- erasure after retention (G7)


def erase_expired(site_id: int, *, now: datetime) -> GateErasure | None:
    """Erase the personal fields of the site's visitor records older than its retention (default 180 days):
    their VisitorPerson rows are deleted and one GateErasure record naming them is chained. The visitor
    records stay, unchanged, so the chain still verifies. None when nothing was due."""
    days = int(settings.setting(site_id, "gate.visitor_retention_days", now))
    cutoff = as_utc(now) - timedelta(days=days)
    ids = list(db.session.scalars(select(VisitorPerson.visitor_id).join(Visitor, Visitor.id == VisitorPerson.visitor_id)
                                  .where(VisitorPerson.site_id == site_id, Visitor.device_time < cutoff)
                                  .order_by(VisitorPerson.visitor_id)))
    _blank_passes(site_id, cutoff)
    if not ids:
        return None
    for person in db.session.scalars(select(VisitorPerson).where(VisitorPerson.visitor_id.in_(ids))):
        db.session.delete(person)
    erasure = GateErasure(site_id=site_id, what="visitor", cutoff=cutoff, retention_days=days, count=len(ids),
                          record_ids=",".join(map(str, ids)), created_at=now)
    db.session.add(erasure)
    db.session.flush()
    chain.append_records(site_id, "gate_erasure", [erasure.id], now=now)
    log.info("site %s: personal fields of %d visitor records erased (before %s)", site_id, len(ids), cutoff)
    return erasure


def _blank_passes(site_id: int, cutoff: datetime) -> None:
    """Passes that ended before the cutoff lose their personal fields too (they are configuration)."""
    for old in db.session.scalars(select(GatePass).where(GatePass.site_id == site_id,
                                                         GatePass.valid_until < cutoff.date(),
                                                         GatePass.visitor_name != "")):
        old.visitor_name, old.visitor_phone, old.host_name = "", "", ""
    db.session.flush()


# ---------------------------------------------------------------- on the handover


def handover_lines(post: HandoverPost, user: User, now: datetime) -> list[str]:
    """HANDOVER_NOTES: visitors registered at this post and still inside at the shift change."""
    tz = post.site.timezone
    lines = []
    for v in visitors_inside(post.site_id, post_id=post.id):
        where = " ".join(x for x in ((v.building.name if v.building else ""), v.unit) if x)
        view = list_view(user, v)
        lines.append(_("访客 %(name)s（%(where)s）%(time)s 进入，仍在小区内", name=view.name,
                       where=where or view.host_name, time=to_site_time(v.device_time, tz).strftime("%m-%d %H:%M")))
    return lines
