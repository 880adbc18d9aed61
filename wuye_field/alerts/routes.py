"""Alert views: the signed-in user's active alerts (polled by static/js/alerts.js), acknowledge, push
subscription, and the site's webhook setting."""
from __future__ import annotations

from flask import current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from wuye_field.alerts import services, settings
from wuye_field.alerts.blueprint import bp
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.places.services import get_site


@bp.get("/active")
@login_required
def active():
    """JSON: the user's unacknowledged alerts, newest first (stable hook `GET /alerts/active`)."""
    alerts = services.active_for(current_user, now=utcnow())
    db.session.commit()
    return jsonify(alerts=[services.as_json(a) for a in alerts])


@bp.post("/<int:alert_id>/ack")
@login_required
def acknowledge(alert_id: int):
    alert = services.acknowledge(current_user, alert_id, now=utcnow())
    db.session.commit()
    return jsonify(status="acknowledged", message=_("已确认"), alert=services.as_json(alert))


@bp.get("/push/key")
@login_required
def push_key():
    return jsonify(public_key=current_app.config.get("VAPID_PUBLIC_KEY") or "")


@bp.post("/push/subscriptions")
@login_required
def push_subscribe():
    data = request.get_json(silent=True) or {}
    keys = data.get("keys") or {}
    services.subscribe(current_user, str(data.get("endpoint", "")), str(keys.get("p256dh", "")),
                       str(keys.get("auth", "")), now=utcnow())
    db.session.commit()
    return jsonify(status="subscribed", message=_("已开启推送提醒")), 201


@bp.route("/admin/sites/<int:site_id>", methods=["GET", "POST"])
@login_required
def admin(site_id: int):
    """The site's webhook (a WeCom group robot URL, or empty for none); admins only."""
    site = get_site(current_user, site_id, "admin")
    error = None
    if request.method == "POST":
        url = request.form.get("webhook_url", "").strip()
        if url and not url.startswith("https://"):
            error = _("请填写以 https:// 开头的机器人地址，或留空不推送。")
        else:
            settings.change(current_user, site.id, "alerts.webhook_url", url, now=utcnow(), label=_("群机器人地址"))
            db.session.commit()
            return redirect(url_for("alerts.admin", site_id=site.id))
    current = settings.value(site.id, "alerts.webhook_url", utcnow())
    return render_template("alerts/admin.html", site=site, webhook_url=current, error=error), 422 if error else 200
