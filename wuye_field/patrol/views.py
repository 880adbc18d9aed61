"""Patrol's views: the guard's field actions and round pages (routes), the route and checklist admin (admin),
the supervisor's board, reports and exports (supervision_routes); its home sections, place panels and offline pages.

Imports run one way: the view modules import their blueprint from `patrol.blueprint`; only this module imports
them. The factory calls `register(app)`: the blueprint, and what patrol adds to the shared registries.
"""
from flask import Flask

from wuye_field.core import registry
from wuye_field.patrol import admin, home, panels, routes, supervision_routes  # noqa: F401  (their views land on the blueprint)
from wuye_field.patrol.blueprint import bp


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    registry.add(app, registry.HOME_SECTIONS, home.patrol_section, supervision_routes.supervisor_section,
                 home.checkpoint_section)
    registry.add(app, registry.PLACE_PANELS, panels.inspection_panel, panels.scan_panel)
    registry.add(app, registry.OFFLINE_PAGES, home.patrol_pages)
