"""Alerts' views (routes) and its home card; the background sender started per app process.

The factory calls `register(app)`: the blueprint, the home card, and an after-request hook that wakes the
sender when the request raised an alert (after its commit, so the request never waits on a receiver).
"""
from flask import Flask, g

from wuye_field.alerts import home, routes  # noqa: F401  (their views land on the blueprint)
from wuye_field.alerts.blueprint import bp
from wuye_field.alerts.sender import Sender
from wuye_field.core import registry

SENDER = "wuye_field.alerts.sender"


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    registry.add(app, registry.HOME_SECTIONS, home.alerts_section)
    sender = app.extensions[SENDER] = Sender(app)

    @app.after_request
    def _wake_sender(response):
        if g.pop("alerts_queued", False) and app.config["ALERTS_SENDER_THREAD"]:
            sender.kick()
        return response
