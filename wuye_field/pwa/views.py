"""The PWA's views: manifest, service worker, offline page, health check (routes).

Imports run one way: the view modules import their blueprint from `pwa.blueprint`; only this module imports
them. The factory calls `register(app)`: the blueprint, and what pwa adds to the shared registries.
"""
from flask import Flask

from wuye_field.core import registry
from wuye_field.pwa import routes  # noqa: F401  (their views land on the blueprint)
from wuye_field.pwa.assets import offline_assets
from wuye_field.pwa.blueprint import bp


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    registry.add(app, registry.OFFLINE_ASSETS, offline_assets)
