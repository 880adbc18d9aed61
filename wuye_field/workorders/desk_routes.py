"""Desk, supervisor and admin pages of work orders (on the workorders blueprint): the desk board, raising an
order (/workorders/new, also from a defect), assign / return visit / cancel, 「我发起的」, the monthly report,
the resident-data access log, site settings and the CSV export."""
from __future__ import annotations

from flask import redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from wuye_field.accounts.decorators import role_required
from wuye_field.core.csv_export import csv_response
from wuye_field.core.database import writes_on_get
from wuye_field.core.errors import DomainError, FieldErrors, NotFound
from wuye_field.core.htmx import is_htmx, render, see_other
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.places.services import get_site
from wuye_field.workorders import desk, reports, residents, settings
from wuye_field.workorders.models import CATEGORIES, PRIORITIES
from wuye_field.workorders.blueprint import bp


def _int_arg(name: str) -> int | None:
    """An optional numeric query/form argument; NotFound (404) when present but not a number."""
    raw = (request.values.get(name) or "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 12):
        raise NotFound(_("页面不存在，或您无权查看。"))
    return int(raw)


def _form_status(error_status: int = 422) -> int:
    """htmx swaps only 2xx bodies: a refused form answers 200 to htmx, `error_status` to a plain post."""
    return 200 if is_htmx() else error_status


def _choices() -> dict:
    return {"categories": [(k, str(v)) for k, v in CATEGORIES.items()],
            "priorities": [(k, str(v)) for k, v in PRIORITIES.items()]}


# ---------------------------------------------------------------- desk board and 「我发起的」


@bp.get("/desk")
@login_required
@role_required(*desk.DESK_ROLES)
def desk_board():
    """The desk's live board of one site (?site=): new, about to breach, late, conflicts, to visit, load."""
    view = desk.board(current_user, _int_arg("site"), now=utcnow())
    can_report = view.site.id in current_user.site_ids(*reports.REPORT_ROLES)
    return render("workorders/desk.html", "workorders/_desk_board.html", board=view, can_report=can_report,
                  event_label=desk.event_label)


@bp.get("/mine-raised")
@login_required
def mine_raised():
    """「我发起的」(W6): the orders I raised, until they are closed."""
    rows = desk.mine_raised(current_user, now=utcnow())
    return render("workorders/desk_mine.html", "workorders/_desk_mine.html", rows=rows)


# ---------------------------------------------------------------- raising an order


def _new_page(form: desk.NewOrderForm, *, errors: dict, error: str = "", status: int = 200):
    return render("workorders/desk_new.html", "workorders/_desk_new_form.html", status, form=form, errors=errors,
                  error=error, **_choices())


@bp.get("/new")
@login_required
@role_required(*desk.DESK_ROLES)
def new():
    """The new-order form (?site=, or ?defect=<id> prefilled from a defect for 「转为工单」)."""
    form = desk.new_order_form(current_user, _int_arg("site"), _int_arg("defect"))
    return _new_page(form, errors={})


@bp.post("/new")
@login_required
@role_required(*desk.DESK_ROLES)
def desk_create():
    """Raise the order (form fields + client_uuid made when the form rendered; a double submit stores once)."""
    defect_id, site_id, values = _int_arg("defect_id"), _int_arg("site_id"), request.form.to_dict()
    key = request.form.get("client_uuid")
    try:
        order, _replayed = desk.raise_from_desk(current_user, site_id or 0, values, key=key, now=utcnow(),
                                                defect_id=defect_id)
    except NotFound:
        raise
    except FieldErrors as exc:
        db.session.rollback()
        form = desk.new_order_form(current_user, site_id, defect_id, values=values, key=key)
        return _new_page(form, errors=exc.errors, status=_form_status())
    except DomainError as exc:
        db.session.rollback()
        form = desk.new_order_form(current_user, site_id, defect_id, values=values, key=key)
        return _new_page(form, errors={}, error=exc.message, status=_form_status(exc.status))
    db.session.commit()
    return see_other(url_for("workorders.desk_order", order_id=order.id, raised=1))


# ---------------------------------------------------------------- one order at the desk


def _order_page(order_id: int, *, errors: dict | None = None, message: str = "", error: str = "",
                status: int = 200):
    """The order panel; a supervisor's view of the resident is logged and committed here (H6)."""
    panel = desk.order_panel(current_user, order_id, now=utcnow())
    response = render("workorders/desk_order.html", "workorders/_desk_order.html", status, panel=panel,
                      errors=errors or {}, message=message, error=error, new_key=desk.new_form_key(),
                      event_label=desk.event_label, verdicts=desk.VERDICTS)
    response.headers["Cache-Control"] = "no-store"  # resident data (R17)
    db.session.commit()
    return response


@bp.get("/desk/orders/<int:order_id>")
@login_required
@role_required(*desk.DESK_ROLES)
@writes_on_get  # the resident access log (H6)
def desk_order(order_id: int):
    """One order at the desk: clocks, resident, history; assign, return visit, cancel."""
    message = _("已发起工单。") if request.args.get("raised") else ""
    return _order_page(order_id, message=message)


def _desk_action(order_id: int, run, done_message: str):
    """Run one desk action; answer with the order panel (htmx) or a 303 to it, errors re-render the panel."""
    try:
        _order, replayed = run(utcnow())
    except NotFound:
        raise
    except FieldErrors as exc:
        db.session.rollback()
        return _order_page(order_id, errors=exc.errors, status=_form_status())
    except DomainError as exc:
        db.session.rollback()
        return _order_page(order_id, error=exc.message, status=_form_status(exc.status))
    db.session.commit()
    if not is_htmx():
        return redirect(url_for("workorders.desk_order", order_id=order_id), code=303)
    return _order_page(order_id, message=_("已处理过，没有重复保存。") if replayed else done_message)


@bp.post("/desk/orders/<int:order_id>/assign")
@login_required
@role_required(*desk.DESK_ROLES)
def desk_assign(order_id: int):
    """Assign or reassign (form: assignee_id, reason, client_uuid)."""
    form = request.form
    return _desk_action(order_id, lambda now: desk.assign_order(
        current_user, order_id, form.get("assignee_id"), reason=form.get("reason", ""), key=form.get("client_uuid"),
        now=now), _("已派单。"))


@bp.post("/desk/orders/<int:order_id>/visit")
@login_required
@role_required(*desk.DESK_ROLES)
def desk_visit(order_id: int):
    """Record the return visit (form: verdict satisfied|not_satisfied, note, client_uuid)."""
    form = request.form
    return _desk_action(order_id, lambda now: desk.record_return_visit(
        current_user, order_id, form.get("verdict", ""), form.get("note", ""), key=form.get("client_uuid"), now=now),
        _("已记录回访。"))


@bp.post("/desk/orders/<int:order_id>/cancel")
@login_required
@role_required(*desk.DESK_ROLES)
def desk_cancel(order_id: int):
    """Cancel the order (form: reason, client_uuid)."""
    form = request.form
    return _desk_action(order_id, lambda now: desk.cancel_order(
        current_user, order_id, form.get("reason", ""), key=form.get("client_uuid"), now=now), _("已取消工单。"))


# ---------------------------------------------------------------- supervisors: report, access log, export


@bp.get("/report")
@login_required
@role_required(*reports.REPORT_ROLES)
def report():
    """The monthly SLA figures of a site (?site=&month=YYYY-MM)."""
    sites = reports.report_sites(current_user)
    site_id = _int_arg("site") or (sites[0].id if sites else 0)
    view = reports.monthly_report(current_user, site_id, request.args.get("month"), now=utcnow())
    return render("workorders/report.html", "workorders/_report.html", report=view, sites=sites,
                  target=view.return_visit_target)


@bp.get("/resident-access")
@login_required
@role_required(*residents.LOG_READER_ROLES)
def resident_access():
    """Who saw which resident's full details (H6), per site (?site=)."""
    site_ids = sorted(current_user.site_ids(*residents.LOG_READER_ROLES))
    site_id = _int_arg("site") or site_ids[0]
    entries = residents.access_log(current_user, site_id)
    return render("workorders/residents_access.html", "workorders/_residents_access.html",
                  rows=residents.access_rows(entries), site=get_site(current_user, site_id))


def export_csv():
    """`GET /export/workorders.csv?site=<code>&date_from=…&date_to=…` (or `&month=`, default the
    current month): UTF-8 with BOM, site time, phones masked."""
    site, first, last, text = reports.export_csv(current_user, request.args.get("site"), request.args.get("date_from"),
                                                 request.args.get("date_to"), now=utcnow(),
                                                 raw_month=request.args.get("month"))
    return csv_response(text, f"workorders-{site.code}-{first.isoformat()}-{last.isoformat()}.csv")


@bp.record_once
def _register_export(state) -> None:
    # The export lives at /export/… (outside this blueprint's prefix), under this blueprint's name.
    state.app.add_url_rule("/export/workorders.csv", "workorders.export_csv",
                           login_required(role_required(*reports.REPORT_ROLES)(export_csv)))


# ---------------------------------------------------------------- admins: settings


def _settings_page(site_id: int, *, errors: dict | None = None, saved: str = "", values: dict | None = None,
                   status: int = 200):
    view = settings.settings_view(current_user, site_id)
    return render("workorders/settings.html", "workorders/_settings.html", status, view=view, errors=errors or {},
                  saved=saved, values=values or {}, categories=CATEGORIES)


def _settings_site() -> int:
    site_id = _int_arg("site")
    if site_id is None:
        ids = sorted(current_user.site_ids(*settings.ADMIN_ROLES))
        site_id = ids[0] if ids else 0
    return site_id


@bp.get("/settings")
@login_required
@role_required(*settings.ADMIN_ROLES)
def settings_page():
    """A site's work-order settings (?site=): SLA minutes, grabbing, signature, trades, price list."""
    return _settings_page(_settings_site())


def _settings_change(change, saved: str):
    site_id = _settings_site()
    try:
        change(site_id)
    except FieldErrors as exc:
        db.session.rollback()
        return _settings_page(site_id, errors=exc.errors, values=request.form.to_dict(), status=_form_status())
    db.session.commit()
    if not is_htmx():
        return redirect(url_for("workorders.settings_page", site=site_id), code=303)
    return _settings_page(site_id, saved=saved)


@bp.post("/settings/sla")
@login_required
@role_required(*settings.ADMIN_ROLES)
def settings_sla():
    """Save the SLA minutes per priority (form: <priority>_arrive, <priority>_finish)."""
    return _settings_change(lambda site_id: settings.update_sla(current_user, site_id, request.form, now=utcnow()),
                            _("时限已保存。"))


@bp.post("/settings/switches")
@login_required
@role_required(*settings.ADMIN_ROLES)
def settings_switches():
    """Save grabbing and signature switches (form: allow_grab=1, require_signature=1)."""
    return _settings_change(lambda site_id: settings.update_switches(
        current_user, site_id, allow_grab=request.form.get("allow_grab") == "1",
        require_signature=request.form.get("require_signature") == "1", now=utcnow()), _("设置已保存。"))


@bp.post("/settings/trades/<int:user_id>")
@login_required
@role_required(*settings.ADMIN_ROLES)
def settings_trades(user_id: int):
    """Set a technician's trades (form: categories, repeated)."""
    return _settings_change(lambda site_id: settings.set_trades(
        current_user, site_id, user_id, request.form.getlist("categories"), now=utcnow()), _("工种已保存。"))


@bp.post("/settings/prices")
@login_required
@role_required(*settings.ADMIN_ROLES)
def settings_add_price():
    """Publish a price item (form: name, unit, price in 元)."""
    form = request.form
    return _settings_change(lambda site_id: settings.add_price_item(
        current_user, site_id, name=form.get("name", ""), unit=form.get("unit", ""), price=form.get("price", ""),
        now=utcnow()), _("价目已添加。"))


@bp.post("/settings/prices/<int:item_id>/active")
@login_required
@role_required(*settings.ADMIN_ROLES)
def settings_price_active(item_id: int):
    """Withdraw (active=0) or re-publish (active=1) a price item."""
    return _settings_change(lambda site_id: settings.set_price_active(
        current_user, item_id, request.form.get("active") == "1", now=utcnow()), _("价目已更新。"))
