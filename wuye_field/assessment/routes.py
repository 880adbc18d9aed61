"""The month's result (and its PDF), a proposal's evidence, the scoring sheet and rectification orders."""
from __future__ import annotations

from flask import Response, redirect, request, url_for
from flask_login import current_user, login_required

from wuye_field.accounts.decorators import role_required
from wuye_field.assessment import pages, rectify, sheet
from wuye_field.assessment.blueprint import bp
from wuye_field.audit.settings_history import parse_effective_from
from wuye_field.core.errors import FieldErrors
from wuye_field.core.htmx import render
from wuye_field.core.time import utcnow
from wuye_field.extensions import db


@bp.get("/month")
@login_required
@role_required(*pages.READERS)
def month():
    """A site-month's score (?site=&month=YYYY-MM, default the current month)."""
    return render("assessment/month.html", "assessment/_month.html",
                  **pages.month_page(current_user, request.args.get("site"), request.args.get("month"), now=utcnow()))


@bp.get("/month.pdf")
@login_required
@role_required(*pages.READERS)
def month_pdf():
    data, filename = pages.month_pdf(current_user, request.args.get("site"), request.args.get("month"), now=utcnow())
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})


@bp.get("/evidence")
@login_required
@role_required(*pages.READERS)
def evidence():
    """The records behind one proposed deduction (?site=&month=&key=)."""
    return render("assessment/evidence.html", "assessment/_evidence.html",
                  **pages.evidence_page(current_user, request.args.get("site"), request.args.get("month"),
                                        request.args.get("key"), now=utcnow()))


@bp.route("/sheet", methods=["GET", "POST"])
@login_required
@role_required(*rectify.EDITORS)
def edit_sheet():
    """The site's scoring sheet (?site=): maxima, points per record, rules on or off, from a start time."""
    now = utcnow()
    site = pages.site_for(current_user, request.values.get("site"), rectify.EDITORS)
    errors, saved = {}, False
    if request.method == "POST":
        try:
            start = parse_effective_from(request.form.get("effective_from"), site.timezone, now=now)
            sheet.save_sheet(current_user, site.id, sheet.edited_sheet(sheet.sheet_at(site.id, start or now),
                                                                      request.form), now=now, effective_from=start)
            db.session.commit()
            saved = True
        except FieldErrors as exc:
            errors = exc.errors
    return render("assessment/sheet.html", "assessment/_sheet.html",
                  **pages.sheet_page(current_user, site, now=now), errors=errors, saved=saved,
                  values=request.form if errors else {})


@bp.get("/rectification")
@login_required
@role_required(*pages.READERS)
def rectification():
    site = pages.site_for(current_user, request.args.get("site"), pages.READERS)
    return render("assessment/rectification.html", "assessment/_rectification.html", site=site,
                  orders=rectify.orders(site.id), can_edit=site.id in current_user.site_ids(*rectify.EDITORS),
                  sites=pages.sites(current_user), errors={})


@bp.post("/rectification/<int:order_id>/done")
@login_required
@role_required(*rectify.EDITORS)
def rectification_done(order_id: int):
    order = rectify.mark_done(current_user, order_id, request.form.get("note", ""), now=utcnow())
    db.session.commit()
    return redirect(url_for("assessment.rectification", site=order.site_id), code=303)
