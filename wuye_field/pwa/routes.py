"""Manifest, service worker, offline fallback and /healthz."""
from __future__ import annotations

import json

from flask import Blueprint, current_app, jsonify, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import text

from wuye_field.core.templating import asset_url
from wuye_field.extensions import db
from wuye_field.pwa.assets import shell_urls, shell_version, worker_imports, worker_source

bp = Blueprint("pwa", __name__)


@bp.get("/healthz")
def healthz():
    """200 {"status": "ok"} when the app and its database answer; 503 otherwise."""
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except Exception:  # any database failure means "not healthy"
        db.session.rollback()
        database = "error"
    status = "ok" if database == "ok" else "error"
    return jsonify({"status": status, "database": database, "dialect": db.engine.dialect.name}), (
        200 if status == "ok" else 503
    )


@bp.get("/manifest.webmanifest")
def manifest():
    """Installable app: name 物业外勤, icons 192/512, standalone."""
    data = {
        "name": "物业外勤",
        "short_name": "物业外勤",
        "description": _("物业外勤：巡更、保洁、维修，离线也能用"),
        "lang": "zh-CN",
        "start_url": url_for("dashboard.index") + "?source=pwa",
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": "#0b5d3b",
        "icons": [
            {"src": asset_url("icons/icon-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": asset_url("icons/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any"},
            {"src": asset_url("icons/icon-maskable-512.png"), "sizes": "512x512", "type": "image/png",
             "purpose": "maskable"},
        ],
    }
    response = current_app.response_class(
        current_app.json.dumps(data, ensure_ascii=False), mimetype="application/manifest+json"
    )
    return response


@bp.get("/offline")
def offline():
    """Shown by the service worker for a page that was not saved on the phone."""
    return render_template("pwa/offline.html")


@bp.get("/sw.js")
def service_worker():
    """The service worker, served from the root so that its scope is the whole app.

    The shell list and its version are prepended, so any change to a shell file changes the worker's
    bytes: the browser installs the new worker, which precaches the new files under a new cache name.
    """
    source = worker_source()
    config = {"version": shell_version(source), "shell": shell_urls(), "imports": worker_imports()}
    prelude = "self.WUYE_SW = " + json.dumps(config, ensure_ascii=False) + ";\n"
    response = current_app.response_class(prelude + source, mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = "/"
    response.headers["Cache-Control"] = "no-cache"
    return response
