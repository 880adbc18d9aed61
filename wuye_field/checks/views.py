"""Checks' views: field actions and supervisor pages (routes), settings and exports (admin); the place panel,
home card and offline pages (panels).

The factory calls `register(app)`: the blueprint, and what checks adds to the shared registries.
"""
from flask import Flask

from wuye_field.alerts.sender import register_check
from wuye_field.checks import admin, orders, panels, routes  # noqa: F401  (their views land on the blueprint)
from wuye_field.checks.alerting import check_overdue
from wuye_field.checks.blueprint import bp
from wuye_field.core import registry


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    registry.add(app, registry.HOME_SECTIONS, panels.checks_section)
    registry.add(app, registry.PLACE_PANELS, panels.checks_panel)
    registry.add(app, registry.OFFLINE_PAGES, panels.checks_pages)
    registry.add(app, registry.ORDER_COMPLETION, orders.order_completion)
    register_check(app, check_overdue)
