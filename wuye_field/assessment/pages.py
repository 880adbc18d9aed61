"""What the assessment pages show: the site asked for (scoped to the user's roles), the month's result
with its trend chart, one proposal's evidence, the sheet. Reads only."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from wuye_field.accounts.models import User
from wuye_field.assessment import evidence, pdf, rectify, result, sheet
from wuye_field.assessment.proposals import evidence_rows, rule_of, sheet_of_month
from wuye_field.core import charts
from wuye_field.core.errors import NotFound
from wuye_field.core.months import next_month, parse_month, previous_month, site_today
from wuye_field.places.models import Site
from wuye_field.places.services import get_site, sites_for

READERS = ("supervisor", "admin", "inspector")


def sites(user: User) -> list[Site]:
    return sites_for(user, *READERS)


def site_for(user: User, raw: str | None, roles=READERS) -> Site:
    """The site asked for (?site=<id>, the first readable one when absent); NotFound for any other."""
    if not raw:
        found = sites_for(user, *roles)
        if not found:
            raise NotFound(_("小区不存在，或您无权查看。"))
        return found[0]
    if not (raw.isascii() and raw.isdigit()):
        raise NotFound(_("小区不存在，或您无权查看。"))
    return get_site(user, int(raw), *roles)


def _month(site: Site, raw: str | None, now: datetime) -> str:
    return parse_month(raw, today=site_today(site.timezone, now))


def month_page(user: User, raw_site: str | None, raw_month: str | None, *, now: datetime) -> dict:
    site = site_for(user, raw_site)
    label = _month(site, raw_month, now)
    found = result.month_assessment(site, label, now=now)
    chart = charts.trend(result.trend(site, label, found), _("近12个月考核总分"), "#trend")
    return {"site": site, "sites": sites(user), "result": found, "chart": chart,
            "open_order": rectify.open_order(site.id), "can_edit": site.id in user.site_ids(*rectify.EDITORS),
            "nav": {"prev": previous_month(label), "next": next_month(label)}}


def month_pdf(user: User, raw_site: str | None, raw_month: str | None, *, now: datetime) -> tuple[bytes, str]:
    site = site_for(user, raw_site)
    label = _month(site, raw_month, now)
    found = result.month_assessment(site, label, now=now)
    return pdf.render(site, found), f"assessment-{site.code}-{label}.pdf"


def evidence_page(user: User, raw_site: str | None, raw_month: str | None, key: str | None, *,
                  now: datetime) -> dict:
    site = site_for(user, raw_site)
    label = _month(site, raw_month, now)
    if key not in evidence.EVIDENCE:
        raise NotFound(_("没有这条扣分规则。"))
    current = sheet_of_month(site, label, now=now)
    item, rule = rule_of(current, key)
    header, rows = evidence_rows(site, label, key, now=now, sheet=current)
    return {"site": site, "month": label, "key": key, "rule": rule, "item": item, "header": header, "rows": rows}


def sheet_page(user: User, site: Site, *, now: datetime) -> dict:
    return {"site": site, "sites": sites_for(user, *rectify.EDITORS), "sheet": sheet.sheet_at(site.id, now),
            "groups": sheet.GROUPS, "total": sheet.TOTAL}
