"""Writing a site's past (the demo's 35 days of history): the days to walk and the receipts of past actions.

A history provider (`wuye_field.demo.HISTORY`) writes past field records through the same services a
phone uses, each with a `Receipt` whose device time lies in the past and whose receive time is near it
(or, for an action queued offline, hours later). It walks the site's local days with `history_days`,
which commits after each day, so a long history is written in bounded transactions.
"""
from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from wuye_field.core.time import as_utc
from wuye_field.extensions import db
from wuye_field.sync.receipt import ClockSkew, Receipt

_NS = uuid.UUID("5b1d6c1e-8f0a-4f3e-9c52-7a0b3e9d2c61")
SEND_DELAY = timedelta(seconds=20)  # an action made online reaches the server this long after it was made


def history_days(tz_name: str, days: int, now: datetime) -> Iterator[date]:
    """The site's local dates from `days` days ago up to today; the session is committed after each day."""
    today = as_utc(now).astimezone(ZoneInfo(tz_name)).date()
    for back in range(days, -1, -1):
        yield today - timedelta(days=back)
        db.session.commit()


def local(day: date, clock: time | str, tz_name: str, minutes: float = 0) -> datetime:
    """A local time of `day` (plus `minutes`) as an aware UTC datetime."""
    if isinstance(clock, str):
        clock = time.fromisoformat(clock)
    return as_utc(datetime.combine(day, clock, ZoneInfo(tz_name)) + timedelta(minutes=minutes))


def stable_key(*parts) -> str:
    """A client UUID made from the action's description (the same history always gets the same keys)."""
    return str(uuid.uuid5(_NS, ":".join(str(p) for p in parts)))


def past_receipt(key: str, device_time: datetime, *, received_at: datetime | None = None,
                 now: datetime | None = None) -> Receipt:
    """The receipt of an action made at `device_time`: received SEND_DELAY later unless told (an offline
    action arrives when the phone is back online), never after `now`."""
    received = received_at or device_time + SEND_DELAY
    if now is not None:
        received = min(received, as_utc(now))
    return Receipt(key, device_time, max(received, device_time), ClockSkew(0.0, False))


def seeded(site_code: str, name: str) -> random.Random:
    """The provider's random source: the same site and provider always draw the same history."""
    return random.Random(f"{site_code}:{name}")
