"""Residents' views: the public window (public_routes), the desk's and admin's pages (staff_routes), the
desk's home card (home)."""
from flask import Flask

from wuye_field.core import registry
from wuye_field.residents import home, pass_routes, public_routes, staff_routes  # noqa: F401  (views on the blueprint)
from wuye_field.residents.blueprint import bp


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    registry.add(app, registry.HOME_SECTIONS, home.desk_section)
