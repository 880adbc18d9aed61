"""`flask --app app wuye assess SITE --month YYYY-MM --json`: the month's score, grade and deductions."""
from __future__ import annotations

import json

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from wuye_field.assessment import result
from wuye_field.core.errors import DomainError
from wuye_field.core.months import parse_month, site_today
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.places.models import Site


@click.command("assess")
@click.argument("site_code")
@click.option("--month", default="", help="YYYY-MM (default: the current month in the site's zone).")
@click.option("--json", "as_json", is_flag=True, help="One line of JSON (default: indented).")
@with_appcontext
def assess(site_code: str, month: str, as_json: bool) -> None:
    """Print a site-month's assessment (the result page's figures), with "closed"."""
    site, now = db.session.scalar(select(Site).where(Site.code == site_code)), utcnow()
    if site is None:
        raise click.ClickException(f"小区 {site_code} 不存在")
    try:
        found = result.month_assessment(site, parse_month(month, today=site_today(site.timezone, now)), now=now)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(json.dumps(found, ensure_ascii=False, indent=None if as_json else 2, sort_keys=True))
