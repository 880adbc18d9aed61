"""Defects: report (through the outbox), lists, the defect page, resolving, and the CSV export.

The photo upload and photo files are `photos.routes`, added to this blueprint by `defects.views`."""
from __future__ import annotations


from flask import current_app, jsonify, redirect, request, url_for
from flask_login import current_user, login_required

from wuye_field.accounts.decorators import role_required
from wuye_field.core.csv_export import csv_response, parse_date_range
from wuye_field.core.htmx import is_htmx, render, see_other
from wuye_field.core.time import utcnow
from wuye_field.defects import records
from wuye_field.defects.blueprint import bp
from wuye_field.extensions import db
from wuye_field.photos import links as photo_links
from wuye_field.places.services import places_for_user, sites_for
from wuye_field.sync.idempotency import current_receipt, idempotent_action
from wuye_field.sync.receipt import Receipt

# ---------------------------------------------------------------- defects (隐患/缺陷)


def _optional_int(name: str) -> int | None:
    return records.parse_optional_id(request.form.get(name))


@bp.post("/defects")
@login_required
@idempotent_action
def record():
    """A defect (form: place_id or site_id + location, category, severity, note, photo_ids, inspection_id,
    round_id) → 201 JSON; a replay → 200 with the stored answer."""
    view = records.record_defect(
        current_user, place_id=_optional_int("place_id"), site_id=_optional_int("site_id"),
        location=request.form.get("location"), category=request.form.get("category", ""),
        severity=request.form.get("severity", ""), note=request.form.get("note"),
        photo_ids=photo_links.parse_photo_ids(request.form.get("photo_ids"), current_app.config["PHOTOS_PER_RECORD"]),
        inspection_id=_optional_int("inspection_id"), round_id=_optional_int("round_id"),
        receipt=current_receipt(),
    )
    return jsonify(status="stored", message=view.message, defect=view.as_json()), 201


@bp.get("/defects/new")
@login_required
def new():
    """「报告问题」 anywhere: a place of the user's sites or a typed location (opens offline)."""
    return render("defects/new.html", "defects/_new_form.html", sites=sites_for(current_user),
                  places=places_for_user(current_user), categories=records.category_options(),
                  severities=records.severity_options(), note_max=records.NOTE_MAX)


@bp.get("/defects")
@login_required
def index():
    """A site's open (?state=closed: closed) defects for supervisors, admins and the desk; others → mine."""
    if not current_user.has_role(*records.OVERSEERS):
        return redirect(url_for("defects.mine"))
    listing = records.site_list(current_user, request.args.get("site", type=int), request.args.get("state", ""),
                                now=utcnow())
    return render("defects/index.html", "defects/_list.html", listing=listing, rows=listing.rows)


@bp.get("/defects/mine")
@login_required
def mine():
    """「我报告的问题」: the defects the user reported, open and closed."""
    rows = records.my_defects(current_user, now=utcnow())
    return render("defects/mine.html", "defects/_list.html", rows=rows)


@bp.get("/defects/<int:defect_id>")
@login_required
def show(defect_id: int):
    """A defect with its photos and its resolution (and the resolve form for a supervisor)."""
    return _detail_page(defect_id, errors={}, values={})


def _detail_page(defect_id: int, *, errors: dict, values: dict, status: int = 200):
    detail = records.defect_detail(current_user, defect_id, now=utcnow())
    can_order = detail.can_raise_order and "workorders.new" in current_app.view_functions
    return render("defects/show.html", "defects/_resolution.html", status, detail=detail, row=detail.row,
                  can_order=can_order, errors=errors, values=values, note_max=records.NOTE_MAX)


@bp.post("/defects/<int:defect_id>/resolve")
@login_required
@role_required(*records.RESOLVERS)
def resolve(defect_id: int):
    """A supervisor closes the defect with a note (htmx form with CSRF); errors re-render the form."""
    now = utcnow()
    note = request.form.get("note", "")
    try:
        records.resolve_defect(current_user, defect_id, Receipt.server(now), outcome="resolved", note=note)
    except records.DefectRefused as exc:
        db.session.rollback()
        return _detail_page(defect_id, errors={"note": exc.message}, values={"note": note},
                            status=200 if is_htmx() else 422)
    db.session.commit()
    return see_other(url_for("defects.show", defect_id=defect_id))


def export_csv():
    """`GET /export/defects.csv?site=<code>&date_from=…&date_to=…`: UTF-8 with BOM, site time; 400 on bad dates."""
    first, last = parse_date_range(request.args.get("date_from"), request.args.get("date_to"))
    site = records.exported_site(current_user, request.args.get("site"))
    text = records.export_csv(site, first, last)
    return csv_response(text, f"defects-{site.code}-{first.isoformat()}-{last.isoformat()}.csv")


bp.add_url_rule("/export/defects.csv", "export_csv", login_required(role_required(*records.EXPORTERS)(export_csv)))
