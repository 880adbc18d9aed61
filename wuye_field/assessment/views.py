"""The assessment's views: the month's result, sheet, evidence and rectification pages (routes), the
inspector's round (round_routes), its home card and offline pages, and its part of the month close (the
month's result, `assessment.json`, among the files a close stores: registry MONTH_EXPORTS).

The factory calls `register(app)`.
"""
from flask import Flask

from wuye_field.assessment import home, result, round_routes, routes  # noqa: F401  (their views land on the blueprint)
from wuye_field.assessment.blueprint import bp
from wuye_field.core import registry


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    registry.add(app, registry.HOME_SECTIONS, home.round_section)
    registry.add(app, registry.OFFLINE_PAGES, home.round_pages)
    registry.add(app, registry.MONTH_EXPORTS, result.month_files)
