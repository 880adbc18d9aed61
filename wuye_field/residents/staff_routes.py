"""Staff pages of the residents' window: the desk's residents' requests and notices, the admin's building codes."""
from __future__ import annotations

from flask import abort, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from wuye_field.accounts.decorators import role_required
from wuye_field.core.errors import FieldErrors
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.incidents import complaints
from wuye_field.residents import manage, requests
from wuye_field.residents.blueprint import bp
from wuye_field.residents.public_routes import resident_photos
from wuye_field.residents.settings import site_setting

DESK = ("desk", "supervisor", "admin")


def _desk_page(errors=None, values=None, status: int = 200):
    now = utcnow()
    sites = manage.notice_sites(current_user)
    return render_template("residents/desk.html", items=requests.open_requests(current_user), sites=sites,
                           complaints=complaints.window_complaints(current_user),
                           notices=manage.current_notices(current_user, now=now), errors=errors or {},
                           values=values or {}, me=current_user.id), status


@bp.get("/residents/desk")
@login_required
@role_required(*DESK)
def desk():
    """住户来件: new requests to take (first contact owns them), my taken ones to close; the notices."""
    return _desk_page()


@bp.post("/residents/requests/<int:request_id>/take")
@login_required
@role_required(*DESK)
def take(request_id: int):
    requests.take(current_user, request_id, now=utcnow())
    db.session.commit()
    return redirect(url_for("residents.desk"), 303)


@bp.get("/residents/requests/<int:request_id>/photo.jpg")
@login_required
@role_required(*DESK)
def photo(request_id: int):
    """The resident's photo (re-encoded on arrival), for the desk of its site only."""
    item = requests.get_request(current_user, request_id)
    if not item.photo_key:
        abort(404)
    response = send_file(resident_photos().path(item.photo_key), mimetype="image/jpeg", max_age=3600)
    response.cache_control.private = True
    return response


@bp.post("/residents/complaints/<int:complaint_id>/take")
@login_required
@role_required(*DESK)
def take_complaint(complaint_id: int):
    """A resident's complaint taken from 住户来件: the taker owns it (W6) and follows it on the complaint's page."""
    complaints.take_complaint(current_user, complaint_id, now=utcnow())
    db.session.commit()
    return redirect(url_for("incidents.complaint", complaint_id=complaint_id), 303)


@bp.get("/residents/complaints/<int:complaint_id>/photo.jpg")
@login_required
@role_required(*DESK)
def complaint_photo(complaint_id: int):
    """The photo a resident sent with a complaint (kept with the residents' photos), for its site's desk."""
    item = complaints.get_complaint(current_user, complaint_id)
    if not item.photo_key:
        abort(404)
    response = send_file(resident_photos().path(item.photo_key), mimetype="image/jpeg", max_age=3600)
    response.cache_control.private = True
    return response


@bp.post("/residents/requests/<int:request_id>/close")
@login_required
@role_required(*DESK)
def close(request_id: int):
    try:
        requests.close(current_user, request_id, request.form.get("note", ""), now=utcnow())
    except FieldErrors as exc:
        return _desk_page(errors={f"close-{request_id}": exc.errors["note"]}, status=422)
    db.session.commit()
    return redirect(url_for("residents.desk"), 303)


@bp.post("/residents/notices")
@login_required
@role_required(*DESK)
def add_notice():
    try:
        manage.add_notice(current_user, request.form.get("site_id", type=int) or 0, request.form, now=utcnow())
    except FieldErrors as exc:
        return _desk_page(errors=exc.errors, values=request.form, status=422)
    db.session.commit()
    return redirect(url_for("residents.desk"), 303)


@bp.post("/residents/notices/<int:notice_id>/end")
@login_required
@role_required(*DESK)
def end_notice(notice_id: int):
    manage.end_notice(current_user, notice_id, now=utcnow())
    db.session.commit()
    return redirect(url_for("residents.desk"), 303)


def _admin_page(site_id: int, errors=None, status: int = 200):
    site, buildings = manage.admin_buildings(current_user, site_id)
    return render_template("residents/admin.html", site=site, buildings=buildings, errors=errors or {},
                           desk_phone=site_setting(site.id, "residents.desk_phone", utcnow())), status


@bp.get("/residents/admin/sites/<int:site_id>")
@login_required
@role_required("admin")
def admin(site_id: int):
    """楼栋公示: each building's public address, its code replaced in one click, the desk phone."""
    return _admin_page(site_id)


@bp.post("/residents/admin/buildings/<int:building_id>/replace")
@login_required
@role_required("admin")
def replace(building_id: int):
    building = manage.replace_token(current_user, building_id, now=utcnow())
    db.session.commit()
    return redirect(url_for("residents.admin", site_id=building.site_id), 303)


@bp.post("/residents/admin/sites/<int:site_id>/desk-phone")
@login_required
@role_required("admin")
def desk_phone(site_id: int):
    try:
        manage.set_desk_phone(current_user, site_id, request.form.get("desk_phone", ""), now=utcnow())
    except FieldErrors as exc:
        return _admin_page(site_id, errors=exc.errors, status=422)
    db.session.commit()
    return redirect(url_for("residents.admin", site_id=site_id), 303)
