"""The inspector's round read back: a site-month's `AssessmentEntry` records folded into `Decisions`.

Entries count in the order they were made on the phone (device time, then arrival): the latest score of an
item and the latest decision on a proposed deduction win; on-site deductions and reprimands add up; each
side signs once (the first signature of a role counts). Writing is `round.record`.
"""
from __future__ import annotations

from sqlalchemy import select

from wuye_field.assessment.inputs import Decisions, OnSiteDeduction, Reprimand, Signature
from wuye_field.assessment.models import ACCEPT, ONSITE, REJECT, REPRIMAND, SCORE, SIGN, AssessmentEntry
from wuye_field.extensions import db
from wuye_field.photos.models import Photo, PhotoLink

PHOTO_OWNER = "assessment_entry"


def month_entries(site_id: int, month: str) -> list[AssessmentEntry]:
    """Every entry of a site-month, in the order they were made."""
    return list(db.session.scalars(select(AssessmentEntry).where(
        AssessmentEntry.site_id == site_id, AssessmentEntry.month == month)
        .order_by(AssessmentEntry.device_time, AssessmentEntry.id)))


def entry_photos(entry_ids: list[int]) -> dict[int, list[Photo]]:
    """{entry id: its photos that have arrived, in the order the entry named them} (one query)."""
    if not entry_ids:
        return {}
    rows = db.session.execute(
        select(PhotoLink.owner_id, Photo)
        .join(Photo, (Photo.client_uuid == PhotoLink.photo_uuid) & (Photo.user_id == PhotoLink.user_id))
        .where(PhotoLink.owner_kind == PHOTO_OWNER, PhotoLink.owner_id.in_(entry_ids))
        .order_by(PhotoLink.owner_id, PhotoLink.position))
    result: dict[int, list[Photo]] = {}
    for owner_id, photo in rows:
        result.setdefault(owner_id, []).append(photo)
    return result


def fold(rows: list[AssessmentEntry], photos: dict[int, list[Photo]] | None = None) -> Decisions:
    """`Decisions` from entries in the order they were made (pure: no query)."""
    photos = photos or {}
    scores: dict[str, float] = {}
    decided: dict[str, tuple[bool, str]] = {}
    onsite, reprimands, signatures = [], [], {}
    for e in rows:
        photo_ids = tuple(p.id for p in photos.get(e.id, ()))
        if e.kind == SCORE:
            scores[e.item] = e.points
        elif e.kind == ONSITE:
            onsite.append(OnSiteDeduction(e.id, e.item, e.points, e.note, photo_ids, e.user.name, e.device_time))
        elif e.kind in (ACCEPT, REJECT):
            decided[e.proposal_key] = (e.kind == ACCEPT, e.note)
        elif e.kind == REPRIMAND:
            reprimands.append(Reprimand(e.id, e.reprimand_kind, e.doc_number, e.note, photo_ids, e.user.name,
                                        e.device_time))
        elif e.kind == SIGN and e.signer_role not in signatures:
            signatures[e.signer_role] = Signature(e.id, e.signer_role, e.user.name, e.device_time)
    return Decisions(
        item_scores=scores, onsite=tuple(onsite),
        accepted=frozenset(k for k, (accepted, _note) in decided.items() if accepted),
        rejected={k: note for k, (accepted, note) in decided.items() if not accepted},
        reprimands=tuple(reprimands), signatures=tuple(signatures.values()))


def decisions(site_id: int, month: str) -> Decisions:
    """What people decided about a site-month, from the round's records."""
    rows = month_entries(site_id, month)
    return fold(rows, entry_photos([e.id for e in rows if e.kind in (ONSITE, REPRIMAND)]))


def signed_by_both(site_id: int, month: str) -> bool:
    """Have the inspector and the site manager both signed the month (after which nothing changes it)?"""
    roles = set(db.session.scalars(select(AssessmentEntry.signer_role).where(
        AssessmentEntry.site_id == site_id, AssessmentEntry.month == month, AssessmentEntry.kind == SIGN)))
    return {"inspector", "manager"} <= roles
