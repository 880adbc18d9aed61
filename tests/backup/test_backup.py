"""Backups that restore (R36 in docs/standards.md): `wuye backup` copies a busy instance — digests, database,
photos — and `wuye restore` brings it into an empty one where every site's chain verifies; on SQLite
and on PostgreSQL."""
from __future__ import annotations

import os
import threading
import uuid
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text

from tests.sync.helpers import headers, jpeg, new_key, post_photo
from wuye_field import create_app
from wuye_field.backup.archive import BackupError, pg_tool
from wuye_field.config import TestConfig
from wuye_field.demo import load_demo
from wuye_field.extensions import db


def _app(database_url: str, instance: Path):
    config = {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}
    return create_app(config | {"SQLALCHEMY_DATABASE_URI": database_url, "WUYE_DATA_DIR": str(instance / "data")})


def _busy_instance(app, demo_photos: int = 3) -> list[str]:
    """The demo site with photographed scans and a digest; the photo UUIDs."""
    with app.app_context():
        db.create_all()
        load_demo(app.config["PUBLIC_BASE_URL"], app.config["PASSWORD_HASH_METHOD"])
        db.session.commit()
        token = db.session.execute(text("SELECT tag_token FROM place WHERE code = 'CP05'")).scalar()
        db.session.remove()
    client = app.test_client()
    client.post("/login", data={"username": "guard01", "password": "wuye-demo"})
    photos = []
    for n in range(demo_photos):
        key = new_key()
        assert post_photo(client, jpeg(800 + n, 600), key).status_code == 201
        photos.append(key)
        data = {"place": token, "via": "link", "note": f"第{n}次", "photo_ids": key}
        assert client.post("/patrol/scans", data=data, headers=headers()).status_code == 201
    assert app.test_cli_runner().invoke(args=["wuye", "chain-digest"]).exit_code == 0
    return photos


class Writer(threading.Thread):
    """A guard's phone replaying scans while the backup runs."""

    def __init__(self, app):
        super().__init__(daemon=True)
        self.app, self.stop, self.stored, self.errors = app, threading.Event(), 0, []

    def run(self):
        client = self.app.test_client()
        with self.app.app_context():
            client.post("/login", data={"username": "guard01", "password": "wuye-demo"})
            token = db.session.execute(text("SELECT tag_token FROM place WHERE code = 'CP05'")).scalar()
            db.session.remove()
            while not self.stop.is_set():
                response = client.post("/patrol/scans", data={"place": token, "via": "link"}, headers=headers())
                if response.status_code == 201:
                    self.stored += 1
                else:
                    self.errors.append(response.status_code)


def _round_trip(source_url: str, target_url: str, tmp_path: Path) -> dict:
    source = _app(source_url, tmp_path / "a")
    photos = _busy_instance(source)
    archive = tmp_path / "backups" / "wuye.tar"
    writer = Writer(source)
    writer.start()
    try:
        while writer.stored < 3 and not writer.errors:  # the phone is busy before the backup starts
            pass
        result = source.test_cli_runner().invoke(args=["wuye", "backup", str(archive)])
    finally:
        writer.stop.set()
        writer.join(30)
    assert result.exit_code == 0, result.output
    assert writer.errors == [] and writer.stored >= 3
    assert "backup written to" in result.output and archive.is_file()

    target = _app(target_url, tmp_path / "b")
    restored = target.test_cli_runner().invoke(args=["wuye", "restore", str(archive)])
    assert restored.exit_code == 0, restored.output
    assert "OK DEMO" in restored.output
    assert target.test_cli_runner().invoke(args=["wuye", "verify-chain", "DEMO"]).exit_code == 0

    client = target.test_client()
    assert client.post("/login", data={"username": "supervisor01", "password": "wuye-demo"}).status_code == 302
    for key in photos:
        for size in ("display", "thumb"):
            with client.get(f"/photos/{key}/{size}.jpg") as response:
                assert response.status_code == 200 and response.mimetype == "image/jpeg"
    with target.app_context():
        scans = db.session.execute(text("SELECT count(*) FROM scan")).scalar()
        db.session.remove()
    with source.app_context():
        total = db.session.execute(text("SELECT count(*) FROM scan")).scalar()
        db.session.remove()
    assert len(photos) <= scans <= total
    again = target.test_cli_runner().invoke(args=["wuye", "restore", str(archive)])
    assert again.exit_code == 1 and "not empty" in again.output  # never over a live instance
    for application in (source, target):
        with application.app_context():
            db.engine.dispose()
    return {"scans_restored": scans, "scans_at_end": total}


def test_sqlite_round_trip_while_the_app_writes(tmp_path):
    _round_trip(f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 'b.db'}", tmp_path)


@pytest.fixture
def pg_databases(postgres_admin_url):
    """Two new databases (source, empty target) on the test PostgreSQL server, dropped afterwards."""
    if postgres_admin_url is None:
        pytest.skip("no PostgreSQL server reachable (PG_ADMIN_URL)")
    admin = postgres_admin_url.replace("postgresql+psycopg://", "postgresql://")
    names = [f"wuye_backup_{os.getpid()}_{uuid.uuid4().hex[:6]}_{part}" for part in ("src", "dst")]
    with psycopg.connect(admin, autocommit=True) as conn:
        for name in names:
            conn.execute(f'CREATE DATABASE "{name}"')
    base = postgres_admin_url.rpartition("/")[0]
    yield [f"{base}/{name}" for name in names]
    with psycopg.connect(admin, autocommit=True) as conn:
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_postgresql_round_trip_while_the_app_writes(tmp_path, pg_databases):
    try:
        pg_tool("pg_dump")
        pg_tool("pg_restore")
    except BackupError as exc:
        pytest.skip(str(exc))
    source_url, target_url = pg_databases
    _round_trip(source_url, target_url, tmp_path)


def test_a_missing_pg_dump_is_named(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(BackupError, match="pg_dump was not found on PATH.*postgresql-client"):
        pg_tool("pg_dump")


def test_a_damaged_archive_is_refused(tmp_path):
    target = _app(f"sqlite:///{tmp_path / 'b.db'}", tmp_path / "b")
    broken = tmp_path / "broken.tar"
    broken.write_bytes(b"not a tar file at all" * 100)
    result = target.test_cli_runner().invoke(args=["wuye", "restore", str(broken)])
    assert result.exit_code == 1 and "not a backup archive" in result.output
    with target.app_context():
        db.engine.dispose()
