"""Quarantine pages for supervisors (R12): the site's list, apply, dismiss, import a hand-over file."""
from __future__ import annotations

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from wuye_field.core.errors import DomainError
from wuye_field.core.htmx import see_other
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.quarantine import services
from wuye_field.quarantine.blueprint import bp
from wuye_field.sync.quarantine import reasons

def _page(site, *, status: int = 200, error: str = "", imported=None, errors: dict | None = None):
    pending, decided = services.site_items(site.id)
    return render_template("quarantine/index.html", site=site, sites=services.overseen_sites(current_user),
                           pending=pending, decided=decided, reasons=reasons(), label=services.action_label,
                           error=error, imported=imported, errors=errors or {}), status


@bp.get("/")
@login_required
def index():
    """A site's quarantine (?site=<id>, else the user's first overseen site)."""
    return _page(services.site_for(current_user, request.args.get("site", type=int)))


@bp.post("/items/<int:item_id>/apply")
@login_required
def apply(item_id: int):
    """Apply the item late as its author; a refusal by the action's rules re-renders the page with it."""
    item = services.get_item(current_user, item_id)
    site = services.site_for(current_user, item.site_id)
    try:
        services.apply_item(current_user, item_id, now=utcnow())
    except DomainError as refused:
        db.session.rollback()
        return _page(services.site_for(current_user, site.id), status=409, errors={item_id: refused.message})
    db.session.commit()
    return see_other(url_for("quarantine.index", site=site.id))


@bp.post("/items/<int:item_id>/dismiss")
@login_required
def dismiss(item_id: int):
    """Dismiss the item with a reason (required)."""
    item = services.get_item(current_user, item_id)
    site_id = item.site_id
    try:
        services.dismiss_item(current_user, item_id, request.form.get("reason"), now=utcnow())
    except DomainError as refused:
        db.session.rollback()
        return _page(services.site_for(current_user, site_id), status=400 if refused.status == 400 else 409,
                     errors={item_id: refused.message})
    db.session.commit()
    return see_other(url_for("quarantine.index", site=site_id))


@bp.post("/sites/<int:site_id>/import")
@login_required
def import_file(site_id: int):
    """Import a hand-over file exported on a deactivated user's phone (bounded by MAX_CONTENT_LENGTH)."""
    site = services.site_for(current_user, site_id)
    upload = request.files.get("file")
    if upload is None:
        return _page(site, status=400, error=_("请选择手机导出的记录文件。"))
    try:
        result = services.import_handover(current_user, site.id, upload.stream.read(), now=utcnow())
    except DomainError as refused:
        db.session.rollback()
        return _page(site, status=400, error=refused.message)
    db.session.commit()
    return _page(site, imported=result)
