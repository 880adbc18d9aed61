"""Onboarding's views: the import pages (routes)."""
from flask import Flask

from wuye_field.onboarding import routes  # noqa: F401  (its views land on the blueprint)
from wuye_field.onboarding.blueprint import bp


def register(app: Flask) -> None:
    app.register_blueprint(bp)
