"""Alembic migrations build exactly the schema the models describe (a forgotten migration fails here)."""
from __future__ import annotations

import logging
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from wuye_field import create_app
from wuye_field.config import TestConfig
from wuye_field.extensions import db


def _fresh_database_urls(tmp_path, postgres_admin_url):
    yield "sqlite:///" + str(tmp_path / "migrated.db")
    if postgres_admin_url:
        name = f"wuye_migrations_{uuid.uuid4().hex[:10]}"
        admin = create_engine(postgres_admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield postgres_admin_url.rsplit("/", 1)[0] + "/" + name
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


def test_upgrade_to_head_matches_the_models(tmp_path, monkeypatch, postgres_admin_url):
    monkeypatch.setenv("WUYE_INSTANCE_PATH", str(tmp_path / "instance"))
    checked = []
    for url in _fresh_database_urls(tmp_path, postgres_admin_url):
        app = create_app(_config(url, tmp_path))
        with app.app_context():
            upgrade(directory="migrations")
            with db.engine.connect() as conn:
                diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
            assert diff == [], f"models and migrations differ on {db.engine.dialect.name}: {diff}"
            downgrade(directory="migrations", revision="base")
            leftover = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
            assert leftover == set()
            db.session.remove()
            db.engine.dispose()
        checked.append(url.split(":", 1)[0])
    assert checked


def test_migrating_leaves_the_apps_logging_alone(tmp_path, monkeypatch, caplog):
    """`flask db upgrade` runs in the app's process: it must neither add a handler nor silence a logger."""
    monkeypatch.setenv("WUYE_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(_config("sqlite:///" + str(tmp_path / "migrated.db"), tmp_path))
    app_logger = logging.getLogger("wuye_field.sync.idempotency")
    handlers = list(logging.getLogger().handlers)
    with app.app_context():
        upgrade(directory="migrations")
        db.session.remove()
        db.engine.dispose()
    assert logging.getLogger().handlers == handlers
    assert not app_logger.disabled
    with caplog.at_level(logging.INFO, logger="wuye_field"):
        app_logger.warning("still heard")
    assert "still heard" in caplog.messages


def _config(url, tmp_path) -> dict:
    base = {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}
    return base | {"SQLALCHEMY_DATABASE_URI": url, "WUYE_DATA_DIR": str(tmp_path / "data")}


@pytest.fixture(autouse=True)
def _quiet_alembic_logging(caplog):
    caplog.set_level("WARNING", logger="alembic")
