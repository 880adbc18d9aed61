"""Everything accounts puts on its blueprint, imported in one place: login, logout, password, sessions (routes) and the
admin's user pages (admin).

Imports run one way: the view modules import `bp` from `accounts.blueprint`; only this module imports them.
The factory registers `bp` from here.
"""
from wuye_field.accounts import admin, routes  # noqa: F401  (their views land on bp)
from wuye_field.accounts.blueprint import bp

__all__ = ["bp"]
