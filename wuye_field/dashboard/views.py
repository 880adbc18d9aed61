"""Everything dashboard puts on its blueprint, imported in one place: the home page (routes).

Imports run one way: the view modules import `bp` from `dashboard.blueprint`; only this module imports them.
The factory registers `bp` from here.
"""
from wuye_field.dashboard import routes  # noqa: F401  (their views land on bp)
from wuye_field.dashboard.blueprint import bp

__all__ = ["bp"]
