"""Sync's views: a fresh CSRF token, the offline manifest and the outbox page (routes).

Imports run one way: the view modules import their blueprint from `sync.blueprint`; only this module imports
them. The factory calls `register(app)`: the blueprint, and what sync adds to the shared registries.
"""
from flask import Flask

from wuye_field.sync import routes  # noqa: F401  (their views land on the blueprint)
from wuye_field.sync.blueprint import bp


def register(app: Flask) -> None:
    app.register_blueprint(bp)
