"""Work orders' views: the technician's pages and field actions (routes), the desk's pages (desk_routes); the
technician's and the desk's home cards (home, desk) and the technician's offline pages.

Imports run one way: the view modules import their blueprint from `workorders.blueprint`; only this module imports
them. The factory calls `register(app)`: the blueprint, and what workorders adds to the shared registries.
"""
from flask import Flask

from wuye_field.alerts.sender import register_check
from wuye_field.core import registry
from wuye_field.workorders.alerting import check_clocks
from wuye_field.workorders import desk, desk_routes, home, routes  # noqa: F401  (their views land on the blueprint)
from wuye_field.workorders.blueprint import bp


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    registry.add(app, registry.HOME_SECTIONS, home.technician_section, desk.desk_section)
    registry.add(app, registry.OFFLINE_PAGES, home.technician_pages)
    register_check(app, check_clocks)
