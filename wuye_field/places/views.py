"""Places' views: the place and tag pages and the scanner (routes), the admin's sites, buildings and places
(admin), tag sheets and re-issue (tag_routes); the scanner and tag pages kept offline (home).

Imports run one way: the view modules import their blueprint from `places.blueprint`; only this module imports
them. The factory calls `register(app)`: the blueprint, and what places adds to the shared registries.
"""
from flask import Flask

from wuye_field.core import registry
from wuye_field.places import admin, home, routes, settings_routes, tag_routes  # noqa: F401  (their views land on the blueprint)
from wuye_field.places.blueprint import bp


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    registry.add(app, registry.OFFLINE_PAGES, home.place_pages)
