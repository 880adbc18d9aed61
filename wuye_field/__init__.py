"""The Wuye Field application factory: `create_app()` reads as the table of contents of the app."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask

from wuye_field.config import REQUIRED_IN_PRODUCTION, Config, normalise_database_url

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: type | dict | None = None) -> Flask:
    """Build the app. `config` is a class (e.g. `TestConfig`) or a mapping of overrides on `Config`."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("WUYE_INSTANCE_PATH") or str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    load_config(app, config)
    configure_logging(app)
    register_extensions(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def load_config(app: Flask, config: type | dict | None) -> None:
    """Apply `Config`, then `config`; fill the embedded defaults; refuse an unsafe production start."""
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)

    if app.config["WUYE_ENV"] == "production":
        missing = [key for key in REQUIRED_IN_PRODUCTION if not app.config.get(key)]
        if missing:
            raise RuntimeError("Refusing to start in production without: " + ", ".join(missing))
        if app.config["WEB_CONCURRENCY"] > 1 and app.config["RATELIMIT_STORAGE_URI"].startswith("memory://"):
            raise RuntimeError(
                f"Refusing to start in production with WEB_CONCURRENCY={app.config['WEB_CONCURRENCY']} on in-memory "
                "login throttling (each worker would count alone): set RATELIMIT_STORAGE_URI, e.g. redis://host:6379/0")

    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + str(Path(app.instance_path) / "wuye.db")
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if not app.config.get("WUYE_DATA_DIR"):
        app.config["WUYE_DATA_DIR"] = str(Path(app.instance_path) / "data")
    Path(app.config["WUYE_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _development_secret(Path(app.instance_path))


def _development_secret(instance: Path) -> str:
    """A random key kept in the instance folder, so a dev install never runs on a well-known key."""
    key_file = instance / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def configure_logging(app: Flask) -> None:
    from wuye_field.core.logging import configure_logging as configure

    configure(app)


def register_extensions(app: Flask) -> None:
    from wuye_field.core.database import configure_sqlite
    from wuye_field.core.i18n import init_babel
    from wuye_field.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    init_babel(app)
    with app.app_context():
        configure_sqlite(db.engine)


def register_blueprints(app: Flask) -> None:
    """Each package's `views.register(app)` adds its blueprint(s) and its entries in the core registry
    (home sections, place panels, offline pages); they run in this order."""
    from wuye_field.accounts import views as accounts
    from wuye_field.alerts import views as alerts
    from wuye_field.assessment import views as assessment
    from wuye_field.checks import views as checks
    from wuye_field.cleaning import views as cleaning
    from wuye_field.dashboard import views as dashboard
    from wuye_field.defects import views as defects
    from wuye_field.gate import views as gate
    from wuye_field.handover import views as handover
    from wuye_field.incidents import views as incidents
    from wuye_field.onboarding import views as onboarding
    from wuye_field.patrol import views as patrol
    from wuye_field.places import views as places
    from wuye_field.pwa import views as pwa
    from wuye_field.quarantine import views as quarantine
    from wuye_field.reports import views as reports
    from wuye_field.residents import views as residents
    from wuye_field.survey import views as survey
    from wuye_field.sync import views as sync
    from wuye_field.workorders import views as workorders

    for domain in (accounts, dashboard, places, patrol, defects, cleaning, handover, sync, pwa, workorders,
                   quarantine, reports, onboarding, residents, alerts, incidents, checks, gate, survey, assessment):
        domain.register(app)


def register_error_handlers(app: Flask) -> None:
    from wuye_field.core.errors import register_error_handlers as register
    from wuye_field.core.request_limits import init_request_limits
    from wuye_field.core.security import register_security_headers

    register(app)
    init_request_limits(app)
    register_security_headers(app)


def register_template_helpers(app: Flask) -> None:
    from wuye_field.core.static_files import init_static_files
    from wuye_field.core.ui import init_ui
    from wuye_field.core.templating import init_templating

    init_static_files(app)
    init_templating(app)
    init_ui(app)


def register_commands(app: Flask) -> None:
    from wuye_field.cli import wuye

    app.cli.add_command(wuye)
