"""The assessment's views, and its part of the month close: `register(app)` adds the blueprint and puts
the month's result (`assessment.json`) among the files frozen with a closed month (`reports.files`)."""
from flask import Flask

from wuye_field.assessment import result, routes  # noqa: F401  (its views land on the blueprint)
from wuye_field.assessment.blueprint import bp
from wuye_field.reports import files


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    files.EXPORTS.setdefault(result.FROZEN_NAME, result.freeze)
