"""Everything patrol puts on its blueprint, imported in one place: the guard's field actions and round pages (routes),
the route and checklist admin (admin), the supervisor's board, reports and exports (supervision_routes).

Imports run one way: the view modules import `bp` from `patrol.blueprint`; only this module imports them.
The factory registers `bp` from here.
"""
from wuye_field.patrol import admin, routes, supervision_routes  # noqa: F401  (their views land on bp)
from wuye_field.patrol import home, panels  # noqa: F401  (home sections, place panels, offline pages)
from wuye_field.patrol.blueprint import bp

__all__ = ["bp"]
