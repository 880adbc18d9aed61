"""Shared fixtures: an app on a throwaway database (SQLite file, or PostgreSQL via TEST_DATABASE_URL),
a test client, an `auth` helper, and factory fixtures for sites, places and users."""
from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import create_engine, select, text

from tests.factories import Factories
from wuye_field import create_app
from wuye_field.config import TestConfig, normalise_database_url
from wuye_field.extensions import db


class FreshUserClient(FlaskClient):
    """A test client whose every request loads the user and locale anew, as in production.

    Tests run inside one pushed app context (so they can use db.session), and Flask-Login and
    Flask-Babel cache the user and locale in `g`, which lives as long as that context: without this a
    logout or an ended session would look alive to the next request of the same test.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            g.pop("_login_user", None)
            g.pop("_flask_babel", None)
        return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """The database every test of this run uses: TEST_DATABASE_URL, else a SQLite file (shared by threads)."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return normalise_database_url(url)
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")


@pytest.fixture(scope="session")
def _schema(database_url, tmp_path_factory) -> Iterator[None]:
    """Create every table once per run (the migrations are checked separately in test_migrations.py)."""
    app = create_app(_config(database_url, tmp_path_factory.mktemp("schema")))
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def _config(database_url: str, instance) -> dict:
    return {
        key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()
    } | {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WUYE_DATA_DIR": str(instance / "data"),
    }


@pytest.fixture
def make_app(database_url, _schema, tmp_path, monkeypatch):
    """Build an app on the test database with config overrides, e.g. `make_app(WTF_CSRF_ENABLED=True)`."""
    monkeypatch.setenv("WUYE_INSTANCE_PATH", str(tmp_path / "instance"))
    built = []

    def build(**overrides):
        application = create_app(_config(database_url, tmp_path) | overrides)
        application.test_client_class = FreshUserClient
        built.append(application)
        return application

    yield build
    for application in built:
        with application.app_context():
            db.session.remove()
    if built:
        _clear_tables(built[0])
    for application in built:  # close each test app's pool now, not when the GC gets to it
        with application.app_context():
            db.engine.dispose()


def _clear_tables(application) -> None:
    """Empty every table between tests (faster than recreating the schema, esp. on PostgreSQL).

    Record tables refuse UPDATE/DELETE/TRUNCATE (H5): the triggers are lifted for this one
    transaction (`audit.triggers.suspended`: superuser-only on PostgreSQL, drop + re-create on SQLite).
    """
    from wuye_field.audit.triggers import suspended

    with application.app_context():
        tables = list(reversed(db.metadata.sorted_tables))
        with suspended(db.session.connection()):
            if db.engine.dialect.name == "postgresql":
                names = ", ".join(f'"{t.name}"' for t in tables)
                db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    db.session.execute(table.delete())
        db.session.commit()
        db.session.remove()


@pytest.fixture
def app(make_app):
    """The app under test (CSRF off, rate limits off) with an application context pushed."""
    application = make_app()
    with application.app_context():
        yield application


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def factories(app) -> Factories:
    """Create sites, buildings, places and users: `factories.user(role="guard", site=site)`."""
    return Factories(hash_method=app.config["PASSWORD_HASH_METHOD"])


@pytest.fixture
def demo(app):
    """The demo site DEMO with its places and users (password wuye-demo)."""
    from wuye_field.demo import load_demo

    site = load_demo(app.config["PUBLIC_BASE_URL"], app.config["PASSWORD_HASH_METHOD"])
    db.session.commit()
    return site


@pytest.fixture
def admin(client, auth, demo):
    """The test client signed in as DEMO's admin (admin01)."""
    auth.login("admin01")
    return client


@pytest.fixture
def ids(demo) -> dict:
    """Ids of DEMO's objects, for building URLs: site, building 1栋, place CP01, user guard01."""
    from wuye_field.accounts.models import User
    from wuye_field.places.models import Building, Place

    def one(model, **where):
        return db.session.scalar(select(model).filter_by(**where))

    return {
        "site": demo.id,
        "building": one(Building, site_id=demo.id, name="1栋").id,
        "place": one(Place, code="CP01").id,
        "user": one(User, staff_no="guard01").id,
    }


@pytest.fixture
def admin01(demo):
    """DEMO's admin as a User (for services tested without a request)."""
    from wuye_field.accounts.models import User

    return db.session.scalar(select(User).where(User.staff_no == "admin01"))


@pytest.fixture
def other_admin(factories):
    """Admin of another site, holding no role on DEMO."""
    return factories.user(role="admin", site=factories.site(code="OTHER", name="别的小区"))


class AuthActions:
    """Sign in and out through the real login form, like flaskr's AuthActions."""

    def __init__(self, client):
        self._client = client

    def login(self, username: str = "guard01", password: str = "wuye-demo", **extra):
        return self._client.post("/login", data={"username": username, "password": password, **extra})

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)


@pytest.fixture(scope="session")
def postgres_admin_url() -> str | None:
    """URL of a reachable PostgreSQL maintenance database, or None (tests that need one skip)."""
    url = os.environ.get("PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    try:
        engine = create_engine(url)
        with engine.connect():
            pass
        engine.dispose()
    except Exception:
        return None
    return url
