"""Audit pages: each site's chain head and digests (admins), the admin change log (supervisors, admins).

The pages need accounts' roles, so they live here, on the `audit` blueprint (URLs under /audit/); the
audit package itself (chain, triggers, change log) imports no domain."""
from __future__ import annotations

from flask import url_for
from flask_login import current_user, login_required

from wuye_field.accounts.decorators import role_required
from wuye_field.audit import chain, services
from wuye_field.accounts.blueprint import audit_bp as bp
from wuye_field.core.htmx import render, see_other
from wuye_field.core.time import utcnow
from wuye_field.extensions import db


@bp.get("/")
@login_required
@role_required(*services.READER_ROLES)
def index():
    """The admin change log of the user's sites; admins also see chain heads and digests."""
    site_ids = current_user.site_ids(*services.READER_ROLES)
    admin_sites = current_user.site_ids("admin")
    return render("audit/index.html", "audit/_changes.html", changes=services.recent_admin_changes(site_ids),
                  chains=services.chain_status(admin_sites), digest_dir=str(chain.digest_dir()),
                  is_admin=bool(admin_sites))


@bp.post("/digests")
@login_required
@role_required("admin")
def write_digests():
    """Write the chain heads of the admin's sites to today's digest file now (as the daily job does)."""
    chain.write_digests(now=utcnow(), site_ids=current_user.site_ids("admin"))
    db.session.commit()
    return see_other(url_for("audit.index"))
