"""Residents' repair reports and complaints (W9): the public submission (rate-limited, cleaned, photo
re-encoded; R37) and the desk's handling with first-contact ownership (首接责任制, W6).

A repair is a `ResidentRequest` here; a complaint becomes an incidents `Complaint` (channel "window": the
same-day clock and the W5 figures of every complaint, owned by whoever takes it first, W6).
"""
from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from limits import parse_many
from sqlalchemy import select

from wuye_field.accounts.models import User
from wuye_field.core.errors import DomainError, FieldErrors, NotFound
from wuye_field.core.text import clean_text, text_problem
from wuye_field.core.time import as_utc, to_site_time
from wuye_field.extensions import db, limiter
from wuye_field.incidents import complaints
from wuye_field.incidents.models import Complaint
from wuye_field.places.models import Building
from wuye_field.residents.models import DESCRIPTION_MAX, REQUEST_KINDS, ResidentRequest
from wuye_field.workorders.models import CATEGORIES

PHONE_DIGITS = 11
DESK_ROLES = ("desk", "supervisor", "admin")
log = logging.getLogger(__name__)


class TooManyRequests(DomainError):
    status = 429
    code = "rate_limited"


@dataclass(frozen=True)
class Limits:
    per_ip: str
    per_phone: str
    enabled: bool = True


def check_rate(limits: Limits, address: str, phone: str) -> None:
    """Count one submission on the address and on the phone; TooManyRequests (429, Chinese) when either is
    used up. On the shared limiter storage (Redis in production), so every worker counts together."""
    if not limits.enabled:
        return
    for spec, key in ((limits.per_ip, ("resident-ip", address)), (limits.per_phone, ("resident-phone", phone))):
        for item in parse_many(spec):
            try:
                allowed = limiter.limiter.hit(item, *key)
            except Exception:  # the store unreachable (Redis down): take the report, say so in the log
                log.exception("resident rate-limit storage unavailable; report accepted without the limit")
                allowed = True
            if not allowed:
                raise TooManyRequests(_("提交太频繁，请稍后再试；紧急情况请直接拨打客服电话。"))


def clean_submission(kind: str, values: dict) -> dict:
    """Plain values of a resident's form; FieldErrors with Chinese messages. No HTML survives: the text is
    stored cleaned and always printed escaped."""
    errors: dict[str, str] = {}
    phone = "".join(str(values.get("phone") or "").split())
    if not (phone.isascii() and phone.isdigit() and len(phone) == PHONE_DIGITS and phone.startswith("1")):
        errors["phone"] = _("请填写 11 位手机号，方便客服回电。")
    raw = values.get("description")
    description = clean_text(raw, multiline=True)
    if message := text_problem(raw, multiline=True):
        errors["description"] = message
    elif len(description) < 4:
        errors["description"] = _("请简单描述情况（至少 4 个字）。")
    elif len(description) > DESCRIPTION_MAX:
        errors["description"] = _("描述最多 %(n)d 字。", n=DESCRIPTION_MAX)
    category = str(values.get("category") or "other")
    if kind == "repair" and category not in CATEGORIES:
        errors["category"] = _("请选择报修类别。")
    if kind not in REQUEST_KINDS:
        raise NotFound(_("页面不存在，或您无权查看。"))
    if errors:
        raise FieldErrors(errors)
    return {"phone": phone, "description": description, "category": category if kind == "repair" else "other"}


def _reference(building: Building, now: datetime) -> str:
    local = to_site_time(now, building.site.timezone)
    for _attempt in range(20):
        candidate = f"R{local:%y%m%d}{secrets.randbelow(10000):04d}"
        taken = db.session.scalar(select(ResidentRequest.id).where(ResidentRequest.reference == candidate))
        if taken is None and not complaints.reference_taken(candidate):
            return candidate
    return f"R{local:%y%m%d}{secrets.token_hex(3).upper()}"


def submit(building: Building, kind: str, clean: dict, *, photo_key: str | None,
           now: datetime) -> ResidentRequest | Complaint:
    """Store a resident's repair report as a new request on the desk's board, a complaint as a complaint of
    the incidents work (W5); returns it with its reference number."""
    if kind == "complaint":
        return complaints.receive_resident_complaint(building, reference=_reference(building, now),
                                                     phone=clean["phone"], what=clean["description"],
                                                     photo_key=photo_key, now=now)
    request = ResidentRequest(site_id=building.site_id, building_id=building.id, kind=kind,
                              reference=_reference(building, now), photo_key=photo_key, state="new",
                              created_at=now, note="", **clean)
    db.session.add(request)
    db.session.flush()
    return request


# ---------------------------------------------------------------- the desk


def desk_site_ids(user: User) -> set[int]:
    return user.site_ids(*DESK_ROLES)


def open_requests(user: User) -> list[ResidentRequest]:
    """New and taken requests of the user's desk sites, oldest first."""
    ids = desk_site_ids(user)
    if not ids:
        return []
    return list(db.session.scalars(select(ResidentRequest).where(ResidentRequest.site_id.in_(ids),
                                                                 ResidentRequest.state != "closed")
                                   .order_by(ResidentRequest.created_at)))


def get_request(user: User, request_id: int) -> ResidentRequest:
    request = db.session.get(ResidentRequest, request_id)
    if request is None or request.site_id not in desk_site_ids(user):
        raise NotFound(_("找不到这条住户来件，或您无权查看。"))
    return request


def take(user: User, request_id: int, *, now: datetime) -> ResidentRequest:
    """The first person to take a new request owns it to the end (W6); a taken one stays with its owner."""
    request = get_request(user, request_id)
    if request.state != "new":
        if request.owner_id == user.id:
            return request
        raise DomainError(_("这条来件已由他人接手。"), status=409, code="taken")
    request.state, request.owner_id, request.taken_at = "taken", user.id, as_utc(now)
    db.session.flush()
    return request


def close(user: User, request_id: int, note: str, *, now: datetime) -> ResidentRequest:
    """Only the owner closes a request, with what was done (the resident was called back)."""
    request = get_request(user, request_id)
    if request.state != "taken" or request.owner_id != user.id:
        raise DomainError(_("只有接手人可以办结这条来件。"), status=409, code="not_owner")
    note = clean_text(note, multiline=True)
    if len(note) < 2:
        raise FieldErrors({"note": _("请写明处理结果（已回电住户）。")})
    request.state, request.closed_at, request.note = "closed", as_utc(now), note[:DESCRIPTION_MAX]
    db.session.flush()
    return request
