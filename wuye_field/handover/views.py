"""Handover's views: posts, handovers, acceptances and corrections (routes); its home card and offline pages
(home).

Imports run one way: the view modules import their blueprint from `handover.blueprint`; only this module imports
them. The factory calls `register(app)`: the blueprint, and what handover adds to the shared registries.
"""
from flask import Flask

from wuye_field.core import registry
from wuye_field.handover import export_routes, home, routes  # noqa: F401  (their views land on the blueprint)
from wuye_field.handover.blueprint import bp


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    registry.add(app, registry.HOME_SECTIONS, home.handover_section)
    registry.add(app, registry.OFFLINE_PAGES, home.handover_pages)
