"""Admin pages for users (管理处): list per site, create, edit roles, reset password, deactivate."""
from __future__ import annotations

from flask import current_app, request, url_for
from flask_login import current_user, login_required

from wuye_field.accounts import services
from wuye_field.accounts.decorators import role_required
from wuye_field.accounts.blueprint import bp
from wuye_field.core.errors import FieldErrors
from wuye_field.core.htmx import render, see_other
from wuye_field.extensions import db



def _identity() -> dict[str, str]:
    return {name: request.form.get(name, "") for name in ("name", "phone")}


def _roles() -> dict[int, set[str]]:
    return services.parse_role_tokens(request.form.getlist("roles"))


def _hash_method() -> str | None:
    return current_app.config["PASSWORD_HASH_METHOD"]


def _user_page(user, partial: str, **context):
    """The user's edit page (or one section of it for htmx)."""
    values = request.form if context.get("errors") else {"name": user.name, "phone": user.phone or ""}
    checked = set(request.form.getlist("roles")) if context.get("errors") else services.role_tokens(user, current_user)
    context = {"errors": {}, "password_errors": {}, "state_errors": {}, "saved": None} | context
    return render("accounts/admin_user_edit.html", partial, user=user, values=values, checked=checked,
                  choices=services.admin_role_choices(current_user), **context)


@bp.get("/admin/users")
@login_required
@role_required("admin")
def admin_users():
    """Users holding a role on my sites (?site_id= picks one site)."""
    site_id = request.args.get("site_id", type=int)
    users = services.admin_users(current_user, site_id)
    return render("accounts/admin_users.html", "accounts/_admin_user_list.html", users=users, site_id=site_id,
                  choices=services.admin_role_choices(current_user))


@bp.get("/admin/users/new")
@login_required
@role_required("admin")
def admin_user_new():
    """The form for a new user with roles on my sites."""
    site_id = request.args.get("site_id", type=int)
    return render("accounts/admin_user_new.html", "accounts/_admin_user_form.html", user=None, values={}, errors={},
                  checked={f"{site_id}:guard"} if site_id else set(), choices=services.admin_role_choices(current_user))


@bp.post("/admin/users")
@login_required
@role_required("admin")
def admin_user_create():
    """Create a user; a refused field re-renders the form with its message."""
    try:
        user = services.admin_create_user(current_user, staff_no=request.form.get("staff_no", ""), **_identity(),
                                          password=request.form.get("password", ""), roles=_roles(),
                                          hash_method=_hash_method())
    except FieldErrors as exc:
        return render("accounts/admin_user_new.html", "accounts/_admin_user_form.html", user=None, errors=exc.errors,
                      values=request.form, checked=set(request.form.getlist("roles")),
                      choices=services.admin_role_choices(current_user))
    db.session.commit()
    return see_other(url_for("accounts.admin_user_edit", user_id=user.id, created=1))


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@login_required
@role_required("admin")
def admin_user_edit(user_id: int):
    """Edit a user's name, phone and roles on my sites."""
    user, errors, saved = services.admin_user(current_user, user_id), {}, None
    if request.method == "POST":
        try:
            services.admin_update_user(current_user, user_id, **_identity(), roles=_roles())
            db.session.commit()
            saved = "saved"
        except FieldErrors as exc:
            errors = exc.errors
    return _user_page(user, "accounts/_admin_user_form.html", errors=errors,
                      saved=saved or ("created" if request.args.get("created") else None))


@bp.post("/admin/users/<int:user_id>/password")
@login_required
@role_required("admin")
def admin_user_password(user_id: int):
    """Set a new password; the user's sessions end at once."""
    try:
        user = services.admin_reset_password(current_user, user_id, request.form.get("password", ""), _hash_method())
    except FieldErrors as exc:
        return _user_page(services.admin_user(current_user, user_id), "accounts/_admin_user_password.html",
                          password_errors=exc.errors)
    db.session.commit()
    return _user_page(user, "accounts/_admin_user_password.html", saved="password")


@bp.post("/admin/users/<int:user_id>/active")
@login_required
@role_required("admin")
def admin_user_active(user_id: int):
    """Deactivate (sessions end at once) or reactivate a user."""
    try:
        user = services.admin_set_active(current_user, user_id, request.form.get("active") == "1")
    except FieldErrors as exc:
        return _user_page(services.admin_user(current_user, user_id), "accounts/_admin_user_state.html",
                          state_errors=exc.errors)
    db.session.commit()
    return _user_page(user, "accounts/_admin_user_state.html")
