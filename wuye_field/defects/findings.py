"""Findings (P5): a problem another duty found opens a defect on the site's open-problems list at once.

A checkpoint inspection with an exception or a reading out of range must reach the patrol leader (P5):
patrol calls `open_finding`, which stores a `Defect` linked to the inspection (`inspection_id`,
`round_id`), authored by the guard, with the same receipt times as the inspection and the inspection's
photos. From there it is an ordinary defect: counted in the supervisor's 「未处理的问题」, resolved or
turned into a work order the same way. No photo is required (the inspection already said what is wrong).
"""
from __future__ import annotations

from sqlalchemy import select

from wuye_field.audit import chain
from wuye_field.defects.models import DEFECT_CATEGORIES, Defect
from wuye_field.defects.records import NOTE_MAX, PHOTO_OWNER, SEVERITIES
from wuye_field.extensions import db
from wuye_field.photos import links as photos
from wuye_field.sync.receipt import Receipt


def open_finding(*, user_id: int, site_id: int, place_id: int | None, category: str, severity: str, note: str,
                 receipt: Receipt, inspection_id: int | None = None, round_id: int | None = None,
                 photo_ids: list[str] = ()) -> Defect:
    """Store (flush, chain) an open defect found by another duty's record; returns it.

    `category` falls back to "other" and `severity` to "medium" when not a defect's own; `note` is cut to
    the defect's limit. The defect shares the record's client UUID (unique per table and user), so a
    replayed inspection never opens a second finding.
    """
    existing = db.session.scalar(select(Defect).where(Defect.user_id == user_id,
                                                      Defect.client_uuid == receipt.client_uuid))
    if existing is not None:
        return existing
    defect = Defect(
        **receipt.columns(), user_id=user_id, site_id=site_id, place_id=place_id, location="",
        category=category if category in DEFECT_CATEGORIES else "other",
        severity=severity if severity in SEVERITIES else "medium", note=note[:NOTE_MAX],
        inspection_id=inspection_id, round_id=round_id)
    db.session.add(defect)
    db.session.flush()
    chain.append_records(site_id, "defect", [defect.id], now=receipt.received_at)
    if photo_ids:
        photos.link_photos(PHOTO_OWNER, defect.id, user_id=user_id, site_id=site_id, photo_ids=photo_ids)
    return defect
