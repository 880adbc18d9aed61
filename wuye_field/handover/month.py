"""A site-month of handovers (H1): every shift of every active post that began in the month is due a
handover, one row each in /export/handovers.csv.

The state of a due shift, from its first handover (not a correction) and that handover's acceptance:
- 未接班 not accepted — no acceptance, and the late-after time (`late_after_min`) has passed;
- 迟到 late — accepted after the late-after time;
- 提前 early — accepted in time, but the handover was made before its window opened (`window_min`);
- 按时 on time — accepted in time, the handover made inside its window;
- 进行中 open — not accepted yet, the late-after time still running (not counted).
H1 punctuality = on time ÷ decided (due − open). A post is due handovers from its creation (`created_at`),
or from the shift of its first handover when that is earlier (a post recorded before the column existed).
"""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from wuye_field.accounts.models import User
from wuye_field.core.time import as_utc
from wuye_field.extensions import db
from wuye_field.handover import rules
from wuye_field.handover.models import Handover, HandoverAcceptance, HandoverPost
from wuye_field.handover.posts import PostSettings, post_settings
from wuye_field.places.models import Site

ON_TIME, EARLY, LATE, NOT_ACCEPTED, OPEN = "on_time", "early", "late", "not_accepted", "open"
LABELS = {ON_TIME: _l("按时"), EARLY: _l("提前"), LATE: _l("迟到"), NOT_ACCEPTED: _l("未接班"), OPEN: _l("进行中")}


def _shift_starts(post: HandoverPost, settings, first: date, last: date, now: datetime,
                  since: datetime) -> list[datetime]:
    """The post's shift starts on local days first…last that have begun by `now`, from `since` on, each day
    with the shift starts in force at its local midnight (H1 settings are effective-dated)."""
    tz = ZoneInfo(post.site.timezone)
    starts = []
    for i in range((last - first).days + 1):
        day = first + timedelta(days=i)
        try:
            clocks = settings(datetime.combine(day, datetime.min.time(), tz)).starts
        except ValueError:
            continue
        starts += [datetime.combine(day, clock, tz).astimezone(ZoneInfo("UTC")) for clock in clocks]
    return [s for s in starts if since <= s <= as_utc(now)]


def _due_since(post: HandoverPost, first_handover: datetime | None) -> datetime:
    """A post is due handovers from its creation, or from its first handover's shift if that is earlier."""
    created = as_utc(post.created_at)
    return min(created, first_handover) if first_handover else created


def state_of(post: PostSettings, start: datetime, handover: Handover | None, acceptance: HandoverAcceptance | None,
             now: datetime) -> str:
    """The state of one due shift (see the module doc), by the post's settings in force at its start."""
    if acceptance is None:
        return NOT_ACCEPTED if rules.is_late(start, None, now, post.late_after_min) else OPEN
    if rules.is_late(start, acceptance.device_time, now, post.late_after_min):
        return LATE
    if handover is not None and rules.is_early(start, handover.device_time, post.window_min):
        return EARLY
    return ON_TIME


def due_shifts(site: Site, first: date, last: date, *, now: datetime):
    """[(post, shift start UTC, handover or None, acceptance or None, state)] of local days first…last."""
    posts = list(db.session.scalars(select(HandoverPost).where(HandoverPost.site_id == site.id,
                                                               HandoverPost.active.is_(True))
                                     .order_by(HandoverPost.code)))
    tz = ZoneInfo(site.timezone)
    start = datetime.combine(first, datetime.min.time(), tz).astimezone(ZoneInfo("UTC"))
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tz).astimezone(ZoneInfo("UTC"))
    originals = list(db.session.scalars(select(Handover).where(
        Handover.site_id == site.id, Handover.root_id.is_(None), Handover.shift_start >= start,
        Handover.shift_start < end).order_by(Handover.id)))
    by_shift: dict[tuple[int, datetime], Handover] = {}
    for handover in originals:
        by_shift.setdefault((handover.post_id, as_utc(handover.shift_start)), handover)
    ids = [h.id for h in by_shift.values()]
    acceptances = {a.root_id: a for a in db.session.scalars(
        select(HandoverAcceptance).where(HandoverAcceptance.root_id.in_(ids)))} if ids else {}
    firsts = dict(db.session.execute(select(Handover.post_id, func.min(Handover.shift_start)).where(
        Handover.site_id == site.id, Handover.root_id.is_(None)).group_by(Handover.post_id)).all())
    rows = []
    for post in posts:
        first_handover = as_utc(firsts[post.id]) if firsts.get(post.id) else None
        settings = post_settings(post)
        for shift in _shift_starts(post, settings, first, last, now, _due_since(post, first_handover)):
            handover = by_shift.get((post.id, shift))
            acceptance = acceptances.get(handover.id) if handover else None
            state = state_of(settings(shift), shift, handover, acceptance, now)
            rows.append((post, shift, handover, acceptance, state))
    return rows


def _tally(counter: Counter) -> dict:
    due = sum(counter.values())
    decided = due - counter[OPEN]
    return {"due": due, "on_time": counter[ON_TIME], "early": counter[EARLY], "late": counter[LATE],
            "not_accepted": counter[NOT_ACCEPTED], "open": counter[OPEN],
            "punctuality": round(counter[ON_TIME] / decided, 4) if decided else None}


def figures_of(rows, tz: ZoneInfo) -> dict:
    total, posts, days, names = Counter(), defaultdict(Counter), defaultdict(Counter), {}
    for post, shift, _h, _a, state in rows:
        total[state] += 1
        posts[post.code][state] += 1
        names[post.code] = post.name
        days[shift.astimezone(tz).date().isoformat()][state] += 1
    return {"total": _tally(total),
            "posts": [{"code": code, "name": names[code], **_tally(c)} for code, c in sorted(posts.items())],
            "days": {day: _tally(c) for day, c in sorted(days.items())}}


def month_figures(site: Site, first: date, last: date, *, now: datetime) -> dict:
    """The handover part of a site-month (JSON-able): per post and in total, H1 punctuality."""
    return figures_of(due_shifts(site, first, last, now=now), ZoneInfo(site.timezone))


def day_shares(site: Site, first: date, last: date, *, now: datetime) -> list[tuple[date, float | None]]:
    days = month_figures(site, first, last, now=now)["days"]
    return [(d, (days.get(d.isoformat()) or {}).get("punctuality"))
            for d in (first + timedelta(days=i) for i in range((last - first).days + 1))]


def export_rows(site: Site, first: date, last: date, *, now: datetime):
    """The header and rows of handovers.csv: one row per due shift of each active post."""
    tz = ZoneInfo(site.timezone)
    rows = due_shifts(site, first, last, now=now)
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(
        {h.user_id for _p, _s, h, _a, _st in rows if h} | {a.user_id for _p, _s, _h, a, _st in rows if a})))}
    header = [_("日期"), _("小区"), _("岗位编号"), _("岗位"), _("班次开始"), _("交班人"), _("交班时间"), _("接班人"),
              _("接班时间"), _("状态")]

    def local(value):
        return as_utc(value).astimezone(tz).strftime("%Y-%m-%d %H:%M") if value else ""

    def lines():
        for post, shift, handover, acceptance, state in rows:
            giver = users.get(handover.user_id) if handover else None
            taker = users.get(acceptance.user_id) if acceptance else None
            yield [shift.astimezone(tz).date().isoformat(), site.name, post.code, post.name, local(shift),
                   giver.name if giver else "", local(handover.device_time if handover else None),
                   taker.name if taker else "", local(acceptance.device_time if acceptance else None),
                   str(LABELS[state])]

    return header, lines()
