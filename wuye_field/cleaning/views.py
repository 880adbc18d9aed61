"""Cleaning's views: today's tasks, check-offs, the supervisor's views, set-up and export (routes); its home
card and area list (home), place panel (panels) and offline page.

Imports run one way: the view modules import their blueprint from `cleaning.blueprint`; only this module imports
them. The factory calls `register(app)`: the blueprint, and what cleaning adds to the shared registries.
"""
from flask import Flask

from wuye_field.core import registry
from wuye_field.cleaning import home, panels, routes  # noqa: F401  (their views land on the blueprint)
from wuye_field.cleaning.blueprint import bp


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    registry.add(app, registry.HOME_SECTIONS, home.cleaning_section, home.area_section)
    registry.add(app, registry.PLACE_PANELS, panels.cleaning_panel)
    registry.add(app, registry.OFFLINE_PAGES, home.cleaning_pages)
