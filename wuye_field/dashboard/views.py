"""The dashboard's view: the home page (routes). The home page's own admin card and offline entry (home).

Imports run one way: the view modules import their blueprint from `dashboard.blueprint`; only this module imports
them. The factory calls `register(app)`: the blueprint, and what dashboard adds to the shared registries.
"""
from flask import Flask

from wuye_field.core import registry
from wuye_field.dashboard import home, routes  # noqa: F401  (their views land on the blueprint)
from wuye_field.dashboard.blueprint import bp


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    registry.add(app, registry.HOME_SECTIONS, home.admin_section)
    registry.add(app, registry.OFFLINE_PAGES, home.home_pages)
