"""Audit services: the admin change log, chain status for the admin page, on-demand digests."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from wuye_field.audit import chain
from wuye_field.audit.models import AdminChange, ChainHead, admin_changes
from wuye_field.extensions import db

ADMIN_CHANGE_KIND = "admin_change"
READER_ROLES = ("supervisor", "admin")

chain.register_kind(ADMIN_CHANGE_KIND, chain.table_loader(
    "audit_admin_change", ("site_id", "actor_id", "actor_name", "what", "before", "after", "created_at")))


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def log_admin_change(actor, site_id: int | None, what: str, before, after, *, now: datetime) -> AdminChange:
    """Record that `actor` (a user, or None for the system) changed `what` on `site_id` from `before`
    to `after` (any JSON-able values). Append-only; chained into the site's hash chain. Flushes."""
    change = AdminChange(site_id=site_id, actor_id=getattr(actor, "id", None),
                         actor_name=getattr(actor, "name", "") or "", what=what[:200], before=_json(before),
                         after=_json(after), created_at=now)
    db.session.add(change)
    db.session.flush()
    if site_id is not None:
        chain.append_records(site_id, ADMIN_CHANGE_KIND, [change.id], now=now)
    return change


def can_read_logs(user, site_id: int) -> bool:
    """Supervisors and admins of a site read its admin change log (the resident-data access log is in workorders)."""
    return site_id in user.site_ids(*READER_ROLES)


def recent_admin_changes(site_ids, limit: int = 100) -> list[AdminChange]:
    """The latest admin changes of these sites, newest first."""
    return list(db.session.scalars(admin_changes(site_ids).limit(limit)))


@dataclass(frozen=True)
class ChainStatus:
    """One site's chain for the admin page: its head and the digests written of it."""

    site_id: int
    head_seq: int
    head_hash: str
    updated_at: datetime | None
    digests: list[chain.Digest]

    @property
    def last_digest(self) -> chain.Digest | None:
        return self.digests[-1] if self.digests else None


def chain_status(site_ids) -> dict[int, ChainStatus]:
    """{site id: ChainStatus} for sites with a chain (digest files read from the digest directory)."""
    heads = db.session.scalars(select(ChainHead).where(ChainHead.site_id.in_(list(site_ids))))
    return {h.site_id: ChainStatus(h.site_id, h.seq, h.hash, h.updated_at, chain.read_digests(h.site_id)[-5:])
            for h in heads}
