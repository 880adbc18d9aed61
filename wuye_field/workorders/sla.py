"""SLA clocks of a work order (W1–W3), as pure functions of the order's projection and `now`.

Decisions (README "Work orders"):
- Both clocks run in UTC from the moment the order was raised (`raised_at`, the effective device time
  of the raise), so an order raised at 23:50 site time is simply due at 00:50 the next day; the site's
  time zone only changes how the due time is shown.
- Arrive clock (response, W1/W2): due at raised_at + arrive_minutes; met by the FIRST arrival on site
  (`arrived_at` is never moved by a later arrival, a reassignment or a reopen). Pauses do not stop it.
- Finish clock (W3): due at start + finish_minutes + paused time, where start is `raised_at`, or the
  time of the last reopen (a resident not satisfied starts a new repair, with a fresh clock). Paused
  time (暂停: waiting for parts, resident not home) is excluded; while on hold the clock is frozen.
- An open clock is amber within 15 minutes of its due time (the issue's "about to breach") and red
  once overdue; a clock stopped by arrival / completion is met or missed; a cancelled order's unmet
  clocks are "cancelled".
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from wuye_field.core.time import as_utc

AMBER_BEFORE = timedelta(minutes=15)
OK, AMBER, RED, MET, MISSED, CANCELLED = "ok", "amber", "red", "met", "missed", "cancelled"
RUNNING = (OK, AMBER, RED)
FINISHED_STATES = ("done", "visited", "closed")


@dataclass(frozen=True)
class Clock:
    """One clock: `due` (UTC), `state` (ok/amber/red/met/missed/cancelled), `remaining` (due − now for a
    running clock, due − stopped_at for a stopped one: negative = late), `stopped_at` when met/missed,
    `paused` while the order is on hold (the finish clock does not run)."""

    kind: str
    due: datetime
    state: str
    remaining: timedelta
    stopped_at: datetime | None = None
    paused: bool = False

    @property
    def running(self) -> bool:
        return self.state in RUNNING

    @property
    def overdue(self) -> bool:
        return self.state in (RED, MISSED)

    @property
    def remaining_minutes(self) -> int:
        """Whole minutes left (negative = minutes late), rounded towards "later" so 30 s left shows 0."""
        seconds = int(self.remaining.total_seconds())
        return seconds // 60 if seconds >= 0 else -((-seconds + 59) // 60)

    @property
    def parts(self) -> tuple[int, int]:
        """(hours, minutes) of the remaining (or late) time, for "2 小时 5 分"."""
        return divmod(abs(self.remaining_minutes), 60)


@dataclass(frozen=True)
class Clocks:
    """Both clocks of an order at `now`; `arrive` is None when the priority has no arrival clock."""

    arrive: Clock | None
    finish: Clock
    paused_seconds: int

    @property
    def all(self) -> list[Clock]:
        return [c for c in (self.arrive, self.finish) if c is not None]

    @property
    def overdue(self) -> bool:
        """A running clock is past due (late now)."""
        return any(c.state == RED for c in self.all)

    @property
    def about_to_breach(self) -> bool:
        return any(c.state == AMBER for c in self.all)

    @property
    def state(self) -> str:
        """The worst running state (red > amber > ok), else "ok"."""
        states = {c.state for c in self.all}
        return RED if RED in states else AMBER if AMBER in states else OK

    @property
    def next_due(self) -> datetime | None:
        """The nearest due time of a running clock (None when no clock runs)."""
        dues = [c.due for c in self.all if c.running]
        return min(dues) if dues else None

    def sort_key(self):
        """Overdue first, then the nearest deadline; orders with no running clock last."""
        due = self.next_due
        return (0 if self.overdue else 1, due is None, due or datetime.max.replace(tzinfo=timezone.utc))


def effective_time(device_time: datetime, received_at: datetime, skew_seconds: float | None) -> datetime:
    """When a step really happened: the phone's time corrected by the measured clock skew, never later
    than the server received it (R13: a wrong phone clock cannot make work on time)."""
    moment = as_utc(device_time)
    if skew_seconds is not None:
        moment -= timedelta(seconds=skew_seconds)
    return min(moment, as_utc(received_at))


def paused_total(order, now: datetime) -> int:
    """Seconds the order's finish clock has been paused, counting a hold still in progress."""
    total = order.paused_seconds or 0
    if order.on_hold_since is not None:
        total += max(0, int((as_utc(now) - as_utc(order.on_hold_since)).total_seconds()))
    return total


def _running(kind: str, due: datetime, now: datetime, paused: bool = False) -> Clock:
    remaining = due - now
    state = RED if remaining < timedelta(0) else AMBER if remaining <= AMBER_BEFORE else OK
    return Clock(kind, due, state, remaining, paused=paused)


def _stopped(kind: str, due: datetime, at: datetime) -> Clock:
    return Clock(kind, due, MET if at <= due else MISSED, due - at, stopped_at=at)


def clocks(order, now: datetime) -> Clocks:
    """Both clocks of `order` (a WorkOrder or any object with its projection attributes) at `now`."""
    now = as_utc(now)
    raised = as_utc(order.raised_at)
    paused = paused_total(order, now)
    arrive = None
    if order.arrive_minutes is not None:
        due = raised + timedelta(minutes=order.arrive_minutes)
        if order.arrived_at is not None:
            arrive = _stopped("arrive", due, as_utc(order.arrived_at))
        elif order.state == "cancelled":
            arrive = Clock("arrive", due, CANCELLED, due - now)
        else:
            arrive = _running("arrive", due, now)
    start = as_utc(order.reopened_at) if getattr(order, "reopened_at", None) else raised
    # While on hold `paused` grows with `now`, so `due` moves with it and the remaining time stays frozen.
    due = start + timedelta(minutes=order.finish_minutes, seconds=paused)
    if order.state in FINISHED_STATES and order.done_at is not None:
        finish = _stopped("finish", due, as_utc(order.done_at))
    elif order.state == "cancelled":
        finish = Clock("finish", due, CANCELLED, due - now)
    else:
        finish = _running("finish", due, now, paused=order.on_hold_since is not None)
    return Clocks(arrive, finish, paused)
