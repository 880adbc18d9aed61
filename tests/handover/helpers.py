"""Helpers for handover tests: demo posts, the outbox's field POSTs, the services' field arguments."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from tests.sync.helpers import headers, receipt
from wuye_field.accounts.services import find_user_by_login
from wuye_field.extensions import db
from wuye_field.handover import handovers
from wuye_field.handover.models import HandoverPost

SHANGHAI = timezone(timedelta(hours=8))
# A shift change at 19:00 Shanghai time; the handover is made in its window.
SHIFT = datetime(2026, 5, 1, 19, 0, tzinfo=SHANGHAI)
MADE = SHIFT - timedelta(minutes=8)


def post(site, code: str = "GATE") -> HandoverPost:
    return db.session.scalar(select(HandoverPost).where(HandoverPost.site_id == site.id, HandoverPost.code == code))


def user(login: str):
    return find_user_by_login(login)


def field(at: datetime = MADE, **extra) -> dict:
    """The `receipt` keyword a field-action service takes (fresh UUID, received 5 s later)."""
    return {"receipt": receipt(at, received=at + timedelta(seconds=5))} | extra


def items_form(post: HandoverPost, changes: dict | None = None) -> dict:
    """The handover form as the page prefills it, with `changes` {item: (counted, state, note)}."""
    data = {}
    for n, (name, count) in enumerate(handovers.prefill(post)):
        counted, state, note = (changes or {}).get(name, (count, "ok", ""))
        data |= {f"item-{n}-name": name, f"item-{n}-counted": str(counted), f"item-{n}-state": state,
                 f"item-{n}-note": note}
    return data


def handover_input(post, changes=None, matters=(), note=""):
    form = items_form(post, changes)
    for i, (text, important) in enumerate(matters):
        form[f"matter-{i}-text"] = text
        if important:
            form[f"matter-{i}-important"] = "1"
    form["note"] = note
    return handovers.read_handover_form(form)


def hand_over(site, login="guard01", changes=None, matters=(), at=MADE, code="GATE"):
    """guard01 hands over the post (committed); returns the handover."""
    handover, _pending = handovers.submit_handover(user(login), post(site, code).id,
                                                  handover_input(post(site, code), changes, matters), **field(at))
    db.session.commit()
    return handover


def accept_input(handover, counts=None, notes=None, takeovers=(), token=""):
    counts = {item.id: str((counts or {}).get(item.name, item.counted)) for item in handover.items}
    notes = {item.id: (notes or {}).get(item.name, "") for item in handover.items}
    return handovers.AcceptInput(counts, notes, set(takeovers), "", token)


def post_field(client, url: str, data: dict, key: str | None = None, **header_args):
    """A field POST as the outbox sends it."""
    return client.post(url, data=data, headers=headers(key, **header_args))
