"""`flask --app app wuye close-month SITE YYYY-MM` and `wuye report SITE --month YYYY-MM --json`."""
from __future__ import annotations

import json

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from wuye_field.core.errors import DomainError
from wuye_field.core.months import parse_month, site_today
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.places.models import Site
from wuye_field.reports import close


def _site(code: str) -> Site:
    site = db.session.scalar(select(Site).where(Site.code == code))
    if site is None:
        raise click.ClickException(f"小区 {code} 不存在")
    return site


@click.command("close-month")
@click.argument("site_code")
@click.argument("month")
@with_appcontext
def close_month(site_code: str, month: str) -> None:
    """Close MONTH (YYYY-MM) of SITE_CODE: its figures are stored as a snapshot on the site's chain."""
    site, now = _site(site_code), utcnow()
    try:
        record = close.close_month(site, parse_month(month, today=site_today(site.timezone, now)), actor=None,
                                   now=now)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    click.echo(f"{site.code} {record.month} closed")


@click.command("report")
@click.argument("site_code")
@click.option("--month", default="", help="YYYY-MM (default: the current month in the site's zone).")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON (the only format for now).")
@with_appcontext
def report(site_code: str, month: str, as_json: bool) -> None:
    """Print a site-month's figures per duty, the numbers the month page shows, with "closed"."""
    site, now = _site(site_code), utcnow()
    try:
        figures = close.month_report(site, parse_month(month, today=site_today(site.timezone, now)), now=now)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(json.dumps(figures, ensure_ascii=False, indent=2 if not as_json else None, sort_keys=True))
