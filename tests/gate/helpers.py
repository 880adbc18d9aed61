"""Helpers for gate tests: demo posts and users, a valid visitor form, the outbox's field POSTs."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from tests.sync.helpers import headers, receipt
from wuye_field.accounts.services import find_user_by_login
from wuye_field.extensions import db
from wuye_field.handover.models import HandoverPost
from wuye_field.places.models import Building

SHANGHAI = timezone(timedelta(hours=8))
VALID_ID = "11010519491231002X"  # the check digit of the standard's own example
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)


def post(site, code: str = "GATE") -> HandoverPost:
    return db.session.scalar(select(HandoverPost).where(HandoverPost.site_id == site.id, HandoverPost.code == code))


def user(login: str):
    return find_user_by_login(login)


def building(site, name: str = "1栋") -> Building:
    return db.session.scalar(select(Building).where(Building.site_id == site.id, Building.name == name))


def visitor_form(site, **changes) -> dict:
    form = {"post": str(post(site).id), "name": "王建国", "phone": "13812341234", "id_type": "id18",
            "id_number": VALID_ID, "building": str(building(site).id), "unit": "2单元301", "host_name": "",
            "reason": "探亲", "party_size": "2", "plate": "粤BD12345"}
    return form | changes


def field(at: datetime = NOW) -> dict:
    return {"receipt": receipt(at, received=at + timedelta(seconds=5))}


def post_field(client, url: str, data: dict, key: str | None = None, **header_args):
    return client.post(url, data=data, headers=headers(key, **header_args))
