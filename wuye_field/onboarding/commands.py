"""`flask --app app wuye import` and `wuye import-template` (registered on the `wuye` group by wuye_field.cli)."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from wuye_field.extensions import db


@click.command("import")
@click.argument("site_code")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Print the preview only; store nothing.")
@click.option("--as", "as_staff_no", default=None, metavar="STAFF_NO",
              help="The site admin the changes are logged under (default: the site's first admin).")
@click.option("--only-valid", is_flag=True, help="Import the rows without errors and skip the others.")
@with_appcontext
def import_site(site_code: str, files: tuple[Path, ...], dry_run: bool, as_staff_no: str | None,
                only_valid: bool) -> None:
    """Import buildings, places, posts and staff into SITE_CODE from .xlsx / .csv FILES (exit 1 on errors)."""
    from wuye_field.core.errors import DomainError
    from wuye_field.core.time import utcnow
    from wuye_field.onboarding import cli_text, service
    from wuye_field.places.tags import site_by_code

    try:
        site = site_by_code(site_code)
        actor = cli_text.site_admin(site, as_staff_no)
        loaded = [(path.name, path.read_bytes()[: 5 * 1024 * 1024 + 1]) for path in files]
        preview = service.preview_files(actor, site, loaded)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(cli_text.preview_text(preview))
    if dry_run or (preview.has_errors and not only_valid):
        db.session.rollback()
        raise SystemExit(1 if preview.has_errors else 0)
    try:
        _checked, result = service.import_files(actor, site, loaded, only_valid=only_valid, now=utcnow(),
                                                hash_method=current_app.config["PASSWORD_HASH_METHOD"])
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    click.echo(cli_text.result_text(result))


@click.command("import-template")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
def import_template(out: Path) -> None:
    """Write the import template (.xlsx: Chinese headers, an example row, drop-down lists) to OUT."""
    from wuye_field.onboarding.template import template_bytes

    out.write_bytes(template_bytes())
    click.echo(f"template written: {out}")
