"""Defects' views: defects and their export (routes), the photo upload and files (`photos.routes`, on this
blueprint); its place panel, home card and offline page (panels).

Imports run one way: the view modules import their blueprint from `defects.blueprint`; only this module imports
them. The factory calls `register(app)`: the blueprint, and what defects adds to the shared registries.
"""
from flask import Flask

from wuye_field.core import registry
from wuye_field.defects import panels, routes  # noqa: F401  (their views land on the blueprint)
from wuye_field.defects.blueprint import bp
from wuye_field.photos import routes as photo_routes

photo_routes.add_routes(bp)


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    registry.add(app, registry.HOME_SECTIONS, panels.defect_section)
    registry.add(app, registry.PLACE_PANELS, panels.defect_panel)
    registry.add(app, registry.OFFLINE_PAGES, panels.defect_pages)
