"""Reports' views (the month page and the close button) and its home card.

The factory calls `register(app)`: the blueprint, and the card in the shared home-sections registry.
"""
from flask import Flask

from wuye_field.core import registry
from wuye_field.reports import files, home, routes  # noqa: F401  (their views land on the blueprint)
from wuye_field.reports.blueprint import bp


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    registry.add(app, registry.HOME_SECTIONS, home.reports_section)
    registry.add(app, registry.FROZEN_EXPORTS, files.frozen_text)
