"""The desk and supervisors: passes (G9), residents' phones per unit (G9), the watch list (G8), slips (G10)."""
from __future__ import annotations

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from wuye_field.core.errors import FieldErrors, NotFound
from wuye_field.core.htmx import see_other
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.gate import passes, slips, unit_contacts
from wuye_field.gate.blueprint import bp
from wuye_field.gate.home import gate_posts
from wuye_field.gate.models import PASS_SOURCES
from wuye_field.gate.qr import qr_svg
from wuye_field.places.models import Site
from wuye_field.places.services import get_site, site_buildings


def _passes_page(site_id: int, errors: dict | None = None, status: int = 200):
    site = get_site(current_user, site_id, *passes.ISSUE_ROLES)
    valid = passes.site_passes(current_user, site.id, now=utcnow())
    return render_template("gate/passes.html", site=site, passes=valid, sources=PASS_SOURCES,
                           buildings=[(b.id, b.name) for b in site_buildings(site)], errors=errors or {},
                           values=request.form), status


@bp.get("/sites/<int:site_id>/passes")
@login_required
def passes_page(site_id: int):
    """The site's passes still valid, and the form to issue one (desk, supervisors)."""
    return _passes_page(site_id)


@bp.post("/sites/<int:site_id>/passes")
@login_required
def issue_pass(site_id: int):
    """Issue a pass; bad input re-renders the form with Chinese messages (422)."""
    try:
        issued = passes.issue_pass(current_user, site_id, request.form.to_dict(), now=utcnow())
    except FieldErrors as invalid:
        db.session.rollback()
        return _passes_page(site_id, invalid.errors, 422)
    db.session.commit()
    return see_other(url_for("gate.pass_page", number=issued.number))


@bp.get("/passes/<number>")
@login_required
def pass_page(number: str):
    """A pass with its QR (printed or shown on the visitor's phone); the gate taps once to let them in."""
    found = passes.get_pass(current_user, number)
    site = db.session.get(Site, found.site_id)
    url = site.public_base_url.rstrip("/") + url_for("gate.pass_page", number=found.number)
    return render_template("gate/pass.html", gate_pass=found, qr=qr_svg(url), site=site, sources=PASS_SOURCES,
                           gate_posts=[p for p in gate_posts(current_user) if p.site_id == site.id])


@bp.route("/sites/<int:site_id>/watch", methods=["GET", "POST"])
@login_required
def watch(site_id: int):
    """The site's watch list (supervisors, admins): add an entry; every entry warns, none refuses."""
    errors, status = {}, 200
    if request.method == "POST":
        try:
            passes.add_watch(current_user, site_id, request.form.to_dict(), now=utcnow())
            db.session.commit()
            return see_other(url_for("gate.watch", site_id=site_id))
        except FieldErrors as invalid:
            db.session.rollback()
            errors, status = invalid.errors, 422
    return render_template("gate/watch.html", site_id=site_id, entries=passes.watch_list(current_user, site_id),
                           errors=errors, values=request.form), status


@bp.post("/watch/<int:entry_id>/remove")
@login_required
def watch_remove(entry_id: int):
    passes.remove_watch(current_user, entry_id)
    db.session.commit()
    return see_other(request.referrer or url_for("dashboard.index"))


@bp.route("/sites/<int:site_id>/contacts", methods=["GET", "POST"])
@login_required
def contacts(site_id: int):
    """Residents' phones per unit (住户登记): the phones that may pre-register visitors for their unit."""
    errors, status = {}, 200
    if request.method == "POST":
        try:
            unit_contacts.add_contact(current_user, site_id, request.form.to_dict(), now=utcnow())
            db.session.commit()
            return see_other(url_for("gate.contacts", site_id=site_id))
        except FieldErrors as invalid:
            db.session.rollback()
            errors, status = invalid.errors, 422
    site = get_site(current_user, site_id, *unit_contacts.EDIT_ROLES)
    return render_template("gate/contacts.html", site=site, entries=unit_contacts.site_contacts(current_user, site.id),
                           buildings=[(b.id, b.name) for b in site_buildings(site)], errors=errors,
                           values=request.form), status


@bp.post("/contacts/<int:contact_id>/remove")
@login_required
def contact_remove(contact_id: int):
    contact = unit_contacts.remove_contact(current_user, contact_id, now=utcnow())
    db.session.commit()
    return see_other(url_for("gate.contacts", site_id=contact.site_id))


# ---------------------------------------------------------------- goods-release slips (放行条)


def _slips_page(site_id: int, errors: dict | None = None, status: int = 200):
    site = get_site(current_user, site_id, *slips.ISSUE_ROLES)
    return render_template("gate/slips.html", site=site, slips=slips.site_slips(current_user, site.id, now=utcnow()),
                           buildings=[(b.id, b.name) for b in site_buildings(site)], errors=errors or {},
                           values=request.form), status


@bp.get("/sites/<int:site_id>/slips")
@login_required
def slips_page(site_id: int):
    """Slips issued in the last week and the form to issue one (desk, supervisors)."""
    return _slips_page(site_id)


@bp.post("/sites/<int:site_id>/slips")
@login_required
def issue_slip(site_id: int):
    """Issue a slip; bad input re-renders the form with Chinese messages (422)."""
    try:
        slip = slips.issue_slip(current_user, site_id, request.form.to_dict(), now=utcnow())
    except FieldErrors as invalid:
        db.session.rollback()
        return _slips_page(site_id, invalid.errors, 422)
    db.session.commit()
    return see_other(url_for("gate.slip_page", site_id=site_id, number=slip.number))


@bp.get("/sites/<int:site_id>/slips/<number>")
@login_required
def slip_page(site_id: int, number: str):
    """A slip to print or show on the resident's phone: its number and a QR of the number."""
    site = get_site(current_user, site_id, *slips.ISSUE_ROLES)
    slip = next((s for s, _used in slips.site_slips(current_user, site.id, now=utcnow()) if s.number == number), None)
    if slip is None:
        raise NotFound(_("找不到这张放行条。"))
    return render_template("gate/slip.html", slip=slip, site=site, qr=qr_svg(slip.number))
