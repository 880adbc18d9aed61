"""P5: an inspection with an exception (an item marked wrong, a reading out of range, a note) reaches the
patrol leader at once — it opens a finding on the site's open-problems list (`defects.findings`), which
the supervisor resolves or turns into a work order like any defect."""
from __future__ import annotations

from flask_babel import gettext as _

from wuye_field.defects.findings import open_finding
from wuye_field.defects.models import Defect
from wuye_field.patrol.models import Inspection
from wuye_field.sync.receipt import Receipt

# A checklist category (patrol.models.CHECK_CATEGORIES) → the defect category its finding gets.
DEFECT_CATEGORY = {"security": "security", "fire": "fire", "doors": "doors", "lighting": "lighting",
                   "signs": "public", "parking": "public"}


def finding_note(place_name: str, bad: list, note: str) -> str:
    """「巡查异常：配电房 — 灭火器压力 0.3（超出范围）、门窗关闭；门锁坏了」."""
    parts = []
    for answer in bad:
        if answer.item.kind == "reading" and answer.reading is not None:
            parts.append(_("%(label)s %(value)g%(unit)s（超出范围）", label=answer.item.label,
                           value=answer.reading, unit=answer.item.unit))
        else:
            parts.append(answer.item.label)
    text = _("巡查异常：%(place)s", place=place_name)
    if parts:
        text += " — " + "、".join(parts)
    return text + ("；" + note if note else "")


def open_inspection_finding(inspection: Inspection, answers: list, receipt: Receipt,
                            photo_ids: list[str]) -> Defect | None:
    """The finding of an inspection that is not all normal (None for one that is, and for a correction:
    the inspection it corrects opened its finding already, or had nothing to report)."""
    if inspection.all_ok or inspection.corrects_id is not None:
        return None
    bad = [a for a in answers if not a.ok]
    category = DEFECT_CATEGORY.get(bad[0].item.category, "other") if bad else "other"
    return open_finding(user_id=inspection.user_id, site_id=inspection.site_id, place_id=inspection.place_id,
                        category=category, severity=inspection.severity,
                        note=finding_note(inspection.place.name, bad, inspection.note), receipt=receipt,
                        inspection_id=inspection.id, round_id=inspection.round_id, photo_ids=photo_ids)
