"""Rosters (排班) of the handover posts and P1 coverage: who is expected on which post in which shift, the
covered / uncovered hours per post and day, and the posts with no one on duty now (red on the board).

A roster line is configuration edited by a supervisor on the month grid (assign a range, copy last month,
swap two people); every edit goes to the admin change log. Services take plain values and flush only.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from wuye_field.accounts.models import Membership, User
from wuye_field.audit.services import log_admin_change
from wuye_field.core.errors import FieldErrors, NotFound
from wuye_field.core.time import as_utc, to_site_time
from wuye_field.extensions import db
from wuye_field.gate import rules, settings
from wuye_field.gate.models import RosterEntry
from wuye_field.handover import rules as shift_rules
from wuye_field.handover.models import Handover, HandoverAcceptance, HandoverPost, posts_of_sites
from wuye_field.handover.posts import WORK_ROLES
from wuye_field.handover.timeline import post_status
from wuye_field.places.models import Site
from wuye_field.places.services import get_site

EDIT_ROLES = ("supervisor", "admin")
VIEW_ROLES = ("supervisor", "admin", "desk", "guard", "gate")


def site_posts(site_id: int) -> list[HandoverPost]:
    return list(db.session.scalars(posts_of_sites([site_id])))


def starts_of(post: HandoverPost) -> list[str]:
    return [t.strftime("%H:%M") for t in shift_rules.parse_clocks(post.shift_starts)]


def eligible_users(site_id: int) -> list[User]:
    """People who may stand a post of the site (guards, gate guards, the desk, supervisors)."""
    roles = {role for roles in WORK_ROLES.values() for role in roles}
    return list(db.session.scalars(
        select(User).join(Membership).where(Membership.site_id == site_id, Membership.role.in_(roles),
                                            User.active.is_(True)).distinct().order_by(User.staff_no)))


# ---------------------------------------------------------------- the month grid


@dataclass
class GridRow:
    post: HandoverPost
    shift: str
    cells: dict[date, RosterEntry | None] = field(default_factory=dict)


@dataclass
class MonthGrid:
    site: Site
    year: int
    month: int
    days: list[date]
    rows: list[GridRow]
    users: list[User]

    @property
    def post_options(self) -> list[tuple[int, str]]:
        return list({row.post.id: (row.post.id, row.post.name) for row in self.rows}.values())

    @property
    def shift_options(self) -> list[tuple[str, str]]:
        return [(s, s) for s in sorted({row.shift for row in self.rows})]

    @property
    def user_options(self) -> list[tuple[int, str]]:
        return [(u.id, f"{u.name}（{u.staff_no}）") for u in self.users]


def month_grid(viewer: User, site_id: int, year: int, month: int) -> MonthGrid:
    """Every post × shift of a site with who is on it each day of the month (two queries)."""
    site = get_site(viewer, site_id, *VIEW_ROLES)
    days = rules.month_days(year, month)
    entries = db.session.scalars(select(RosterEntry).where(RosterEntry.site_id == site.id,
                                                           RosterEntry.day >= days[0], RosterEntry.day <= days[-1]))
    by_cell = {(e.post_id, e.shift, e.day): e for e in entries}
    rows = [GridRow(post, shift, {d: by_cell.get((post.id, shift, d)) for d in days})
            for post in site_posts(site.id) for shift in starts_of(post)]
    return MonthGrid(site, year, month, days, rows, eligible_users(site.id))


def _editable_site(actor: User, site_id: int) -> Site:
    return get_site(actor, site_id, *EDIT_ROLES)


def _set(site_id: int, post_id: int, day: date, shift: str, user_id: int | None, now: datetime) -> bool:
    """Put `user_id` (None: nobody) on one cell; True when it changed."""
    entry = db.session.scalar(select(RosterEntry).where(RosterEntry.post_id == post_id, RosterEntry.day == day,
                                                        RosterEntry.shift == shift))
    if entry is not None and entry.user_id == user_id:
        return False
    if entry is not None:
        db.session.delete(entry)
        db.session.flush()
    if user_id is not None:
        db.session.add(RosterEntry(site_id=site_id, post_id=post_id, day=day, shift=shift, user_id=user_id,
                                   changed_at=now))
    return True


def assign(actor: User, site_id: int, values: dict, *, now: datetime) -> int:
    """Put one person (or nobody: user "") on a post's shift for every day from `first` to `last`.

    Values are strings from the form: post, shift, first, last (YYYY-MM-DD), user. Returns cells changed;
    FieldErrors with a Chinese message per field for bad input (nothing stored).
    """
    site = _editable_site(actor, site_id)
    errors: dict[str, str] = {}
    post = db.session.get(HandoverPost, int(values["post"])) if str(values.get("post", "")).isdigit() else None
    if post is None or post.site_id != site.id or not post.active:
        errors["post"] = _("请选择岗位。")
    elif values.get("shift") not in starts_of(post):
        errors["shift"] = _("请选择本岗位的班次。")
    first, last = _date(values.get("first")), _date(values.get("last"))
    if first is None:
        errors["first"] = _("日期格式应为 YYYY-MM-DD。")
    if last is None:
        errors["last"] = _("日期格式应为 YYYY-MM-DD。")
    elif first is not None and not 0 <= (last - first).days < 62:
        errors["last"] = _("结束日期须在开始日期之后，且不超过 62 天。")
    raw_user = str(values.get("user") or "")
    user_id = int(raw_user) if raw_user.isdigit() else None
    if raw_user and (user_id is None or user_id not in {u.id for u in eligible_users(site.id)}):
        errors["user"] = _("请选择本小区可值岗的人员。")
    if errors:
        raise FieldErrors(errors)
    changed = sum(_set(site.id, post.id, first + timedelta(days=n), values["shift"], user_id, now)
                  for n in range((last - first).days + 1))
    db.session.flush()
    if changed:
        who = db.session.get(User, user_id).name if user_id else _("无人")
        log_admin_change(actor, site.id, _("排班 %(post)s %(shift)s 班", post=post.name, shift=values["shift"]),
                         None, {"from": first.isoformat(), "to": last.isoformat(), "user": who}, now=now)
    return changed


def copy_last_month(actor: User, site_id: int, year: int, month: int, *, now: datetime) -> int:
    """Fill the month's empty cells from last month, day for day (a day last month lacks, the 31st,
    takes the cell of seven days before). Cells already set stay. Returns cells filled."""
    site = _editable_site(actor, site_id)
    days = rules.month_days(year, month)
    source_days = rules.month_days(*rules.previous_month(year, month))
    source = {(e.post_id, e.shift, e.day.day): e.user_id for e in db.session.scalars(
        select(RosterEntry).where(RosterEntry.site_id == site.id, RosterEntry.day >= source_days[0],
                                  RosterEntry.day <= source_days[-1]))}
    have = {(e.post_id, e.shift, e.day) for e in db.session.scalars(
        select(RosterEntry).where(RosterEntry.site_id == site.id, RosterEntry.day >= days[0],
                                  RosterEntry.day <= days[-1]))}
    filled = 0
    for post in site_posts(site.id):
        for shift in starts_of(post):
            for day in days:
                number = day.day if day.day <= len(source_days) else day.day - 7
                user_id = source.get((post.id, shift, number))
                if user_id is not None and (post.id, shift, day) not in have:
                    db.session.add(RosterEntry(site_id=site.id, post_id=post.id, day=day, shift=shift,
                                               user_id=user_id, changed_at=now))
                    filled += 1
    db.session.flush()
    if filled:
        log_admin_change(actor, site.id, _("排班 %(y)d年%(m)d月", y=year, m=month), None,
                         {"copied_from_last_month": filled}, now=now)
    return filled


def swap(actor: User, site_id: int, values: dict, *, now: datetime) -> int:
    """Swap two people on one day: every shift of A becomes B's and the reverse. Returns cells changed."""
    site = _editable_site(actor, site_id)
    errors: dict[str, str] = {}
    day = _date(values.get("day"))
    if day is None:
        errors["day"] = _("日期格式应为 YYYY-MM-DD。")
    people = {u.id: u for u in eligible_users(site.id)}
    a, b = (int(v) if str(v or "").isdigit() else None for v in (values.get("a"), values.get("b")))
    if a not in people:
        errors["a"] = _("请选择本小区可值岗的人员。")
    if b not in people or b == a:
        errors["b"] = _("请选择另一位可值岗的人员。")
    if errors:
        raise FieldErrors(errors)
    entries = list(db.session.scalars(select(RosterEntry).where(
        RosterEntry.site_id == site.id, RosterEntry.day == day, RosterEntry.user_id.in_([a, b]))))
    if not entries:
        raise FieldErrors({"a": _("这两人当天都没有排班。")})
    for entry in entries:
        entry.user_id = b if entry.user_id == a else a
        entry.changed_at = now
    db.session.flush()
    log_admin_change(actor, site.id, _("排班换班 %(day)s", day=day.isoformat()), None,
                     {"swapped": [people[a].name, people[b].name]}, now=now)
    return len(entries)


def _date(raw) -> date | None:
    try:
        return date.fromisoformat(str(raw or "").strip())
    except ValueError:
        return None


# ---------------------------------------------------------------- who is on duty, coverage (P1)


def rostered_at(post: HandoverPost, at: datetime) -> RosterEntry | None:
    """The roster line of the shift of `post` running at `at`."""
    tz = post.site.timezone
    start = shift_rules.current_shift(shift_rules.parse_clocks(post.shift_starts), at, tz)
    local = to_site_time(start, tz)
    return db.session.scalar(select(RosterEntry).where(RosterEntry.post_id == post.id,
                                                       RosterEntry.day == local.date(),
                                                       RosterEntry.shift == local.strftime("%H:%M")))


def posts_rostered_for(user: User, at: datetime) -> list[HandoverPost]:
    """The posts `user` is on the roster for, in the shift running at `at` (the gate home's post)."""
    return [p for p in db.session.scalars(posts_of_sites(user.site_ids()))
            if (entry := rostered_at(p, at)) is not None and entry.user_id == user.id]


@dataclass
class DayCoverage:
    post: HandoverPost
    day: date
    covered_hours: float
    rostered_hours: float
    uncovered_hours: float
    # P1's standing post (立岗): the hours due that day (up to now), covered by an accepted shift, rostered
    standing_hours: float = 0.0
    standing_covered: float = 0.0
    standing_rostered: float = 0.0

    @property
    def standing_uncovered(self) -> float:
        return round(self.standing_hours - self.standing_covered, 2)


def coverage(post: HandoverPost, day: date, *, now: datetime) -> DayCoverage:
    """P1: hours of the local `day` (up to `now`) covered by a shift someone accepted at `post`; hours
    rostered; the rest uncovered. A shift counts as covered from its start when its handover was accepted.
    The same for the post's standing duty (立岗, its window that day in force then), when it has one."""
    tz = post.site.timezone
    starts = shift_rules.parse_clocks(post.shift_starts)
    bounds = rules.day_bounds(day, tz)
    bounds = (bounds[0], min(bounds[1], as_utc(now)))
    total = max(0.0, (bounds[1] - bounds[0]).total_seconds() / 3600)
    hours, clock = settings.standing_at(post, bounds[0])
    window = rules.standing_window(day, datetime.strptime(clock, "%H:%M").time(), hours, tz) if hours else None
    last = max(bounds[1], window[1]) if window else bounds[1]
    spans = [s for d in (day - timedelta(days=1), day, day + timedelta(days=1))
             for s in rules.shift_spans(d, starts, tz) if s[1] < last]
    accepted = {as_utc(s) for s in db.session.scalars(
        select(Handover.shift_start).join(HandoverAcceptance, HandoverAcceptance.root_id == Handover.id)
        .where(Handover.post_id == post.id, Handover.shift_start >= spans[0][1], Handover.shift_start < last))}
    rostered = {(e.day, e.shift) for e in db.session.scalars(select(RosterEntry).where(
        RosterEntry.post_id == post.id, RosterEntry.day.in_([day - timedelta(days=1), day, day + timedelta(days=1)])))}
    covered, planned = _hours(spans, accepted, rostered, bounds, tz)
    result = DayCoverage(post, day, round(min(covered, total), 2), round(min(planned, total), 2),
                         round(total - min(covered, total), 2))
    if window:
        due = (window[0], min(window[1], as_utc(now)))
        result.standing_hours = round(rules.overlap_hours(due, due), 2) if due[1] > due[0] else 0.0
        standing, standing_planned = _hours(spans, accepted, rostered, due, tz)
        result.standing_covered = round(min(standing, result.standing_hours), 2)
        result.standing_rostered = round(min(standing_planned, result.standing_hours), 2)
    return result


def _hours(spans, accepted: set, rostered: set, period: tuple[datetime, datetime], tz: str) -> tuple[float, float]:
    """(hours of `period` in accepted shifts, hours in rostered shifts)."""
    covered = planned = 0.0
    for clock, start, end in spans:
        hours = rules.overlap_hours((start, end), period)
        if start in accepted:
            covered += hours
        if (to_site_time(start, tz).date(), clock.strftime("%H:%M")) in rostered:
            planned += hours
    return covered, planned


@dataclass
class BoardLine:
    post: HandoverPost
    on_duty: User | None
    accepted: bool
    red: bool


def board(user: User, *, now: datetime) -> list[BoardLine]:
    """Posts of the sites `user` supervises: who is rostered now, whether the shift was taken over; red
    when no one is rostered or the shift is late in being accepted (P1)."""
    lines = []
    for post in db.session.scalars(posts_of_sites(user.site_ids(*EDIT_ROLES))):
        entry = rostered_at(post, now)
        status = post_status(post, now=now)
        lines.append(BoardLine(post, entry.user if entry else None, not status.late, entry is None or status.late))
    return lines


def month_coverage(viewer: User, site_id: int, year: int, month: int, *, now: datetime) -> dict:
    """{post: [DayCoverage]} for the month's days up to today (P1 figures per post and day)."""
    site = get_site(viewer, site_id, *EDIT_ROLES)
    today = to_site_time(now, site.timezone).date()
    result = defaultdict(list)
    for post in site_posts(site.id):
        for day in rules.month_days(year, month):
            if day <= today:
                result[post].append(coverage(post, day, now=now))
    return dict(result)


def require_post(user: User, post_id: int) -> HandoverPost:
    post = db.session.get(HandoverPost, post_id)
    if post is None or post.site_id not in user.site_ids(*VIEW_ROLES):
        raise NotFound(_("找不到这个岗位，或您无权查看。"))
    return post
