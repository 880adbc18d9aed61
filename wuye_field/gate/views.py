"""The gate's views: the gate phone (routes), the supervisors' pages (supervision_routes); its home cards,
offline pages and handover notes (home, visitors).

Imports run one way: the view modules import their blueprint from `gate.blueprint`; only this module imports
them. The factory calls `register(app)`: the blueprint, and what the gate adds to the shared registries.
"""
from flask import Flask

from wuye_field.core import registry
from wuye_field.gate import desk_routes, dutylog, home, routes, supervision_routes, visitors  # noqa: F401  (views land on the blueprint)
from wuye_field.gate.blueprint import bp


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    registry.add(app, registry.HOME_SECTIONS, home.gate_section, home.board_section, home.desk_section,
                 home.admin_section)
    registry.add(app, registry.OFFLINE_PAGES, home.gate_pages)
    registry.add(app, registry.HANDOVER_NOTES, visitors.handover_lines, dutylog.handover_lines)
