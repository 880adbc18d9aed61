"""Cleaning pages and field actions: 今日任务, check-offs and problem reports (through the outbox), the
supervisor's day and week views, spot checks, the admin set-up, and the CSV export."""
from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from wuye_field.accounts.decorators import role_required
from wuye_field.audit.settings_history import parse_effective_from
from wuye_field.cleaning import checkoff, reports, rules, setup
from wuye_field.cleaning.blueprint import bp
from wuye_field.cleaning.models import ACTIONS, FREQUENCY_LABELS, WEEKDAY_LABELS
from wuye_field.cleaning.today import today_for
from wuye_field.core.csv_export import csv_response, frozen_export
from wuye_field.core.months import export_days
from wuye_field.core.errors import DomainError, FieldErrors, NotFound
from wuye_field.core.htmx import is_htmx, render
from wuye_field.core.time import utcnow
from wuye_field.photos import links as photo_links
from wuye_field.extensions import db
from wuye_field.places.services import site_by_code_or_id
from wuye_field.sync.idempotency import current_receipt, idempotent_action

OVERSEERS = setup.OVERSEERS


def _photo_ids() -> list[str]:
    return photo_links.parse_photo_ids(request.form.get("photo_ids"), current_app.config["PHOTOS_PER_RECORD"])


def _int_arg(value) -> int:
    text = str(value or "")
    if not (text.isascii() and text.isdigit()):
        raise NotFound(_("任务不存在，或不在您的保洁区域。"))
    return int(text)


# ---------------------------------------------------------------- cleaner


@bp.get("/")
@login_required
@role_required("cleaner")
def today():
    """「今日任务」: my zone's tasks for today, overdue first, with done / total."""
    view = today_for(current_user, now=utcnow())
    return render("cleaning/today.html", "cleaning/_today.html", view=view)


@bp.post("/done")
@login_required
@idempotent_action
def check_off():
    """A task check-off (form: task_id, slot, method=scan|tap, photo_ids, note) → 201 JSON; replay → 200."""
    result = checkoff.record_checkoff(
        current_user, task_id=_int_arg(request.form.get("task_id")), slot=request.form.get("slot", ""),
        method=request.form.get("method", ""), photo_ids=_photo_ids(), note=request.form.get("note", ""),
        receipt=current_receipt(),
    )
    return {"status": "stored", "message": result.message, "checkoff": {
        "id": result.checkoff.id, "task_id": result.checkoff.task_id, "slot": result.checkoff.slot,
        "method": result.checkoff.method, "on_time": result.status == rules.ON_TIME,
        "pending_photos": result.pending_photos}}, 201


# ---------------------------------------------------------------- supervisor


def _site_and_day():
    """The overseen site (?site=, else the first) and local day (?date=, else today); 400 on a bad date."""
    sites = reports.overseen_sites(current_user)
    if not sites:
        raise NotFound(_("小区不存在，或您无权查看。"))
    site_id = request.args.get("site", type=int) or sites[0].id
    site = next((s for s in sites if s.id == site_id), None)
    if site is None:
        raise NotFound(_("小区不存在，或您无权查看。"))
    raw = request.args.get("date")
    if raw:
        try:
            day = date.fromisoformat(raw)
        except ValueError as exc:
            raise DomainError(_("日期格式应为 YYYY-MM-DD，例如 2026-11-01。"), code="bad_date") from exc
    else:
        day = rules.local_day(utcnow(), ZoneInfo(site.timezone))
    return sites, site, day


@bp.get("/report")
@login_required
@role_required(*OVERSEERS)
def day():
    """Per site and day: due, on time, late, missed; per area and per cleaner; still-missed long tasks."""
    sites, site, day_ = _site_and_day()
    report = reports.day_report(current_user, site.id, day_, now=utcnow())
    nav = {"prev": day_ - timedelta(days=1), "next": day_ + timedelta(days=1)}
    return render("cleaning/report_day.html", "cleaning/_report_day.html", report=report, sites=sites, nav=nav,
                  status_label=reports.status_label)


@bp.get("/report/week")
@login_required
@role_required(*OVERSEERS)
def week():
    """The Monday–Sunday week of ?date=: counts per day and per area."""
    sites, site, day_ = _site_and_day()
    report = reports.week_report(current_user, site.id, day_, now=utcnow())
    nav = {"prev": report.monday - timedelta(days=7), "next": report.monday + timedelta(days=7),
           "week_end": report.monday + timedelta(days=6)}
    return render("cleaning/report_week.html", "cleaning/_report_week.html", report=report, sites=sites, nav=nav,
                  weekday_labels=[str(d) for d in WEEKDAY_LABELS])


@bp.get("/spot/<int:place_id>")
@login_required
@role_required(*OVERSEERS)
def spot_form(place_id: int):
    """The spot-check (抽查) form of an area: pass / fail per task, a photo, re-clean on failure."""
    return render_template("cleaning/spot.html", form=checkoff.spot_form(current_user, place_id))


@bp.post("/spot/<int:place_id>")
@login_required
@idempotent_action
def spot_check(place_id: int):
    """A spot check (form: result_<task id>=pass|fail, reclean, note, photo_ids) → 201 JSON; replay → 200."""
    results = {}
    for name, value in request.form.items():
        if name.startswith("result_") and value in ("pass", "fail"):
            results[_int_arg(name.removeprefix("result_"))] = value == "pass"
    check, raised = checkoff.record_spot_check(
        current_user, place_id, results=results, reclean=request.form.get("reclean") == "1",
        photo_ids=_photo_ids(), note=request.form.get("note", ""), receipt=current_receipt())
    failed = sum(not item.passed for item in check.items)
    message = _("已记录抽查：%(n)d 项合格，%(m)d 项不合格", n=len(check.items) - failed, m=failed)
    if raised:
        message += _("，已安排 %(k)d 项返工", k=len(raised))
    return {"status": "stored", "message": message, "spot_check": {"id": check.id, "recleans": len(raised)}}, 201


def export_csv():
    """`GET /export/cleaning.csv?site=<code or id>&date_from=…&date_to=…` (or `&month=YYYY-MM`, default the
    current month): UTF-8 with BOM; 400 on bad dates."""
    site = site_by_code_or_id(current_user, request.args.get("site"), *OVERSEERS)
    first, last = export_days(request.args, site.timezone, utcnow())  # no dates: the current month
    text = frozen_export(site.id, "cleaning", first, last) or reports.export_csv(current_user, site.id, first, last,
                                                                                now=utcnow())
    return csv_response(text, f"cleaning-{site.code}-{first.isoformat()}-{last.isoformat()}.csv")


@bp.record_once
def _register_export(state) -> None:
    # The export lives at /export/… (outside this blueprint's prefix), under this blueprint's name.
    state.app.add_url_rule("/export/cleaning.csv", "cleaning.export_csv", login_required(export_csv))


# ---------------------------------------------------------------- admin (管理处)

TASK_FORM = ("title", "action", "kind", "every_n", "window_start", "window_end", "times", "month_day", "anchor",
             "done_before", "photo_required")


def _task_form() -> dict:
    values = {name: request.form.get(name, "") for name in TASK_FORM}
    values["weekdays"] = request.form.getlist("weekdays")
    return values


def _form_context(**extra) -> dict:
    return {"actions": [(k, str(label)) for k, (label, _icon) in ACTIONS.items()],
            "kinds": [(k, str(v)) for k, v in FREQUENCY_LABELS.items()],
            "weekday_labels": [str(d) for d in WEEKDAY_LABELS]} | extra


def _setup_page(site_id: int, partial: str, **context):
    return render("cleaning/admin_site.html", partial, setup=setup.site_setup(current_user, site_id), **context)


@bp.get("/admin/sites/<int:site_id>")
@login_required
@role_required("admin")
def admin_site(site_id: int):
    """A site's cleaning set-up: the standard set in one action, tasks per area, cleaners, settings."""
    return _setup_page(site_id, "cleaning/_admin_areas.html", errors={})


@bp.post("/admin/sites/<int:site_id>/standard")
@login_required
@role_required("admin")
def admin_apply_standard(site_id: int):
    """Apply the standard set (C1–C16) to every cleaning area of the site."""
    created = setup.apply_standard_set(current_user, site_id, now=utcnow())
    db.session.commit()
    message = _("已添加 %(n)d 项标准任务。", n=created) if created else _("标准任务都已存在，没有新增。")
    return _setup_page(site_id, "cleaning/_admin_areas.html", message=message, errors={})


@bp.post("/admin/sites/<int:site_id>/settings")
@login_required
@role_required("admin")
def admin_settings(site_id: int):
    """Save whether cleaners may tap without scanning, and the re-clean time."""
    try:
        setup.update_settings(current_user, site_id, allow_tap=request.form.get("allow_tap") == "1",
                                 reclean_hours=request.form.get("reclean_hours", ""))
    except FieldErrors as exc:
        return _setup_page(site_id, "cleaning/_admin_settings.html", errors=exc.errors,
                           values=request.form.to_dict())
    db.session.commit()
    return _setup_page(site_id, "cleaning/_admin_settings.html", errors={}, saved=True)


@bp.post("/admin/areas/<int:place_id>/cleaners")
@login_required
@role_required("admin")
def admin_assign(place_id: int):
    """Set the cleaners of an area (several allowed)."""
    ids = [int(v) for v in request.form.getlist("cleaners") if v.isascii() and v.isdigit()]
    errors = {}
    try:
        setup.assign_cleaners(current_user, place_id, ids)
        db.session.commit()
    except FieldErrors as exc:
        errors = exc.errors
    place = setup.admin_area(current_user, place_id)
    return _setup_page(place.site_id, "cleaning/_admin_areas.html", errors={place_id: errors} if errors else {},
                       message=None if errors else _("已保存「%(area)s」的保洁员。", area=place.name))


@bp.route("/admin/areas/<int:place_id>/tasks", methods=["GET", "POST"])
@login_required
@role_required("admin")
def admin_task_new(place_id: int):
    """Add a task to an area (GET: the empty form)."""
    place = setup.admin_area(current_user, place_id)
    if request.method == "POST":
        try:
            setup.create_task(current_user, place_id, _task_form(), now=utcnow())
        except FieldErrors as exc:
            return render("cleaning/admin_task.html", "cleaning/_task_form.html",
                          **_form_context(place=place, task=None, values=_task_form(), errors=exc.errors))
        db.session.commit()
        return _see_other(url_for("cleaning.admin_site", site_id=place.site_id))
    return render("cleaning/admin_task.html", "cleaning/_task_form.html",
                  **_form_context(place=place, task=None, values=setup.task_values(None), errors={}))


@bp.route("/admin/tasks/<int:task_id>", methods=["GET", "POST"])
@login_required
@role_required("admin")
def admin_task_edit(task_id: int):
    """Adjust a task template (htmx: the form re-renders with Chinese messages or 「已保存」)."""
    task = setup.admin_task(current_user, task_id)
    if request.method == "GET":
        values, errors, saved = setup.task_values(task), {}, False
    else:
        try:
            now = utcnow()
            start = parse_effective_from(request.form.get("effective_from"), task.place.site.timezone, now=now)
            setup.update_task(current_user, task_id, _task_form(), now=now, effective_from=start)
            db.session.commit()
            values, errors, saved = setup.task_values(task), {}, True
        except FieldErrors as exc:
            values, errors, saved = _task_form() | {"effective_from": request.form.get("effective_from", "")}, \
                exc.errors, False
    return render("cleaning/admin_task.html", "cleaning/_task_form.html",
                  **_form_context(place=task.place, task=task, values=values, errors=errors, saved=saved))


@bp.post("/admin/tasks/<int:task_id>/active")
@login_required
@role_required("admin")
def admin_task_active(task_id: int):
    """Stop or resume a task (never deleted)."""
    task = setup.set_task_active(current_user, task_id, request.form.get("active") == "1")
    db.session.commit()
    return _see_other(url_for("cleaning.admin_task_edit", task_id=task.id))


def _see_other(url: str):
    """After a successful POST: htmx follows `HX-Redirect`, a plain form gets a 303."""
    if is_htmx():
        response = current_app.response_class(status=204)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, code=303)
