"""补巡 (make-up): a field record a guard or supervisor files for a missed, overdue or late window of a key
area, chained per site. Plain values in (the actor, `now=`), flush only."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from wuye_field.accounts.models import User
from wuye_field.audit import chain
from wuye_field.core.errors import DomainError, NotFound
from wuye_field.core.text import clean_text
from wuye_field.core.time import as_utc, parse_device_time
from wuye_field.extensions import db
from wuye_field.patrol import compliance as rules
from wuye_field.patrol.models import NOTE_MAX, PatrolMakeup
from wuye_field.patrol.supervision import interval_history, makeups_between, visits_between
from wuye_field.places.models import Place
from wuye_field.places.site_settings import site_settings_at
from wuye_field.sync.models import FIELD_COLUMNS
from wuye_field.sync.receipt import Receipt

MAKEUP_ROLES = ("guard", "supervisor", "admin")
MAKEUP_KIND = "patrol_makeup"


chain.register_tables({MAKEUP_KIND: FIELD_COLUMNS + ("place_id", "window_start", "reason")})
# ---------------------------------------------------------------- 补巡 (make-up), a field record


def makeup_place(user: User, place_id: int) -> Place:
    """A key area on a site where `user` patrols or oversees; NotFound otherwise."""
    place = db.session.get(Place, place_id)
    if (place is None or not place.active or not place.is_key_area
            or place.site_id not in user.site_ids(*MAKEUP_ROLES)):
        raise NotFound(_("地点不存在，或您无权查看。"))
    return place


def makeup_window(place: Place, raw_start: str | None, *, now: datetime) -> tuple[rules.Window, str]:
    """The window a 补巡 names (its UTC start as ISO 8601 with offset) and its current state.

    DomainError 400 when the time is not a window start of this place, 422 when the window is not
    over, 409 when it was patrolled on time or already made up.
    """
    start = parse_device_time(raw_start)
    tz = ZoneInfo(place.site.timezone)
    window = rules.window_of(start, tz, interval_history(place), place.patrol_interval_min) if start else None
    if window is None or window.start != start:
        raise DomainError(_("补巡时段无效。"), code="bad_window")
    if now < window.end:
        raise DomainError(_("该时段尚未结束，不能补巡。"), status=422, code="window_open")
    grace = site_settings_at(place.site_id, window.end).lateness_grace
    visits = visits_between([place.id], window.start, window.end + grace).get(place.id, [])
    made = makeups_between([place.id], window.start, window.end).get(place.id, set())
    state = rules.window_state(window, visits, window.start in made, now, grace)
    if state == rules.ON_TIME:
        raise DomainError(_("该时段已按时巡查，无需补巡。"), status=409, code="on_time")
    if state == rules.MADE_UP:
        raise DomainError(_("该时段已补巡。"), status=409, code="made_up")
    return window, state


def clean_reason(raw: str | None) -> str:
    """The reason (`clean_text`); DomainError (422) when empty or over NOTE_MAX characters."""
    reason = clean_text(raw, multiline=True)
    if not reason:
        raise DomainError(_("请填写补巡原因。"), status=422, code="reason_required")
    if len(reason) > NOTE_MAX:
        raise DomainError(_("原因最多 %(n)d 个字。", n=NOTE_MAX), status=422, code="reason_too_long")
    return reason


def record_makeup(user: User, place_id: int, window_start: str | None, reason: str | None,
                  receipt: Receipt) -> PatrolMakeup:
    """Store a 补巡 for a missed (or late) window of a key area, chained into the site's hash log.

    Raises NotFound, DomainError (see `makeup_window` and `clean_reason`). Flushes.
    """
    place = makeup_place(user, place_id)
    reason = clean_reason(reason)
    window, _state = makeup_window(place, window_start, now=receipt.received_at)
    makeup = PatrolMakeup(**receipt.columns(), user_id=user.id, site_id=place.site_id, place_id=place.id,
                          window_start=window.start, reason=reason)
    db.session.add(makeup)
    db.session.flush()
    chain.append_records(place.site_id, MAKEUP_KIND, [makeup.id], now=receipt.received_at)
    return makeup


def makeup_message(makeup: PatrolMakeup) -> str:
    """「已补巡：配电房 04:00 时段」 (the window's local start)."""
    place = db.session.get(Place, makeup.place_id)
    local = as_utc(makeup.window_start).astimezone(ZoneInfo(place.site.timezone))
    return _("已补巡：%(place)s %(time)s 时段", place=place.name, time=local.strftime("%m-%d %H:%M"))
