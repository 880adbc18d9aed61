"""Choosing one's own password; forced at the first sign-in after a one-time password (an import)."""
from __future__ import annotations

from flask import current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from wuye_field.accounts import services
from wuye_field.accounts.blueprint import bp
from wuye_field.core.errors import FieldErrors, error_response, wants_json
from wuye_field.extensions import db

OPEN_WHILE_FORCED = {"accounts.change_password", "accounts.logout", "accounts.login", "accounts.set_language", "static",
                     "pwa.service_worker", "pwa.manifest", "pwa.healthz", "pwa.offline", "sync.csrf", "sync.outbox"}


@bp.before_app_request
def _force_password_change():
    """Until a one-time password is replaced, every page leads to 「修改密码」 (JSON callers get 403)."""
    if (not current_user.is_authenticated or not getattr(current_user, "must_change_password", False)
            or request.endpoint in OPEN_WHILE_FORCED or (request.endpoint or "").startswith("residents.public")):
        return None
    if wants_json():
        return error_response(403, _("请先修改一次性密码。"), "password_change_required")
    return redirect(url_for("accounts.change_password", next=request.full_path.rstrip("?")))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    """The current password, then the new one twice; the session continues with the new password."""
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            services.change_own_password(current_user, request.form.get("current", ""), request.form.get("new", ""),
                                         request.form.get("repeat", ""), current_app.config["PASSWORD_HASH_METHOD"])
        except FieldErrors as exc:
            errors = exc.errors
        else:
            user = current_user._get_current_object()
            db.session.commit()
            login_user(user)  # the reset ended every older session, this one included
            return redirect(url_for("dashboard.index"), 303)
    return render_template("accounts/password.html", errors=errors,
                           forced=current_user.must_change_password), 422 if errors else 200
