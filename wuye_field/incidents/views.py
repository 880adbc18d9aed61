"""Incidents' views: incidents and SOS (routes), complaints and settings (complaint_routes); its home card,
its offline page, and its periodic alert check (complaints about to miss the same-day answer).

The factory calls `register(app)`.
"""
from flask import Flask

from wuye_field.alerts.sender import register_check
from wuye_field.core import registry
from wuye_field.incidents import complaint_routes, home, routes  # noqa: F401  (their views land on the blueprint)
from wuye_field.incidents.blueprint import bp
from wuye_field.incidents.complaints import check_due_soon


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    registry.add(app, registry.HOME_SECTIONS, home.incidents_section)
    registry.add(app, registry.OFFLINE_PAGES, home.incident_pages)
    register_check(app, check_due_soon)
    app.jinja_env.globals["control_room_phone"] = _control_room_phone


def _control_room_phone() -> str:
    """The SOS panel's tel: number (incidents.control_room_phone of the user's first site)."""
    from flask_login import current_user

    from wuye_field.core.time import utcnow
    from wuye_field.incidents.sos import control_room_phone

    return control_room_phone(current_user, utcnow()) if current_user.is_authenticated else ""
