"""Checkpoint inspections (P3–P7): 「全部正常」 in one tap, or exceptions with readings, a note,
a severity and photos; corrections are new inspections pointing at the old one (H5).

An inspection made at the place is also the visit: unless the guard scanned the place a moment ago,
it records a scan with the same client UUID, so 「全部正常」 alone counts for the compliance board.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from wuye_field.accounts.models import User
from wuye_field.audit import chain
from wuye_field.core.errors import DomainError, NotFound
from wuye_field.photos import links as photo_links
from wuye_field.extensions import db
from wuye_field.patrol import services
from wuye_field.patrol.findings import open_inspection_finding
from wuye_field.patrol.common import clean_note, clean_round_key, find_round
from wuye_field.patrol.checklists import place_checklist
from wuye_field.patrol.position import kept as kept_position
from wuye_field.patrol.models import SEVERITIES, VIA_CHECKLIST, ChecklistItem, Inspection, InspectionAnswer, Scan
from wuye_field.places.models import Place
from wuye_field.sync.models import FIELD_COLUMNS
from wuye_field.sync.receipt import Receipt

PHOTO_OWNER = "inspection"
RESULTS = ("ok", "exception")
RECENT_SCAN = timedelta(minutes=10)  # a scan this close to the inspection is its visit: no second scan
OVERSEERS = ("supervisor", "admin")

CHAIN_KINDS = {
    "inspection": FIELD_COLUMNS + ("place_id", "round_id", "all_ok", "severity", "note", "corrects_id",
                                   "correction_reason"),
    "inspection_answer": ("inspection_id", "item_id", "site_id", "ok", "reading", "note", "created_at"),
}
chain.register_tables(CHAIN_KINDS)


class InspectionRefused(DomainError):
    """The inspection as sent cannot be stored (a reading missing, nothing marked as wrong…): 422."""

    status = 422
    code = "inspection_invalid"


@dataclass(frozen=True)
class Answer:
    """One checked item before it is stored."""

    item: ChecklistItem
    ok: bool
    reading: float | None = None


@dataclass
class InspectionResult:
    """What `record_inspection` stored: the inspection, the visit it implied (if any), pending photos."""

    inspection: Inspection
    scan: Scan | None = None
    pending_photos: int = 0
    out_of_range: list[str] = field(default_factory=list)
    warning: str = ""
    finding_id: int | None = None  # the open problem the exception opened (P5)


# ---------------------------------------------------------------- pure rules


def reading_ok(item: ChecklistItem, value: float) -> bool:
    """A reading is normal when it lies within the item's range (bounds included)."""
    if item.min_value is not None and value < item.min_value:
        return False
    return item.max_value is None or value <= item.max_value


def parse_reading(item: ChecklistItem, raw: str | None) -> float:
    """The number typed for a reading item; InspectionRefused when missing or not a number."""
    text = (raw or "").strip().replace("，", ".").replace(",", ".")
    if not text:
        raise InspectionRefused(_("请填写读数：%(label)s。", label=item.label), code="reading_required")
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise InspectionRefused(_("「%(label)s」的读数须为数字。", label=item.label), code="reading_invalid")
    return value


def build_answers(items: list[ChecklistItem], bad_ids: Iterable[str], readings: Mapping[str, str]) -> list[Answer]:
    """Each item's answer: a check is ok unless marked bad; a reading is required and ok when in range.

    `bad_ids` are the item ids (strings) marked 「不正常」; `readings` maps item id → typed value.
    Raises InspectionRefused for a reading missing or not a number, or a marked id not on the checklist.
    """
    by_id = {str(item.id): item for item in items}
    bad = {str(x).strip() for x in bad_ids if str(x).strip()}
    if bad - set(by_id):
        raise InspectionRefused(_("检查项无效，请刷新页面后重试。"), code="unknown_item")
    answers = []
    for item in items:
        if item.kind == "reading":
            value = parse_reading(item, readings.get(str(item.id)))
            answers.append(Answer(item, reading_ok(item, value) and str(item.id) not in bad, value))
        else:
            answers.append(Answer(item, str(item.id) not in bad))
    return answers


def clean_severity(raw: str | None, *, needed: bool) -> str:
    """The severity to store: one of SEVERITIES when something is wrong ("" otherwise)."""
    value = (raw or "").strip()
    if not needed:
        return ""
    if not value:
        return "medium"
    if value not in SEVERITIES:
        raise InspectionRefused(_("请选择严重程度。"), code="invalid_severity")
    return value


# ---------------------------------------------------------------- recording


def _correction_target(user: User, place: Place, raw: str | None) -> Inspection | None:
    text = (raw or "").strip()
    if not text:
        return None
    old = db.session.get(Inspection, int(text)) if text.isascii() and text.isdigit() else None
    allowed = old is not None and old.place_id == place.id and (
        old.user_id == user.id or old.site_id in user.site_ids(*OVERSEERS))
    if not allowed:
        raise NotFound(_("要更正的检查记录不存在，或您无权更正。"))
    return old


def _recent_scan(user: User, place: Place, device_time: datetime, round_id: int | None) -> Scan | None:
    """The user's scan of the place within RECENT_SCAN of `device_time` in the same round (or, outside a
    round, any): that scan is this inspection's visit."""
    query = select(Scan).where(Scan.user_id == user.id, Scan.place_id == place.id,
                               Scan.device_time.between(device_time - RECENT_SCAN, device_time + RECENT_SCAN))
    if round_id is not None:
        query = query.where(Scan.round_id == round_id)
    return db.session.scalar(query.limit(1))


def record_inspection(user: User, token: str, receipt: Receipt, *, result: str | None = "ok",
                      bad_ids: Iterable[str] = (), readings: Mapping[str, str] | None = None,
                      note: str | None = "", severity: str | None = "", photo_ids: str | None = "",
                      round_uuid: str | None = None, corrects: str | None = None, reason: str | None = "",
                      photo_limit: int = 10, position: Mapping | None = None) -> InspectionResult:
    """Record the checklist at the place of tag `token` (P3–P7).

    `result` "ok" (「全部正常」) or "exception". A reading is required for every reading item; one out of
    range makes the inspection an exception whatever the button. An exception names what is wrong (an
    item marked bad, a reading out of range, or a note) and a severity. `corrects` (an inspection id at
    this place, the user's own or on a site they oversee) with a `reason` makes this a correction, which
    is not a visit; otherwise the inspection implies a scan unless the user scanned here within 10 minutes.
    A replaced tag's token is accepted (its implied scan is flagged `tag_retired`, with a warning).
    Raises NotFound (unknown tag / place / corrected record), InspectionRefused (422),
    DomainError (400: note too long, bad photo ids, bad round id).
    """
    place, retired_warning = services.resolve_tag(user, token)
    if result not in RESULTS:
        raise InspectionRefused(_("请选择「全部正常」或「提交异常」。"), code="invalid_result")
    note = clean_note(note)
    photos = photo_links.parse_photo_ids(photo_ids, photo_limit)
    round_key = clean_round_key(round_uuid)
    corrected = _correction_target(user, place, corrects)
    reason = clean_note(reason)
    if corrected is not None and not reason:
        raise InspectionRefused(_("更正须填写原因。"), code="reason_required")
    answers = build_answers(place_checklist(place.id), bad_ids if result == "exception" else (), readings or {})
    out_of_range = [a.item.label for a in answers if a.item.kind == "reading" and not a.ok]
    all_ok = result == "ok" and all(a.ok for a in answers)
    if result == "exception" and all(a.ok for a in answers) and not note:
        raise InspectionRefused(_("请勾选不正常的项目，或写明异常情况。"), code="nothing_wrong")
    round_ = find_round(user, round_key)
    inspection = Inspection(
        **receipt.columns(), user_id=user.id, site_id=place.site_id, place_id=place.id,
        round_id=round_.id if round_ is not None and round_.site_id == place.site_id else None, all_ok=all_ok,
        severity=clean_severity(severity, needed=not all_ok), note=note,
        corrects_id=corrected.id if corrected else None, correction_reason=reason if corrected else "",
        **kept_position(place.site_id, position, receipt.received_at))
    db.session.add(inspection)
    db.session.flush()
    rows = [InspectionAnswer(inspection_id=inspection.id, item_id=a.item.id, site_id=place.site_id, ok=a.ok,
                             reading=a.reading, created_at=receipt.received_at) for a in answers]
    db.session.add_all(rows)
    db.session.flush()
    chain.append_records(place.site_id, "inspection", [inspection.id], now=receipt.received_at)
    chain.append_records(place.site_id, "inspection_answer", [r.id for r in rows], now=receipt.received_at)
    scan, warning = None, ""
    if corrected is None and _recent_scan(user, place, receipt.device_time, inspection.round_id) is None:
        scan, warning = services.add_scan(user, place, receipt, round_uuid=round_key,
                                          tag_retired=bool(retired_warning), via=VIA_CHECKLIST, position=position)
    pending = photo_links.link_photos(PHOTO_OWNER, inspection.id, user_id=user.id, site_id=place.site_id,
                                      photo_ids=photos)
    finding = open_inspection_finding(inspection, answers, receipt, photos)  # P5: reaches the supervisor now
    return InspectionResult(inspection, scan, pending, out_of_range, retired_warning or warning,
                            finding.id if finding else None)


def inspection_message(result: InspectionResult) -> str:
    """「配电房：全部正常」 / 「配电房：有异常（消火栓压力 超出范围）」 (+ photos pending, off route)."""
    inspection = result.inspection
    if inspection.corrects_id:
        message = _("已更正检查记录：%(place)s", place=inspection.place.name)
    elif inspection.all_ok:
        message = _("%(place)s：全部正常", place=inspection.place.name)
    else:
        message = _("%(place)s：已记录异常", place=inspection.place.name)
        if result.finding_id:
            message += _("，已报主管")
    if result.out_of_range:
        message += _("（读数超出范围：%(items)s）", items="、".join(result.out_of_range))
    if result.pending_photos:
        message += _("（%(n)d 张照片待上传）", n=result.pending_photos)
    if result.warning:
        message += " " + result.warning
    return message


def inspection_json(result: InspectionResult) -> dict:
    """The `inspection` object of the 201 answer."""
    inspection = result.inspection
    return {"id": inspection.id, "client_uuid": inspection.client_uuid, "place_id": inspection.place_id,
            "all_ok": inspection.all_ok, "severity": inspection.severity, "round_id": inspection.round_id,
            "corrects_id": inspection.corrects_id, "pending_photos": result.pending_photos,
            "scan_id": result.scan.id if result.scan else None, "out_of_range": result.out_of_range,
            "finding_id": result.finding_id}


# ---------------------------------------------------------------- reading back


@dataclass(frozen=True)
class InspectionView:
    """An inspection as the place and round pages show it: with its answers, photos still to come, the
    inspection that corrects it (if any)."""

    inspection: Inspection
    pending_photos: int = 0
    corrected_by: Inspection | None = None

    @property
    def bad_answers(self) -> list[InspectionAnswer]:
        return [a for a in self.inspection.answers if not a.ok]


def recent_inspections(place: Place, limit: int = 5) -> list[InspectionView]:
    """The place's latest inspections (by device time), each with its pending photos and corrector."""
    found = list(db.session.scalars(select(Inspection).where(Inspection.place_id == place.id)
                                    .order_by(Inspection.device_time.desc(), Inspection.id.desc()).limit(limit)))
    return _views(found)


def round_inspections(round_id: int) -> list[InspectionView]:
    """A round's inspections, oldest first."""
    found = list(db.session.scalars(select(Inspection).where(Inspection.round_id == round_id)
                                    .order_by(Inspection.device_time, Inspection.id)))
    return _views(found)


def _views(found: list[Inspection]) -> list[InspectionView]:
    ids = [i.id for i in found]
    pending = photo_links.pending_photo_counts(PHOTO_OWNER, ids)
    correctors = {}
    if ids:
        for row in db.session.scalars(select(Inspection).where(Inspection.corrects_id.in_(ids))
                                      .order_by(Inspection.id)):
            correctors[row.corrects_id] = row
    return [InspectionView(i, pending.get(i.id, 0), correctors.get(i.id)) for i in found]
