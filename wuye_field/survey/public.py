"""The public questionnaire's abuse limits (R37, as on the residents' window): submissions per address and
per phone on the shared limiter store, 429 with a Chinese message."""
from __future__ import annotations

import logging

from flask_babel import gettext as _
from limits import parse_many
from sqlalchemy import select

from wuye_field.core.errors import DomainError, NotFound
from wuye_field.extensions import db, limiter
from wuye_field.places.models import Building

log = logging.getLogger(__name__)


class TooManyRequests(DomainError):
    status = 429
    code = "rate_limited"


def check_rate(per_ip: str, per_phone: str, address: str, phone: str, *, enabled: bool = True) -> None:
    if not enabled:
        return
    for spec, key in ((per_ip, ("survey-ip", address)), (per_phone, ("survey-phone", phone or "-"))):
        for item in parse_many(spec):
            try:
                allowed = limiter.limiter.hit(item, *key)
            except Exception:  # the store unreachable: take the answer, say so in the log
                log.exception("survey rate-limit storage unavailable; answer accepted without the limit")
                allowed = True
            if not allowed:
                raise TooManyRequests(_("提交太频繁，请稍后再试。"))


def building_for_token(token: str) -> Building:
    """The building whose residents' window links here (its current public code only)."""
    building = db.session.scalar(select(Building).where(Building.public_token == str(token)[:64]))
    if building is None:
        raise NotFound(_("这个二维码已失效，请扫描楼栋大堂的新二维码。"))
    return building
