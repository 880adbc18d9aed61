"""`flask --app app wuye …` commands; each body calls a service."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from wuye_field.extensions import db


@click.group("wuye")
def wuye() -> None:
    """Wuye Field administration commands."""


@wuye.command("demo")
@with_appcontext
def demo() -> None:
    """Load the demo site DEMO 「示范小区」 and its users (password wuye-demo). Safe to run twice."""
    from wuye_field.demo import load_demo

    site = load_demo(current_app.config["PUBLIC_BASE_URL"], current_app.config["PASSWORD_HASH_METHOD"])
    db.session.commit()
    click.echo(f"demo data ready: site {site.code} {site.name}")


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
