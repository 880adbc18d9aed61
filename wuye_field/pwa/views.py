"""Everything pwa puts on its blueprint, imported in one place: manifest, service worker, offline page, health check
(routes).

Imports run one way: the view modules import `bp` from `pwa.blueprint`; only this module imports them.
The factory registers `bp` from here.
"""
from wuye_field.pwa import routes  # noqa: F401  (their views land on bp)
from wuye_field.pwa.blueprint import bp

__all__ = ["bp"]
