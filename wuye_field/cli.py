"""`flask --app app wuye …` commands; each body calls a service."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from wuye_field.extensions import db


@click.group("wuye")
def wuye() -> None:
    """Wuye Field administration commands."""


@wuye.command("demo")
@click.option("--no-history", is_flag=True, help="Only today's setup: no past records (an empty site's boards).")
@with_appcontext
def demo(no_history: bool) -> None:
    """Load the demo site DEMO 「示范小区」 and its users (password wuye-demo), with 35 days of history so
    every board and report shows real numbers. Safe to run twice (a site with a past gets no second one)."""
    from wuye_field.demo import HISTORY_DAYS, load_demo

    site = load_demo(current_app.config["PUBLIC_BASE_URL"], current_app.config["PASSWORD_HASH_METHOD"],
                     sample_orders=True, with_history=not no_history)
    db.session.commit()
    past = "" if no_history else f", {HISTORY_DAYS} days of history"
    click.echo(f"demo data ready: site {site.code} {site.name}{past}; its tags open {site.public_base_url}")


@wuye.command("create-admin")
@click.option("--staff-no", prompt="工号 staff number", help="Login name of the administrator.")
@click.option("--name", prompt="姓名 name", help="Display name.")
@click.option("--phone", default=None, help="Optional mainland mobile number (also a login name).")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="Asked for when omitted; never printed.")
@with_appcontext
def create_admin(staff_no: str, name: str, phone: str | None, password: str) -> None:
    """Create an administrator (管理处) who can then create sites and users."""
    from wuye_field.accounts.services import create_user
    from wuye_field.core.errors import DomainError

    try:
        user = create_user(staff_no=staff_no, name=name, phone=phone, password=password,
                           hash_method=current_app.config["PASSWORD_HASH_METHOD"])
        user.is_admin = True
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    click.echo(f"administrator {user.staff_no} created")


@wuye.command("tags")
@click.argument("site_code")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="File to write; its ending picks the format: .pdf, .png or .csv.")
@click.option("--place", "codes", multiple=True, metavar="CODE", help="Only this place (repeatable).")
@with_appcontext
def tags(site_code: str, out: Path, codes: tuple[str, ...]) -> None:
    """Write the QR tag sheet of SITE_CODE's active places (A4, 12 tags a page).

    A multi-page PNG is written as FILE, FILE-2.png, FILE-3.png, …; every file written is printed.
    """
    from wuye_field.core.errors import DomainError
    from wuye_field.places import tags as sheets

    fmt = out.suffix.lower().lstrip(".")
    if fmt not in sheets.FORMATS:
        raise click.BadParameter("the file must end in .pdf, .png or .csv", param_hint="--out")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)  # `--out sheets/DEMO.pdf` makes the folder
        written = sheets.write_sheet_files(sheets.site_by_code(site_code), out, fmt, codes=codes,
                                           font_config=current_app.config.get("WUYE_CJK_FONT"))
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    except OSError as exc:  # a file where the folder should be, no permission, disk full: no traceback
        raise click.ClickException(f"无法写入 {exc.filename or out}：{exc.strerror or exc}") from exc
    for path in written:
        click.echo(str(path))


@wuye.command("verify-chain")
@click.argument("site_code")
@with_appcontext
def verify_chain(site_code: str) -> None:
    """Walk SITE_CODE's hash chain, re-hash every record and check the digest files; exit 1 and name the
    first record that no longer matches."""
    from wuye_field.audit.chain import verify
    from wuye_field.core.errors import DomainError
    from wuye_field.places import tags as sheets

    try:
        site = sheets.site_by_code(site_code)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    result = verify(site.id)
    for note in result.notes:
        click.echo(note)
    if not result.ok:
        click.echo(f"FAILED {site.code}: {result.problem.message}", err=True)
        raise SystemExit(1)
    click.echo(f"OK {site.code}: {result.checked} records, head #{result.head_seq} {result.head_hash}, "
               f"{result.digests_checked} digests checked")


@wuye.command("chain-digest")
@with_appcontext
def chain_digest() -> None:
    """Append every site's chain head to today's digest file outside the database (run daily from cron)."""
    from sqlalchemy import select

    from wuye_field.audit.chain import write_digests
    from wuye_field.core.time import utcnow
    from wuye_field.places.models import Site

    labels = dict(db.session.execute(select(Site.id, Site.code)).all())
    path, digests = write_digests(now=utcnow(), labels=labels)
    click.echo(f"{len(digests)} chain heads written to {path}")


@wuye.command("sweep-photos")
@click.option("--older-than", "older_than", type=click.IntRange(min=10), default=60, show_default=True,
              metavar="MINUTES", help="Only files last written this many minutes ago or earlier (at least 10: "
                                      "younger files may belong to an upload still running).")
@click.option("--dry-run", is_flag=True, help="Print what would be removed; remove nothing.")
@with_appcontext
def sweep_photos(older_than: int, dry_run: bool) -> None:
    """Remove photo files no database row names (left by uploads killed before their commit), older than an
    hour; print each file removed, then the count and bytes. Run it daily from cron with chain-digest."""
    from datetime import timedelta

    from wuye_field.core.time import utcnow
    from wuye_field.photos.storage import photo_storage
    from wuye_field.photos.sweep import sweep_orphans

    storage = photo_storage()
    result = sweep_orphans(storage, now=utcnow(), older_than=timedelta(minutes=older_than), dry_run=dry_run)
    db.session.rollback()
    verb = "would remove" if dry_run else "removed"
    for name, size in result.removed:
        click.echo(f"{verb} {storage.root / name} ({size} bytes)")
    click.echo(f"{verb} {len(result.removed)} orphan photo files, {result.bytes} bytes "
               f"(kept: {result.kept_named} named by a photo, {result.kept_young} younger than {older_than} min)")


@wuye.command("grant-app-role")
@click.argument("role")
@with_appcontext
def grant_app_role(role: str) -> None:
    """PostgreSQL: let ROLE run the app with SELECT/INSERT only on record tables (never UPDATE/DELETE)."""
    from wuye_field.audit.app_role import grant_app_role as grant

    try:
        restricted = grant(db.session.connection(), role)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"{role}: read and insert only on {len(restricted)} record tables")


@wuye.command("purge-expired")
@with_appcontext
def purge_expired() -> None:
    """Delete the records older than each site's retention (3 years by default, never less); erase the
    personal fields of visitor records, and the phone's position on scans and inspections, older than the
    site's retention for personal data (180 days by default), each recorded as an erasure on the site's
    chain (G7, R35)."""
    from sqlalchemy import select

    from wuye_field.audit.triggers import purge_expired as purge, purgeable_tables
    from wuye_field.core.time import utcnow
    from wuye_field.gate.settings import setting as gate_setting
    from wuye_field.gate.visitors import erase_expired
    from wuye_field.patrol.position import erase_expired as erase_positions
    from wuye_field.places.models import Site

    tables = purgeable_tables()
    for site_id, code in db.session.execute(select(Site.id, Site.code)).all():
        now = utcnow()
        erasure = erase_expired(site_id, now=now)
        positions = erase_positions(site_id, days=int(gate_setting(site_id, "gate.visitor_retention_days", now)),
                                    now=now)
        deleted = purge(site_id, tables, now=now)
        counts = ", ".join(f"{table} {n}" for table, n in deleted.items() if n)
        if erasure is not None:
            counts = ", ".join(filter(None, [counts, f"visitor personal data erased {erasure.count}"]))
        if positions is not None:
            counts = ", ".join(filter(None, [counts, f"positions erased on {positions.scans} scans and "
                                                     f"{positions.inspections} inspections"]))
        click.echo(f"{code}: {counts or 'nothing expired'}")
    db.session.commit()


@wuye.command("checks-orders")
@with_appcontext
def checks_orders() -> None:
    """Raise the upkeep work orders due within their lead time on every site (run daily; safe to run twice)."""
    from wuye_field.checks.orders import raise_planned_orders
    from wuye_field.core.time import utcnow
    from wuye_field.places.models import Site

    made = 0
    for site in db.session.scalars(db.select(Site).order_by(Site.id)):
        made += len(raise_planned_orders(site, now=utcnow()))
    db.session.commit()
    click.echo(f"planned work orders raised: {made}")


from wuye_field.backup.cli import backup, restore  # noqa: E402  (kept in their own module)

wuye.add_command(backup)
wuye.add_command(restore)

from wuye_field.reports.cli import close_month, report  # noqa: E402  (kept in their own module)

wuye.add_command(close_month)
wuye.add_command(report)

from wuye_field.assessment.cli import assess  # noqa: E402  (kept in its own module)

wuye.add_command(assess)

from wuye_field.onboarding.commands import import_site, import_template  # noqa: E402  (kept in their own module)

wuye.add_command(import_site)
wuye.add_command(import_template)

from wuye_field.alerts.commands import alerts_send, vapid_keys  # noqa: E402  (kept in their own module)

wuye.add_command(vapid_keys)
wuye.add_command(alerts_send)
