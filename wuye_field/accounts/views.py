"""Accounts' views: sign-in, profile and language (routes), the admin's user pages (admin), and the audit pages
(audit_routes, on their own `audit` blueprint under /audit/).

Imports run one way: the view modules import their blueprint from `accounts.blueprint`; only this module imports
them. The factory calls `register(app)`: the blueprint, and what accounts adds to the shared registries.
"""
from flask import Flask

from wuye_field.core import registry
from wuye_field.accounts import admin, audit_routes, password_routes, routes  # noqa: F401  (their views land on the blueprint)
from wuye_field.accounts.blueprint import audit_bp, bp


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    app.register_blueprint(audit_bp)
    registry.add(app, registry.OFFLINE_PAGES, routes.profile_pages)
