"""A post's timeline (every handover, its versions and acceptance, late / early flags) and the status of
posts: who holds them now and which are late. Reads only."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from wuye_field.accounts.models import User
from wuye_field.core.time import as_utc
from wuye_field.photos import links as photo_links
from wuye_field.extensions import db
from wuye_field.handover import rules
from wuye_field.handover.handovers import PHOTO_OWNER, prefill
from wuye_field.handover.models import Handover, HandoverAcceptance, HandoverPost
from wuye_field.handover.posts import post_settings, posts_for

TIMELINE_LIMIT = 30


# ---------------------------------------------------------------- timeline and status


@dataclass
class TimelineEntry:
    """One handover on a post's timeline: every version (original first), its acceptance and flags."""

    versions: list[Handover]
    acceptance: HandoverAcceptance | None
    late: bool
    early: bool
    pending_photos: dict[int, int]
    timezone: str
    photos: dict[int, list] = field(default_factory=dict)  # version id → its arrived photos

    @property
    def current(self) -> Handover:
        return self.versions[-1]

    @property
    def original(self) -> Handover:
        return self.versions[0]

    @property
    def corrected(self) -> bool:
        return len(self.versions) > 1

    @property
    def group_id(self) -> int:
        return self.original.id

    @property
    def accepted_outdated(self) -> bool:
        """The incoming person accepted a version that was corrected afterwards."""
        return self.acceptance is not None and self.acceptance.handover_id != self.current.id

    @property
    def accepted_version(self) -> Handover | None:
        if self.acceptance is None:
            return None
        return next((v for v in self.versions if v.id == self.acceptance.handover_id), self.current)


def timeline(post: HandoverPost, *, now: datetime, limit: int = TIMELINE_LIMIT) -> list[TimelineEntry]:
    """The post's handovers, newest shift first, each with its corrections and acceptance (a few queries)."""
    originals = list(db.session.scalars(
        select(Handover).where(Handover.post_id == post.id, Handover.root_id.is_(None))
        .order_by(Handover.shift_start.desc(), Handover.id.desc()).limit(limit)))
    ids = [h.id for h in originals]
    if not ids:
        return []
    corrections = list(db.session.scalars(select(Handover).where(Handover.root_id.in_(ids)).order_by(Handover.id)))
    acceptances = {a.root_id: a for a in db.session.scalars(
        select(HandoverAcceptance).where(HandoverAcceptance.root_id.in_(ids)))}
    pending = photo_links.pending_photo_counts(PHOTO_OWNER, ids + [c.id for c in corrections])
    # defects offers photos per record only: one query per version, bounded by `limit`.
    photos = {v.id: photo_links.photos_of(PHOTO_OWNER, v.id) for v in originals + corrections}
    entries = []
    settings_at = post_settings(post)
    for original in originals:
        versions = [original] + [c for c in corrections if c.root_id == original.id]
        acceptance = acceptances.get(original.id)
        settings = settings_at(as_utc(original.shift_start))  # H1 as it stood for that shift
        entries.append(TimelineEntry(
            versions=versions, acceptance=acceptance,
            late=rules.is_late(original.shift_start, acceptance.device_time if acceptance else None, now,
                               settings.late_after_min),
            early=rules.is_early(original.shift_start, original.device_time, settings.window_min),
            pending_photos=pending, timezone=post.site.timezone,
            photos={v.id: photos[v.id] for v in versions if photos[v.id]}))
    return entries


@dataclass
class PostStatus:
    """Where a post stands now: the shift being handed over, its window, the handover awaiting acceptance."""

    post: HandoverPost
    shift_start: datetime
    window_opens: datetime
    window_open: bool
    awaiting: TimelineEntry | None
    late: bool  # the current shift is more than late_after_min in and not accepted
    prefill: list[tuple[str, int]]


def post_status(post: HandoverPost, *, now: datetime, entries: list[TimelineEntry] | None = None) -> PostStatus:
    """The post's status at `now` (for the post page and the supervisors' list), with its settings in force now."""
    settings = post_settings(post)(now)
    starts, late_after = settings.starts, settings.late_after_min
    shift = rules.upcoming_shift(starts, now, post.site.timezone, late_after)
    opens = rules.window_opens(shift, settings.window_min)
    entries = timeline(post, now=now, limit=3) if entries is None else entries
    awaiting = next((e for e in entries if e.acceptance is None), None)
    current = rules.current_shift(starts, now, post.site.timezone)
    done = any(as_utc(e.original.shift_start) == current and e.acceptance is not None for e in entries)
    return PostStatus(post=post, shift_start=shift, window_opens=opens,
                      window_open=opens <= as_utc(now) <= shift + timedelta(minutes=late_after),
                      awaiting=awaiting, late=not done and rules.is_late(current, None, now, late_after),
                      prefill=prefill(post))


def late_posts(user: User, *, now: datetime) -> list[PostStatus]:
    """Posts (of sites the user supervises) whose current shift is not accepted 30 min after it began."""
    site_ids = user.site_ids("supervisor", "admin")
    posts = [p for p in posts_for(user) if p.site_id in site_ids]
    return [s for s in (post_status(p, now=now) for p in posts) if s.late]
