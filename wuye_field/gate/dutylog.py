"""The running duty log (值班记录, P5, P8, G14–G15): guards and the desk write timestamped entries during a
shift (event, category, follow-up needed, photo); entries needing follow-up are handed on at the post's
next shift change; a supervisor signs a day's log and handovers as checked, and unsigned days are listed."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from wuye_field.accounts.models import User
from wuye_field.audit import chain
from wuye_field.core.errors import DomainError, NotFound
from wuye_field.core.time import to_site_time
from wuye_field.extensions import db
from wuye_field.gate import rules
from wuye_field.gate.checks import check_text
from wuye_field.gate.models import DUTY_CATEGORIES, DutyLogEntry, DutySignoff
from wuye_field.gate.visitors import gate_post, refuse
from wuye_field.handover import rules as shift_rules
from wuye_field.handover.models import HandoverPost
from wuye_field.photos import links as photo_links
from wuye_field.places.models import Site
from wuye_field.places.services import get_site
from wuye_field.sync.models import FIELD_COLUMNS
from wuye_field.sync.receipt import Receipt

PHOTO_OWNER = "duty_log"
WRITE_ROLES = ("gate", "guard", "desk", "supervisor")
SIGN_ROLES = ("supervisor",)
UNSIGNED_DAYS = 14
CHAIN_KINDS = {
    "gate_duty_log": FIELD_COLUMNS + ("post_id", "category", "text", "follow_up"),
    "gate_duty_signoff": ("site_id", "day", "user_id", "note", "created_at"),
}
chain.register_tables(CHAIN_KINDS)


def write_entry(user: User, values: dict, receipt: Receipt, *, photo_ids: str | None = "",
                photo_limit: int = 10) -> tuple[DutyLogEntry, int]:
    """An entry at post `values["post"]` (a guard post the user works) or, for the desk, on site
    `values["site"]`; text, category, follow_up. GateRefused naming the field for empty or over-long text."""
    if str(values.get("post") or "").strip():
        post = gate_post(user, values.get("post"))
        site_id, post_id = post.site_id, post.id
    else:
        site_id = int(values["site"]) if str(values.get("site") or "").isdigit() else None
        if site_id is None or site_id not in user.site_ids(*WRITE_ROLES):
            raise NotFound(_("找不到这个小区，或您无权查看。"))
        post_id = None
    errors: dict[str, str] = {}
    text = check_text(values.get("text"), errors, "text", 500, required=_("请写明值班事项。"))
    category = values.get("category") if values.get("category") in DUTY_CATEGORIES else "other"
    refuse(errors)
    entry = DutyLogEntry(**receipt.columns(), user_id=user.id, site_id=site_id, post_id=post_id, category=category,
                         text=text, follow_up=bool(values.get("follow_up")))
    db.session.add(entry)
    db.session.flush()
    pending = photo_links.link_photos(PHOTO_OWNER, entry.id, user_id=user.id, site_id=site_id,
                                      photo_ids=photo_links.parse_photo_ids(photo_ids, photo_limit))
    chain.append_records(site_id, "gate_duty_log", [entry.id], now=receipt.received_at)
    return entry, pending


def entries_between(site_id: int, start: datetime, end: datetime) -> list[DutyLogEntry]:
    return list(db.session.scalars(select(DutyLogEntry).where(DutyLogEntry.site_id == site_id,
                                                              DutyLogEntry.device_time >= start,
                                                              DutyLogEntry.device_time < end)
                                   .order_by(DutyLogEntry.device_time)))


def handover_lines(post: HandoverPost, user: User, now: datetime) -> list[str]:
    """HANDOVER_NOTES: entries needing follow-up written at this post during the shift being handed over."""
    starts = shift_rules.parse_clocks(post.shift_starts)
    start = shift_rules.current_shift(starts, now, post.site.timezone) - timedelta(hours=24 // max(1, len(starts)))
    entries = db.session.scalars(select(DutyLogEntry).where(DutyLogEntry.post_id == post.id,
                                                            DutyLogEntry.follow_up.is_(True),
                                                            DutyLogEntry.device_time >= start)
                                 .order_by(DutyLogEntry.device_time))
    return [_("值班记录待跟进（%(time)s）：%(text)s", time=to_site_time(e.device_time, post.site.timezone)
              .strftime("%H:%M"), text=e.text) for e in entries]


def sign_day(actor: User, site_id: int, raw_day: str, note: str, *, now: datetime) -> DutySignoff:
    """The supervisor signs a past or current local day's log and handovers as checked (once per day)."""
    site = get_site(actor, site_id, *SIGN_ROLES)
    try:
        day = date.fromisoformat(str(raw_day or ""))
    except ValueError as exc:
        raise DomainError(_("日期格式应为 YYYY-MM-DD。")) from exc
    if day > to_site_time(now, site.timezone).date():
        raise DomainError(_("不能签核未来的日期。"))
    if db.session.scalar(select(DutySignoff.id).where(DutySignoff.site_id == site.id, DutySignoff.day == day)):
        raise DomainError(_("%(day)s 的值班记录已签核。", day=day.isoformat()), status=409)
    errors: dict[str, str] = {}
    note = check_text(note, errors, "note", 200)
    refuse(errors)
    signoff = DutySignoff(site_id=site.id, day=day, user_id=actor.id, note=note, created_at=now)
    db.session.add(signoff)
    db.session.flush()
    chain.append_records(site.id, "gate_duty_signoff", [signoff.id], now=now)
    return signoff


def signoff_of(site_id: int, day: date) -> DutySignoff | None:
    return db.session.scalar(select(DutySignoff).where(DutySignoff.site_id == site_id, DutySignoff.day == day))


def unsigned_days(site_id: int, now: datetime, days: int = UNSIGNED_DAYS) -> list[date]:
    """Past local days (the last `days`, today excluded) with duty-log entries and no sign-off."""
    tz = db.session.get(Site, site_id).timezone
    today = to_site_time(now, tz).date()
    first = today - timedelta(days=days)
    start, end = rules.day_bounds(first, tz)[0], rules.day_bounds(today, tz)[0]
    written = {to_site_time(t, tz).date() for t in db.session.scalars(
        select(DutyLogEntry.device_time).where(DutyLogEntry.site_id == site_id, DutyLogEntry.device_time >= start,
                                               DutyLogEntry.device_time < end))}
    signed = set(db.session.scalars(select(DutySignoff.day).where(DutySignoff.site_id == site_id,
                                                                  DutySignoff.day >= first)))
    return sorted(written - signed)


def follow_ups_count(site_id: int, start: datetime, end: datetime) -> int:
    return db.session.scalar(select(func.count(DutyLogEntry.id)).where(
        DutyLogEntry.site_id == site_id, DutyLogEntry.follow_up.is_(True), DutyLogEntry.device_time >= start,
        DutyLogEntry.device_time < end)) or 0


