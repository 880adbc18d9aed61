"""What incidents, SOS and complaints share: roles, the site of an action, typed values, positions."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from wuye_field.accounts.models import FIELD_ROLES
from wuye_field.core.errors import DomainError
from wuye_field.core.geo import parse_position
from wuye_field.core.text import clean_text, text_problem
from wuye_field.extensions import db
from wuye_field.places.models import Site

REPORTERS = FIELD_ROLES + ("desk", "admin")   # anyone in the field, and the desk, reports an incident
FOLLOWERS = ("desk", "supervisor", "admin")   # follow incidents up, take and handle complaints
SOS_TO = ("desk", "supervisor")               # 第6篇④a: the desk and the site's supervisors
FIELD_NAMES = {"what": _l("经过"), "where_text": _l("地点说明"), "people": _l("涉及人员"), "note": _l("说明"),
               "colleague_name": _l("同行同事"), "who": _l("投诉人"), "result": _l("结果")}


def site_of(user, raw_site_id, roles) -> Site:
    """The site named in the form, or the user's only site with one of `roles`; DomainError otherwise."""
    sites = sorted(user.site_ids(*roles))
    if raw_site_id not in (None, ""):
        try:
            site_id = int(raw_site_id)
        except (TypeError, ValueError):
            site_id = -1
        if site_id not in sites:
            raise DomainError(_("小区不存在，或您无权在此报告。"), status=404, code="bad_site")
        return db.session.get(Site, site_id)
    if not sites:
        raise DomainError(_("您没有可以报告的小区。"), status=403, code="no_site")
    return db.session.get(Site, sites[0])


def text(raw, limit: int, field: str, *, required: str | None = None, multiline: bool = False) -> str:
    problem = text_problem(raw, multiline=multiline)
    if problem:
        raise DomainError(problem, status=422, code=f"bad_{field}")
    value = clean_text(raw or "", multiline=multiline)
    if required and not value:
        raise DomainError(required, status=422, code=f"{field}_required")
    if len(value) > limit:
        raise DomainError(_("%(field)s不能超过 %(n)s 个字。", field=FIELD_NAMES.get(field, ""), n=limit),
                          status=422, code=f"long_{field}")
    return value


def flag(raw) -> bool:
    return str(raw or "").strip().lower() in ("1", "true", "on", "yes", "y")


def position(values) -> dict:
    """lat/lon/accuracy from the form when the phone gave them (within 3 s): sensible numbers or nothing."""
    return parse_position(values)
