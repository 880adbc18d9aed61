"""Everything handover puts on its blueprint, imported in one place: posts, handovers, acceptances and corrections
(routes).

Imports run one way: the view modules import `bp` from `handover.blueprint`; only this module imports them.
The factory registers `bp` from here.
"""
from wuye_field.handover import routes  # noqa: F401  (their views land on bp)
from wuye_field.handover import home  # noqa: F401  (home sections, place panels, offline pages)
from wuye_field.handover.blueprint import bp

__all__ = ["bp"]
