"""Everything sync puts on its blueprint, imported in one place: the offline manifest (routes).

Imports run one way: the view modules import `bp` from `sync.blueprint`; only this module imports them.
The factory registers `bp` from here.
"""
from wuye_field.sync import routes  # noqa: F401  (their views land on bp)
from wuye_field.sync.blueprint import bp

__all__ = ["bp"]
