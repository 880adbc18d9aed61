"""Deductions proposed from the month's field data (issue 17 item 2): one proposal per enabled rule of
the site's sheet that found evidence, `count` = the number of records behind it (`evidence.EVIDENCE`),
`points` per record from the sheet, `evidence_url` the page listing exactly those records."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from urllib.parse import urlencode

from flask import has_request_context, url_for

from wuye_field.assessment import evidence
from wuye_field.assessment.inputs import Proposal, Sheet
from wuye_field.assessment.sheet import sheet_at
from wuye_field.core.time import as_utc
from wuye_field.places.models import Site
from wuye_field.reports.figures import month_bounds


def sheet_of_month(site: Site, month: str, *, now: datetime) -> Sheet:
    """The sheet a month is scored with: the one in force at its last moment (or now, for this month)."""
    return sheet_at(site.id, min(month_bounds(site, month)[3] - timedelta(microseconds=1), as_utc(now)))


def evidence_url(site: Site, month: str, key: str) -> str:
    args = {"site": site.id, "month": month, "key": key}
    if has_request_context():
        return url_for("assessment.evidence", **args)
    return f"/assessment/evidence?{urlencode(args)}"  # the command line: no request to build from


def rule_of(sheet: Sheet, key: str):
    return next(((item, rule) for item in sheet.items for rule in item.rules if rule.key == key), (None, None))


def evidence_rows(site: Site, month: str, key: str, *, now: datetime, sheet: Sheet | None = None,
                  base: evidence.Month | None = None):
    """(header, rows) of the records behind rule `key` for the site-month (`base`: a month already read,
    whose cache the rules share)."""
    sheet = sheet or sheet_of_month(site, month, now=now)
    _item, rule = rule_of(sheet, key)
    base = base or evidence.month_of(site, month, now)
    return evidence.EVIDENCE[key](replace(base, limit=rule.limit if rule else None))


def propose(site: Site, month: str, *, now: datetime) -> list[Proposal]:
    """The month's proposed deductions, each with its evidence."""
    sheet = sheet_of_month(site, month, now=now)
    base = evidence.month_of(site, month, now)
    found = []
    for item in sheet.items:
        for rule in item.rules:
            if not rule.enabled or rule.key not in evidence.EVIDENCE:
                continue
            _header, rows = evidence_rows(site, month, rule.key, now=now, sheet=sheet, base=base)
            if rows:
                found.append(Proposal(rule.key, item.code, str(rule.label), len(rows), rule.points,
                                      evidence_url(site, month, rule.key),
                                      rule.standard))
    return found
