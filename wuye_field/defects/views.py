"""Everything defects puts on its blueprint, imported in one place: photo upload, photo files and defects (routes).

Imports run one way: the view modules import `bp` from `defects.blueprint`; only this module imports them.
The factory registers `bp` from here.
"""
from wuye_field.defects import routes  # noqa: F401  (their views land on bp)
from wuye_field.defects import panels  # noqa: F401  (home sections, place panels, offline pages)
from wuye_field.defects.blueprint import bp

__all__ = ["bp"]
