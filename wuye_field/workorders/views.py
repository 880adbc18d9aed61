"""Everything workorders puts on its blueprint, imported in one place: the technician's pages and field actions
(routes), the desk's pages (desk_routes).

Imports run one way: the view modules import `bp` from `workorders.blueprint`; only this module imports them.
The factory registers `bp` from here.
"""
from wuye_field.workorders import desk_routes, routes  # noqa: F401  (their views land on bp)
from wuye_field.workorders import home  # noqa: F401  (home sections, place panels, offline pages)
from wuye_field.workorders.blueprint import bp

__all__ = ["bp"]
