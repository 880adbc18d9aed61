"""Everything cleaning puts on its blueprint, imported in one place: today's tasks, check-offs, the supervisor's views,
set-up and export (routes).

Imports run one way: the view modules import `bp` from `cleaning.blueprint`; only this module imports them.
The factory registers `bp` from here.
"""
from wuye_field.cleaning import routes  # noqa: F401  (their views land on bp)
from wuye_field.cleaning import home, panels  # noqa: F401  (home sections, place panels, offline pages)
from wuye_field.cleaning.blueprint import bp

__all__ = ["bp"]
