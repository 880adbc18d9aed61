"""`flask --app app wuye backup OUT` and `wuye restore IN` (registered on the `wuye` group)."""
from __future__ import annotations

import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from wuye_field.extensions import db


@click.command("backup")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup(out: Path) -> None:
    """Write a consistent backup of this instance to OUT (one .tar file) while the app keeps running:
    the chain digests, the database (SQLite online backup, or pg_dump for PostgreSQL) and the data
    folder with the photos. Exit 1 with the reason when it cannot be made."""
    from wuye_field.audit.chain import digest_dir
    from wuye_field.backup.archive import BackupError, create_backup
    from wuye_field.core.time import utcnow

    started = time.monotonic()
    try:
        report = create_backup(out, engine=db.engine, data_dir=Path(current_app.config["WUYE_DATA_DIR"]),
                               digest_dir=digest_dir(), now=utcnow())
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"backup written to {report.path}: {report.database} database {_mb(report.database_bytes)}, "
               f"{report.files} data files {_mb(report.file_bytes)}, {report.digest_files} digest files; "
               f"archive {_mb(report.archive_bytes)} in {time.monotonic() - started:.1f} s")


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def restore(archive: Path) -> None:
    """Restore ARCHIVE (made by `wuye backup`) into this empty instance — an empty database (for
    PostgreSQL: created, with no tables), empty data and digest folders — then verify every site's
    chain. Exit 1 when the instance is not empty, the archive is damaged, or a chain does not verify."""
    from sqlalchemy import select

    from wuye_field.audit.chain import digest_dir, verify
    from wuye_field.backup.archive import BackupError, restore_backup
    from wuye_field.places.models import Site

    started = time.monotonic()
    try:
        report = restore_backup(archive, engine=db.engine, data_dir=Path(current_app.config["WUYE_DATA_DIR"]),
                                digest_dir=digest_dir())
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"restored the {report.database} database of {report.created_at}, {report.files} data files and "
               f"{report.digest_files} digest files in {time.monotonic() - started:.1f} s")
    db.session.remove()
    failed = 0
    for site_id, code in db.session.execute(select(Site.id, Site.code).order_by(Site.code)).all():
        result = verify(site_id)
        if result.ok:
            click.echo(f"OK {code}: {result.checked} records, head #{result.head_seq}, "
                       f"{result.digests_checked} digests checked")
        else:
            failed += 1
            click.echo(f"FAILED {code}: {result.problem.message}", err=True)
    if failed:
        raise SystemExit(1)


def _mb(size: int) -> str:
    return f"{size / 1_048_576:.1f} MB"
