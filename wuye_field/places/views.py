"""Everything places puts on its blueprint, imported in one place: the place and tag pages (routes), the admin's sites,
buildings and places (admin), tag sheets and re-issue (tag_routes).

Imports run one way: the view modules import `bp` from `places.blueprint`; only this module imports them.
The factory registers `bp` from here.
"""
from wuye_field.places import admin, routes, tag_routes  # noqa: F401  (their views land on bp)
from wuye_field.places.blueprint import bp

__all__ = ["bp"]
