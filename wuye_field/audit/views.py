"""Everything audit puts on its blueprint, imported in one place: the admin change log and chain check pages (routes).

Imports run one way: the view modules import `bp` from `audit.blueprint`; only this module imports them.
The factory registers `bp` from here.
"""
from wuye_field.audit import routes  # noqa: F401  (their views land on bp)
from wuye_field.audit.blueprint import bp

__all__ = ["bp"]
