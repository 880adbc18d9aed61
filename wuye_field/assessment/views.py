"""The assessment's views, and its part of the month close: `register(app)` adds the blueprint and the
month's result (`assessment.json`) to the files a month close stores (registry MONTH_EXPORTS)."""
from flask import Flask

from wuye_field.assessment import result, routes  # noqa: F401  (its views land on the blueprint)
from wuye_field.assessment.blueprint import bp
from wuye_field.core import registry


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    registry.add(app, registry.MONTH_EXPORTS, result.month_files)
