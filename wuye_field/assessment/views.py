"""Assessment's views: the inspector's round (round_routes), its home card and its offline pages.

The factory calls `register(app)`.
"""
from flask import Flask

from wuye_field.assessment import home, round_routes  # noqa: F401  (their views land on the blueprint)
from wuye_field.assessment.blueprint import bp
from wuye_field.core import registry


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    registry.add(app, registry.HOME_SECTIONS, home.round_section)
    registry.add(app, registry.OFFLINE_PAGES, home.round_pages)
