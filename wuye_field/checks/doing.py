"""Doing a check at the equipment, and meter readings (P7, W8, W11).

A check stores every item's answer; it fails when an item is marked bad, a count is short, a reading is
out of range, or a rule says so on its own (P7: an extinguisher past its expiry date, a hydrant box with
fewer extinguishers than expected). A failed check opens a defect linked to the equipment (the check names
it), which becomes a work order in one step from the defect page. A check for equipment removed meanwhile
is kept and flagged (never dropped, never counted as done).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select

from wuye_field.accounts.models import User
from wuye_field.audit import chain
from wuye_field.checks import plans as plan_rules
from wuye_field.checks.defaults import METERS, TYPES
from wuye_field.checks.equipment import type_label
from wuye_field.checks.models import REMOVED, CheckPlan, CheckRecord, Equipment, MeterReading
from wuye_field.core.errors import DomainError, Forbidden, NotFound
from wuye_field.core.text import clean_text
from wuye_field.defects.models import Defect
from wuye_field.extensions import db
from wuye_field.photos import links as photo_links
from wuye_field.places.models import Site
from wuye_field.sync.models import FIELD_COLUMNS
from wuye_field.sync.receipt import Receipt

PHOTO_OWNER = "check"
NOTE_MAX = 500
ITEM_NOTE_MAX = 100  # the note on one item marked not ok (a planned order's checklist)
READING_LIMIT = 1e9
CHAIN_KINDS = {
    "check_record": FIELD_COLUMNS + ("plan_id", "equipment_id", "result", "answers", "failures", "note",
                              "equipment_removed", "defect_id"),
    "meter_reading": FIELD_COLUMNS + ("equipment_id", "meter", "value", "check_id"),
}
chain.register_tables(CHAIN_KINDS)


class CheckRefused(DomainError):
    status = 422
    code = "check_refused"


def parse_number(raw, label: str) -> float | None:
    """A reading typed on the phone (「0.35」); None when empty; CheckRefused when not a number."""
    text = str(raw if raw is not None else "").strip().replace("，", ".").replace(",", ".")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError as exc:
        raise CheckRefused(_("「%(label)s」请填写数字。", label=label), code="not_a_number") from exc
    if not math.isfinite(value) or abs(value) > READING_LIMIT:
        raise CheckRefused(_("「%(label)s」的数字不合理。", label=label), code="not_a_number")
    return value


def parse_count(raw, label: str) -> int | None:
    text = str(raw if raw is not None else "").strip()
    if not text:
        return None
    if text.startswith("-") and text[1:].isdigit():
        raise CheckRefused(_("「%(label)s」不能小于 0。", label=label), code="negative_count")
    if not (text.isascii() and text.isdigit()) or len(text) > 6:
        raise CheckRefused(_("「%(label)s」请填写整数。", label=label), code="not_a_number")
    return int(text)


def expected_count(item: dict, equipment: Equipment) -> int | None:
    expected = item.get("expected")
    if isinstance(expected, str) and expected.startswith("attr:"):
        value = (equipment.attrs or {}).get(expected[5:])
        return int(value) if value is not None else None
    return int(expected) if expected is not None else None


def expired(equipment: Equipment, today: date) -> str | None:
    """P7: an extinguisher past its expiry date fails its check whatever was ticked."""
    raw = (equipment.attrs or {}).get("expiry")
    if equipment.type != "extinguisher" or not raw:
        return None
    expiry = date.fromisoformat(raw)
    return _("灭火器已过有效期（%(d)s）", d=raw) if expiry < today else None


def answer_items(items: list[dict], form: dict, equipment: Equipment, today: date) -> tuple[dict, list[str]]:
    """Answers and failures from the form: `all_ok` ticks every ok item; `bad_<key>` marks one bad (with
    `note_<key>` saying why); `count_<key>`, `reading_<key>` carry numbers."""
    answers: dict[str, dict] = {}
    failures: list[str] = []
    all_ok = form.get("all_ok") in ("1", "on", "true")
    for item in items:
        key, label = item["key"], item["label"]
        if item["kind"] == "ok":
            ok = form.get(f"bad_{key}") not in ("1", "on", "true")
            answers[key] = {"ok": ok}
            why = clean_text(form.get(f"note_{key}"))[:ITEM_NOTE_MAX] if not ok else ""
            if why:
                answers[key]["note"] = why
            if not ok:
                failures.append(_("%(label)s：不正常", label=label) + (f"（{why}）" if why else ""))
        elif item["kind"] == "count":
            expected = expected_count(item, equipment)
            value = parse_count(form.get(f"count_{key}"), label)
            if value is None:
                value = expected if all_ok else None
            if value is None:
                raise CheckRefused(_("请填写「%(label)s」。", label=label), code="count_required")
            ok = expected is None or value >= expected
            answers[key] = {"ok": ok, "value": value, "expected": expected}
            if not ok:
                failures.append(_("%(label)s：%(n)d 个，应有 %(e)d 个", label=label, n=value, e=expected))
        else:
            value = parse_number(form.get(f"reading_{key}"), label)
            if value is None:
                if not item.get("optional"):
                    raise CheckRefused(_("请填写「%(label)s」。", label=label), code="reading_required")
                continue
            low, high = item.get("min"), item.get("max")
            ok = (low is None or value >= low) and (high is None or value <= high)
            answers[key] = {"ok": ok, "value": value}
            if not ok:
                failures.append(_("%(label)s：%(v)s %(unit)s，超出范围 %(lo)s–%(hi)s", label=label, v=value,
                                  unit=item.get("unit", ""), lo=low, hi=high))
    rule = expired(equipment, today)
    if rule:
        failures.append(rule)
    return answers, failures


@dataclass(frozen=True)
class CheckView:
    record: CheckRecord
    equipment: Equipment
    plan: CheckPlan

    @property
    def message(self) -> str:
        name = f"{self.equipment.name}（{self.equipment.code}）"
        if self.record.equipment_removed:
            return _("已保存：%(name)s 已拆除，记录已标记待主管查看", name=name)
        if self.record.result == "ok":
            return _("已检查：%(name)s 全部正常", name=name)
        return _("已检查：%(name)s 有问题，已生成问题记录", name=name)

    def as_json(self) -> dict:
        r = self.record
        return {"id": r.id, "result": r.result, "failures": r.failures, "defect_id": r.defect_id,
                "equipment_removed": r.equipment_removed, "plan_id": r.plan_id, "equipment_id": r.equipment_id}


def _load(user: User, equipment_id: int, plan_id: int) -> tuple[Equipment, CheckPlan]:
    equipment = db.session.get(Equipment, equipment_id)
    if equipment is None or equipment.site_id not in user.site_ids():
        # scope: a guard who lost the site while offline gets the check kept aside (R12), not dropped
        raise NotFound(_("设备不存在，或您无权查看。"), scope_site_id=equipment.site_id if equipment else None)
    plan = db.session.get(CheckPlan, plan_id)
    if plan is None or plan.site_id != equipment.site_id or not plan_rules.covers(plan, equipment):
        raise NotFound(_("这台设备没有这项检查计划。"))
    if not plan_rules.can_do(user, plan):
        raise Forbidden(_("这项检查不由您负责。"), scope_site_id=plan.site_id)
    return equipment, plan


def record_check(user: User, *, equipment_id: int, plan_id: int, form: dict, note: str | None,
                 photo_ids: list[str], receipt: Receipt) -> CheckView:
    """Store a check made on the phone; the answer to a replay is the stored check."""
    stored = db.session.scalar(select(CheckRecord).where(CheckRecord.user_id == user.id,
                                                         CheckRecord.client_uuid == receipt.client_uuid))
    if stored is not None:
        return CheckView(stored, db.session.get(Equipment, stored.equipment_id),
                         db.session.get(CheckPlan, stored.plan_id))
    equipment, plan = _load(user, equipment_id, plan_id)
    answered = answer_check(equipment, plan, form, note, receipt)
    return store_check(user, equipment, plan, answered, photo_ids, receipt)


@dataclass(frozen=True)
class Answered:
    """A check's answers read from its form, before anything is stored."""

    answers: dict
    failures: list[str]
    note: str


def answer_check(equipment: Equipment, plan: CheckPlan, form: dict, note: str | None, receipt: Receipt) -> Answered:
    """Read and check the form of a check (CheckRefused with a Chinese message; nothing stored)."""
    note = clean_text(note, multiline=True)
    if len(note) > NOTE_MAX:
        raise CheckRefused(_("备注最多 %(n)d 个字。", n=NOTE_MAX), code="too_long")
    today = receipt.device_time.astimezone(ZoneInfo(db.session.get(Site, equipment.site_id).timezone)).date()
    answers, failures = answer_items(plan_rules.items_for(plan, equipment), form, equipment, today)
    return Answered(answers, failures, note)


def store_check(user: User, equipment: Equipment, plan: CheckPlan, answered: Answered, photo_ids: list[str],
                receipt: Receipt) -> CheckView:
    """Store an answered check (a failure opens a defect), its readings, on the chain; a replay → the stored one."""
    stored = db.session.scalar(select(CheckRecord).where(CheckRecord.user_id == user.id,
                                                         CheckRecord.client_uuid == receipt.client_uuid))
    if stored is not None:
        return CheckView(stored, equipment, plan)
    answers, failures, note = answered.answers, answered.failures, answered.note
    removed = equipment.status == REMOVED
    defect = _open_defect(user, equipment, failures, note, photo_ids, receipt) if failures and not removed else None
    record = CheckRecord(**receipt.columns(), user_id=user.id, site_id=equipment.site_id, plan_id=plan.id,
                         equipment_id=equipment.id, result="fail" if failures else "ok", answers=answers,
                         failures=failures, note=note, equipment_removed=removed,
                         defect_id=defect.id if defect else None)
    db.session.add(record)
    db.session.flush()
    photo_links.link_photos(PHOTO_OWNER, record.id, user_id=user.id, site_id=equipment.site_id, photo_ids=photo_ids)
    _store_readings(user, equipment, plan, answers, receipt, record.id)
    db.session.flush()
    chain.append_records(equipment.site_id, "check_record", [record.id], now=receipt.received_at)
    return CheckView(record, equipment, plan)


def _open_defect(user: User, equipment: Equipment, failures: list[str], note: str, photo_ids: list[str],
                 receipt: Receipt) -> Defect:
    """The defect a failed check opens, at the equipment's place, naming the piece (its photos too)."""
    category = TYPES[equipment.type][1] if equipment.type in TYPES else "other"
    where = f"{type_label(equipment.type)} {equipment.code} {equipment.name}"[:100]
    text = "；".join(failures) + (f"。{note}" if note else "")
    defect = Defect(**receipt.columns(), user_id=user.id, site_id=equipment.site_id,
                    place_id=equipment.place_id or equipment.tag_place_id, location=where, category=category,
                    severity="high" if category == "fire" else "medium", note=text[:500])
    db.session.add(defect)
    db.session.flush()
    photo_links.link_photos("defect", defect.id, user_id=user.id, site_id=equipment.site_id, photo_ids=photo_ids)
    chain.append_records(equipment.site_id, "defect", [defect.id], now=receipt.received_at)
    return defect


def _store_readings(user: User, equipment: Equipment, plan: CheckPlan, answers: dict, receipt: Receipt,
                    check_id: int | None) -> None:
    rows = []
    for item in plan.items:
        meter = item.get("meter")
        if meter and item["key"] in answers and answers[item["key"]].get("value") is not None:
            rows.append(MeterReading(**receipt.columns(), user_id=user.id, site_id=equipment.site_id,
                                     equipment_id=equipment.id, meter=meter, value=answers[item["key"]]["value"],
                                     check_id=check_id))
    if rows:
        db.session.add_all(rows)
        db.session.flush()
        chain.append_records(equipment.site_id, "meter_reading", [r.id for r in rows], now=receipt.received_at)


def record_reading(user: User, *, equipment_id: int, meter: str, raw_value, receipt: Receipt) -> MeterReading:
    """A meter reading taken on its own (not in a check)."""
    stored = db.session.scalar(select(MeterReading).where(MeterReading.user_id == user.id,
                                                          MeterReading.client_uuid == receipt.client_uuid))
    if stored is not None:
        return stored
    equipment = db.session.get(Equipment, equipment_id)
    if equipment is None or equipment.site_id not in user.site_ids():
        raise NotFound(_("设备不存在，或您无权查看。"), scope_site_id=equipment.site_id if equipment else None)
    if meter not in TYPES.get(equipment.type, ("", "", ()))[2]:
        raise CheckRefused(_("这台设备没有这个表。"), code="bad_meter")
    value = parse_number(raw_value, str(METERS[meter][0]))
    if value is None:
        raise CheckRefused(_("请填写读数。"), code="reading_required")
    if value < 0 and meter != "pressure":
        raise CheckRefused(_("读数不能小于 0。"), code="negative_reading")
    reading = MeterReading(**receipt.columns(), user_id=user.id, site_id=equipment.site_id, equipment_id=equipment.id,
                           meter=meter, value=value, check_id=None)
    db.session.add(reading)
    db.session.flush()
    chain.append_records(equipment.site_id, "meter_reading", [reading.id], now=receipt.received_at)
    return reading


def readings(equipment_id: int, meter: str, limit: int = 60) -> list[MeterReading]:
    """The latest readings of one meter, oldest first (for the chart)."""
    rows = list(db.session.scalars(select(MeterReading).where(
        MeterReading.equipment_id == equipment_id, MeterReading.meter == meter)
        .order_by(MeterReading.device_time.desc()).limit(limit)))
    return rows[::-1]
