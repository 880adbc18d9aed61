"""What scans, rounds and inspections share, one level below them (they import this, never each other
upwards): the note rule, a round found by its client UUID and its planned stops, an inspection's latest version.
"""
from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _
from sqlalchemy import select

from wuye_field.accounts.models import User
from wuye_field.core.errors import DomainError
from wuye_field.core.text import clean_text
from wuye_field.extensions import db
from wuye_field.patrol.models import NOTE_MAX, Inspection, Round
from wuye_field.sync.idempotency import parse_key


def clean_note(raw: str | None) -> str:
    """The note as stored (`clean_text`); DomainError (400) beyond NOTE_MAX characters."""
    note = clean_text(raw, multiline=True)
    if len(note) > NOTE_MAX:
        raise DomainError(_("备注最多 %(n)d 个字。", n=NOTE_MAX), code="note_too_long")
    return note


def clean_round_key(raw: str | None) -> str | None:
    """The round's client UUID as sent (canonical lower-case), None when absent; DomainError when malformed."""
    text = (raw or "").strip()
    if not text:
        return None
    key = parse_key(text)
    if key is None:
        raise DomainError(_("巡更编号无效。"), code="invalid_round")
    return key


def find_round(user: User, client_uuid: str | None) -> Round | None:
    """The user's own round with this client UUID, or None."""
    if not client_uuid:
        return None
    return db.session.scalar(select(Round).where(Round.user_id == user.id, Round.client_uuid == client_uuid))


def planned_ids(round_: Round) -> list[int]:
    """The place ids a round planned, in order."""
    return [int(part) for part in round_.planned.split(",") if part.strip().isdigit()]


def current_versions(inspections: Iterable[Inspection]) -> list[Inspection]:
    """The inspections that no other one in the list corrects (the latest word on each)."""
    items = list(inspections)
    corrected = {i.corrects_id for i in items if i.corrects_id}
    if items:
        corrected |= set(db.session.scalars(select(Inspection.corrects_id).where(
            Inspection.corrects_id.in_([i.id for i in items]))))
    return [i for i in items if i.id not in corrected]
