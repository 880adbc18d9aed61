"""Write and read backup archives.

An archive is one uncompressed tar file (photos are JPEGs already; the PostgreSQL dump compresses
itself) holding:

    manifest.json         format, when, which database, schema revision, sizes, the dump's SHA-256
    chain-digests/…       the digest files (copied FIRST)
    database.sqlite3      SQLite: a copy made with SQLite's online backup API, or
    database.pgdump       PostgreSQL: `pg_dump --format=custom` (one consistent snapshot)
    data/…                WUYE_DATA_DIR (photos, generated files) without the digests (copied LAST)

The order makes a copy taken while the app runs consistent. Digests come before the database, so no
digest names a chain head the copied database does not have yet. Photo files are written before their
row commits, so files copied after the database include every photo the copied rows name (later
uploads are extra files and harm nothing).

Restoring requires an empty instance: a database without tables (for PostgreSQL an existing, empty
database), and an empty data and digest folder. The caller verifies every site's chain afterwards.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import URL, Engine

FORMAT = 1
MANIFEST = "manifest.json"
DUMPS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


class BackupError(Exception):
    """The backup or restore cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class BackupReport:
    path: Path
    database: str
    database_bytes: int
    files: int
    file_bytes: int
    digest_files: int
    archive_bytes: int


@dataclass(frozen=True)
class RestoreReport:
    database: str
    files: int
    digest_files: int
    created_at: str


# ---------------------------------------------------------------- backup


def create_backup(out: Path, *, engine: Engine, data_dir: Path, digest_dir: Path, now: datetime) -> BackupReport:
    """Write the archive `out` (via `out.partial`, renamed when complete) from a running instance.

    Raises BackupError for an in-memory database, a missing `pg_dump`, or a failed dump.
    """
    out = Path(out)
    dialect = engine.dialect.name
    if dialect not in DUMPS:
        raise BackupError(f"cannot back up a {dialect} database")
    partial = out.with_name(out.name + ".partial")
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="wuye-backup-") as scratch, tarfile.open(partial, "w") as archive:
        digests = _add_tree(archive, digest_dir, "chain-digests")
        dump = Path(scratch) / DUMPS[dialect]
        _dump_sqlite(engine, dump) if dialect == "sqlite" else _dump_postgres(engine, dump)
        archive.add(dump, DUMPS[dialect])
        files = _add_tree(archive, data_dir, "data", skip=digest_dir)
        manifest = {
            "format": FORMAT, "created_at": now.isoformat(), "database": dialect,
            "schema_revision": _schema_revision(engine), "database_bytes": dump.stat().st_size,
            "database_sha256": _sha256(dump), "files": files[0], "file_bytes": files[1], "digest_files": digests[0],
        }
        _add_bytes(archive, MANIFEST, json.dumps(manifest, indent=2).encode())
    os.replace(partial, out)
    return BackupReport(out, dialect, manifest["database_bytes"], files[0], files[1], digests[0], out.stat().st_size)


def _add_tree(archive: tarfile.TarFile, root: Path, arcname: str, skip: Path | None = None) -> tuple[int, int]:
    """Add the regular files under `root` (none when it does not exist), leaving out `skip`; (files, bytes)."""
    count = size = 0
    root = Path(root)
    skip = Path(skip).resolve() if skip else None
    for path in sorted(root.rglob("*")) if root.is_dir() else []:
        if skip is not None and (path.resolve() == skip or skip in path.resolve().parents):
            continue
        if path.is_file() and not path.is_symlink():
            try:
                file_size = path.stat().st_size
                archive.add(path, f"{arcname}/{path.relative_to(root).as_posix()}", recursive=False)
            except FileNotFoundError:  # removed while we copied (e.g. a rolled-back upload)
                continue
            count, size = count + 1, size + file_size
    return count, size


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.now().timestamp())
    archive.addfile(info, io.BytesIO(data))


def _dump_sqlite(engine: Engine, dump: Path) -> None:
    """Copy the SQLite database with the online backup API: one consistent snapshot, writers not stopped."""
    source_path = engine.url.database
    if source_path in (None, "", ":memory:"):
        raise BackupError("an in-memory SQLite database cannot be backed up")
    source = sqlite3.connect(source_path, timeout=30)
    target = sqlite3.connect(dump)
    try:
        source.backup(target)  # all pages in one step, under one read transaction
    finally:
        target.close()
        source.close()


def pg_tool(name: str) -> str:
    """The path of PostgreSQL client program `name`; BackupError saying how to install it when missing."""
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} was not found on PATH. Install the PostgreSQL client programs of the server's major "
            f"version (Debian: apt-get install postgresql-client) or add their folder to PATH.")
    return path


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URL without the password, and the environment that carries it."""
    plain = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return plain, env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{what} failed (exit {result.returncode}): {result.stderr.strip()[-2000:]}")


def _dump_postgres(engine: Engine, dump: Path) -> None:
    """`pg_dump --format=custom`: one snapshot in a repeatable-read transaction while the app writes."""
    url, env = _libpq(engine.url)
    _run([pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(dump), "--dbname", url], env, "pg_dump")


def _schema_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


# ---------------------------------------------------------------- restore


def restore_backup(archive_path: Path, *, engine: Engine, data_dir: Path, digest_dir: Path) -> RestoreReport:
    """Bring the archive into this (empty) instance: database, data folder, digests.

    Raises BackupError when the archive is not one of ours or damaged, when it was taken from another kind
    of database, or when the instance is not empty (nothing is changed then).
    """
    with _unpacked(Path(archive_path)) as (manifest, folder):
        dialect = engine.dialect.name
        if manifest["database"] != dialect:
            raise BackupError(f"the archive holds a {manifest['database']} database; this instance uses {dialect}")
        dump = folder / DUMPS[dialect]
        if not dump.is_file() or _sha256(dump) != manifest["database_sha256"]:
            raise BackupError("the archive's database copy is missing or damaged (SHA-256 differs)")
        _check_empty(engine, data_dir, digest_dir)
        engine.dispose()
        _load_sqlite(engine, dump) if dialect == "sqlite" else _load_postgres(engine, dump)
        engine.dispose()
        files = _move_tree(folder / "data", Path(data_dir))
        digests = _move_tree(folder / "chain-digests", Path(digest_dir))
    return RestoreReport(dialect, files, digests, manifest["created_at"])


@contextmanager
def _unpacked(archive_path: Path) -> Iterator[tuple[dict, Path]]:
    if not archive_path.is_file():
        raise BackupError(f"no archive at {archive_path}")
    try:
        archive = tarfile.open(archive_path, "r")  # noqa: SIM115 - closed by the `with` below
    except tarfile.TarError as exc:
        raise BackupError(f"{archive_path} is not a backup archive: {exc}") from exc
    with archive, tempfile.TemporaryDirectory(prefix="wuye-restore-", dir=_scratch_parent(archive_path)) as scratch:
        try:
            archive.extractall(scratch, filter="data")  # no absolute paths, links out or devices
            manifest = json.loads((Path(scratch) / MANIFEST).read_text())
        except (tarfile.TarError, OSError, ValueError) as exc:
            raise BackupError(f"{archive_path} is damaged or not a backup archive: {exc}") from exc
        if manifest.get("format") != FORMAT:
            raise BackupError(f"unknown archive format {manifest.get('format')!r}")
        yield manifest, Path(scratch)


def _scratch_parent(archive_path: Path) -> str | None:
    """Unpack beside the archive when we may write there (same file system: moves, not copies)."""
    return str(archive_path.parent) if os.access(archive_path.parent, os.W_OK) else None


def _check_empty(engine: Engine, data_dir: Path, digest_dir: Path) -> None:
    with engine.connect() as conn:
        tables = inspect(conn).get_table_names()
    if tables:
        raise BackupError(f"the database is not empty ({len(tables)} tables): restore into a new, empty database")
    for folder in (Path(data_dir), Path(digest_dir)):
        if folder.is_dir() and any(path.is_file() for path in folder.rglob("*")):
            raise BackupError(f"{folder} is not empty: restore into an empty data folder")


def _load_sqlite(engine: Engine, dump: Path) -> None:
    target_path = engine.url.database
    if target_path in (None, "", ":memory:"):
        raise BackupError("cannot restore into an in-memory SQLite database")
    source = sqlite3.connect(dump)
    target = sqlite3.connect(target_path, timeout=30)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def _load_postgres(engine: Engine, dump: Path) -> None:
    """`pg_restore` in one transaction: all or nothing. Ownership and grants are left out (the restoring
    user owns the tables; run `wuye grant-app-role` again for the app's restricted role)."""
    url, env = _libpq(engine.url)
    _run([pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error",
          "--dbname", url, str(dump)], env, "pg_restore")


def _move_tree(source: Path, target: Path) -> int:
    """Move every file under `source` to the same place under `target`; the number moved."""
    count = 0
    for path in sorted(source.rglob("*")) if source.is_dir() else []:
        if path.is_file():
            destination = target / path.relative_to(source)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(path, destination)
            count += 1
    return count
