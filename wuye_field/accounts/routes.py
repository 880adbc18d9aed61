"""Sign in, sign out, profile and language switch."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from flask_wtf.csrf import generate_csrf
from sqlalchemy.orm import joinedload

from wuye_field.accounts import services
from wuye_field.accounts.blueprint import bp
from wuye_field.accounts.forms import LoginForm
from wuye_field.accounts.models import ROLES, User
from wuye_field.core.errors import error_response, wants_json
from wuye_field.core.i18n import LANG_COOKIE
from wuye_field.core.logging import security_event
from wuye_field.extensions import db, login_manager
from wuye_field.sync import idempotency



@login_manager.user_loader
def load_user(identity: str) -> User | None:
    """Session identity is "<id>.<session_version>"; an old version means the session was ended."""
    user_id, _sep, version = identity.partition(".")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    # One statement: the user with its roles (each request needs both; issue 13).
    user = db.session.get(User, int(user_id), options=[joinedload(User.memberships)])
    if user is None or not user.active or user.session_version != int(version):
        reason = "deactivated" if user is not None and not user.active else "ended"
        security_event("session_stale", stale_user_id=int(user_id), reason=reason, path=request.path)
        return None
    return user


def deactivated_author() -> User | None:
    """The user of this request's session when the account was deactivated while that session was live
    (deactivation ends sessions by bumping the version once: the cookie holds the version just before)."""
    user_id, _sep, version = str(session.get("_user_id") or "").partition(".")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.active or int(version) != (user.session_version or 1) - 1:
        return None
    return user


@login_manager.unauthorized_handler
def unauthorized():
    """API callers (the outbox) get 401 JSON and keep their queue; people get the login page.

    A phone whose user was deactivated while signed in: its field actions are kept in quarantine (R12) and
    the outbox learns (`account_deactivated`) to offer the hand-over file of what it still holds."""
    if wants_json():
        author = deactivated_author()
        if author is not None:
            if (kept := idempotency.quarantine_deactivated(author)) is not None:
                return kept
            if request.endpoint == "sync.csrf":
                # The token lets the outbox hand its items over (each kept in quarantine); nothing else opens.
                message = _("您的账号已停用。手机上未上传的记录会转交主管；"
                            "无法上传的请在「上传记录」页导出，交给主管导入。")
                return jsonify({"error": "account_deactivated", "message": message, "user_id": author.id,
                                "csrf_token": generate_csrf()}), 401
        return error_response(401, _("登录已过期，请重新登录后自动上传手机上的记录。"), "login_required")
    return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths are followed after login (no open redirect)."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("dashboard.index")


def _throttle() -> services.LoginThrottle:
    config = current_app.config
    return services.LoginThrottle(
        config["LOGIN_LIMIT_PER_ACCOUNT"], config["LOGIN_LIMIT_PER_IP"], enabled=config["RATELIMIT_ENABLED"]
    )


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Staff number or phone + password; remember-me keeps a worker signed in for 30 days."""
    if current_user.is_authenticated and request.method == "GET":
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    error, status = None, 200
    if form.validate_on_submit():
        try:
            user = services.sign_in(
                form.username.data, form.password.data, address=request.remote_addr or "-",
                throttle=_throttle(), now=services.throttle_now(),
            )
        except services.TooManyAttempts as exc:
            error, status = exc.message, 429
        except services.LoginFailed as exc:
            error = exc.message
        else:
            session.clear()  # a fresh session (and CSRF secret) for the new user
            login_user(user, remember=bool(form.remember.data))
            return redirect(_safe_next(request.args.get("next")))
    return render_template("accounts/login.html", form=form, error=error), status


@bp.post("/logout")
@login_required
def logout():
    """End this user's sessions everywhere; the phone's outbox is kept (no Clear-Site-Data)."""
    services.end_sessions(current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("您已退出登录。手机上未上传的记录会保留，下次登录后自动上传。"))
    return redirect(url_for("accounts.login"), code=303)


@bp.get("/me")
@login_required
def profile():
    """Who I am, my sites and roles, language, sign out."""
    return render_template("accounts/profile.html", languages=current_app.config["LANGUAGES"], roles=ROLES)


def profile_pages(user) -> list[str]:
    """The profile page (diagnostics, language) opens offline for everyone."""
    return [url_for("accounts.profile")]


@bp.get("/lang/<code>")
def set_language(code: str):
    """Remember the chosen UI language in a cookie (zh_CN by default)."""
    response = redirect(_safe_next(request.args.get("next")))
    if code in current_app.config["LANGUAGES"]:
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response
