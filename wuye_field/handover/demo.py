"""The demo's past for handovers (issue 12): every shift change of DEMO's posts over the history days.

Guard posts change between guard02 (night) and guard01 (day); the desk between supervisor01 (who covers
the desk out of hours) and desk01. The outgoing person hands over a few minutes before the shift, the
incoming one accepts a few minutes after — now and then late (H1), once in a while early, and a couple of
handovers are never accepted. Written through `submit_handover` / `accept_handover`, as from a phone.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from wuye_field.accounts.models import User
from wuye_field.extensions import db
from wuye_field.handover import handovers, rules
from wuye_field.handover.models import HandoverPost
from wuye_field.places.models import Site
from wuye_field.sync.history import history_days, local, past_receipt, seeded, stable_key

LATE_SHARE = 0.06
MATTERS = [("3栋1203业主装修，晚上10点后注意噪音投诉", False), ("地下车库B1层有一辆车未关窗，已贴提示，请留意", True),
           ("2栋电梯明早9点维保，请提前在大堂放告示", True)]


def _crew(post: HandoverPost, users: dict) -> tuple[User, User]:
    """(night / out-of-hours person, day person) of a post."""
    if post.kind == "desk":
        return users["supervisor01"], users["desk01"]
    return users["guard02"], users["guard01"]


def handover_history(site: Site, days: int, now: datetime) -> None:
    """Every shift change of the site's active posts over `days` days up to `now` (see the module doc)."""
    users = {u.staff_no: u for u in db.session.scalars(select(User).where(
        User.staff_no.in_(("guard01", "guard02", "desk01", "supervisor01"))))}
    posts = list(db.session.scalars(select(HandoverPost).where(HandoverPost.site_id == site.id,
                                                               HandoverPost.active.is_(True))
                                    .order_by(HandoverPost.code)))
    if len(users) < 4 or not posts:
        return
    rng = seeded(site.code, "handover")
    for n, day in enumerate(history_days(site.timezone, days, now)):
        for post in posts:
            night, day_person = _crew(post, users)
            for i, clock in enumerate(rules.parse_clocks(post.shift_starts)):
                start = local(day, clock, site.timezone)
                outgoing, incoming = (night, day_person) if i == 0 else (day_person, night)
                _change(post, outgoing, incoming, start, n, i, rng, now)


def _change(post: HandoverPost, outgoing: User, incoming: User, start: datetime, n: int, i: int, rng,
            now: datetime) -> None:
    early = post.code == "GATE" and n % 11 == 5 and i == 1
    made = start - timedelta(minutes=rng.uniform(25, 40) if early else rng.uniform(1, post.window_min - 1))
    if made > now:
        return
    key = stable_key("handover", post.id, start.isoformat())
    matters = [MATTERS[n % len(MATTERS)]] if (n + i) % 4 == 1 else []
    data = handovers.HandoverInput([handovers.ItemInput(name, str(count)) for name, count in handovers.prefill(post)],
                                   matters, "")
    handover, _pending = handovers.submit_handover(outgoing, post.id, data, past_receipt(key, made, now=now))
    if post.code == "CCTV" and i == 1 and n % 14 == 9:
        return  # never accepted: the night guard went to his post without confirming
    late = rng.random() < LATE_SHARE
    accepted = start + timedelta(minutes=rng.uniform(35, 70) if late else rng.uniform(1, 10))
    if accepted > now:
        return
    answer = handovers.AcceptInput({item.id: str(item.counted) for item in handover.items},
                                   takeovers={m.id for m in handover.important_matters})
    handovers.accept_handover(incoming, handover.id, answer, past_receipt(stable_key(key, "accept"), accepted,
                                                                          now=now), secret="")
