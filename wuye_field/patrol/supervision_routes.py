"""Supervisor pages of patrol (board, windows grid, compliance, anomalies), the 补巡 field action and
the scans / inspections CSV exports. Attached to the patrol blueprint (imported at the end of routes.py)."""
from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from flask import request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from wuye_field.accounts.decorators import role_required
from wuye_field.core.csv_export import csv_response, csv_text, frozen_export, parse_date, parse_date_range
from wuye_field.core.months import export_days, month_days, month_of, parse_month
from wuye_field.core.errors import DomainError, NotFound
from wuye_field.core.htmx import render
from wuye_field.core.time import utcnow
from wuye_field.core.registry import Section
from wuye_field.patrol import compliance as rules
from wuye_field.patrol import exports, makeups, month, supervision
from wuye_field.patrol.blueprint import bp
from wuye_field.sync.idempotency import current_receipt, idempotent_action

OVERSEERS = supervision.OVERSEERS


def supervisor_section(user) -> Section | None:
    """Supervisors and admins: key areas overdue or due soon on their sites, with a link to the board."""
    if not user.has_role(*OVERSEERS):
        return None
    sites = supervision.overseen_sites(user)
    if not sites:
        return None
    return Section("patrol/_home_supervisor.html",
                   {"attention": supervision.attention(user, now=utcnow()), "sites": sites}, order=15)


def _site_arg() -> int | None:
    raw = request.args.get("site", "")
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()):
        raise NotFound(_("小区不存在，或您无权查看。"))
    return int(raw)


def _day_arg(site) -> date:
    """?date= (YYYY-MM-DD), else today in the site's zone; 400 (Chinese) when malformed."""
    raw = request.args.get("date")
    if not raw:
        return rules.local_day(utcnow(), ZoneInfo(site.timezone))
    day = parse_date(raw)
    if day is None:
        raise DomainError(_("日期格式应为 YYYY-MM-DD，例如 2026-11-01。"), code="bad_date")
    return day


@bp.get("/board")
@login_required
@role_required(*OVERSEERS)
def board():
    """The live board of a site's key areas (the partial polls every 60 s)."""
    sites, view = supervision.board(current_user, _site_arg(), now=utcnow())
    return render("patrol/board.html", "patrol/_board.html", sites=sites, board=view)


@bp.get("/compliance/grid")
@login_required
@role_required(*OVERSEERS)
def grid():
    """A day's windows per key area, grouped by building, with shift dividers."""
    sites, site = supervision.overseen_site(current_user, _site_arg())
    day = _day_arg(site)
    sites, view = supervision.grid(current_user, site.id, day, now=utcnow())
    nav = {"prev": day - timedelta(days=1), "next": day + timedelta(days=1)}
    return render("patrol/compliance_grid.html", "patrol/_compliance_grid.html", sites=sites, grid=view, nav=nav)


@bp.get("/compliance")
@login_required
@role_required(*OVERSEERS)
def compliance():
    """Daily (?period=day), weekly (?period=week) or monthly (?period=month, or ?month=YYYY-MM) compliance
    per key area and per guard."""
    sites, site = supervision.overseen_site(current_user, _site_arg())
    day = _day_arg(site)
    period = request.args.get("period") if request.args.get("period") in ("week", "month") else "day"
    if request.args.get("month"):
        period, day = "month", month_days(parse_month(request.args.get("month"), today=day))[0]
    first, last = {"week": supervision.week_of(day), "month": month_days(month_of(day))}.get(period, (day, day))
    now = utcnow()
    sites, report = supervision.compliance_report(current_user, site.id, first, last, now=now)
    step = timedelta(days=7 if period == "week" else 1)
    nav = {"prev": first - step, "next": last + timedelta(days=1) if period == "month" else first + step,
           "period": period}
    # No window has ended yet: the page says what the board says now instead of 「0 / 0」.
    board = supervision.site_board(report.site, now=now) if not report.total.counted else None
    return render("patrol/compliance.html", "patrol/_compliance.html", sites=sites, report=report, nav=nav,
                  board=board)


@bp.get("/anomalies")
@login_required
@role_required(*OVERSEERS)
def anomalies():
    """Anomalies of the last 7 local days (or ?date_from=&date_to=) for review."""
    sites, site = supervision.overseen_site(current_user, _site_arg())
    if request.args.get("date_from") or request.args.get("date_to"):
        first, last = parse_date_range(request.args.get("date_from"), request.args.get("date_to"), max_days=31)
    else:
        last = rules.local_day(utcnow(), ZoneInfo(site.timezone))
        first = last - timedelta(days=6)
    sites, site, found = supervision.anomalies(current_user, site.id, first, last)
    return render("patrol/anomalies.html", "patrol/_anomalies.html", sites=sites, site=site, found=found,
                  first=first, last=last)


@bp.get("/makeups/new")
@login_required
@role_required(*makeups.MAKEUP_ROLES)
def makeup_form():
    """The 补巡 form for one window of a key area (?place=&window=<UTC ISO start>)."""
    place_id = request.args.get("place", "")
    if not (place_id.isascii() and place_id.isdigit()):
        raise NotFound(_("地点不存在，或您无权查看。"))
    place = makeups.makeup_place(current_user, int(place_id))
    window, state = makeups.makeup_window(place, request.args.get("window"), now=utcnow())
    back = url_for("patrol.grid", site=place.site_id, date=window.local_start.date().isoformat())
    return render("patrol/compliance_makeup.html", "patrol/_compliance_makeup.html", place=place, window=window,
                  state_label=supervision.state_label(state), back=back)


@bp.post("/makeups")
@login_required
@idempotent_action
def record_makeup():
    """A 补巡 (form: place_id, window_start, reason) → 201 JSON; replay → 200."""
    place_id = request.form.get("place_id", "")
    if not (place_id.isascii() and place_id.isdigit()):
        raise NotFound(_("地点不存在，或您无权查看。"))
    makeup = makeups.record_makeup(
        current_user, int(place_id), request.form.get("window_start"), request.form.get("reason"),
        current_receipt())
    return {"status": "stored", "message": makeups.makeup_message(makeup),
            "makeup": {"id": makeup.id, "place_id": makeup.place_id,
                       "window_start": makeup.window_start.isoformat()}}, 201


# ---------------------------------------------------------------- exports (/export/…, supervisors only)


def _export(kind: str, rows_of):
    site = supervision.site_by_code(current_user, request.args.get("site"))
    first, last = export_days(request.args, site.timezone, utcnow())  # no dates: the current month
    text = frozen_export(site.id, kind, first, last)  # a closed month: the file frozen with it
    if text is None:
        text = csv_text(*rows_of(site, first, last))
    return csv_response(text, f"{kind}-{site.code}-{first.isoformat()}-{last.isoformat()}.csv")


def export_scans():
    """`GET /export/scans.csv?site=<code>&date_from=&date_to=`: UTF-8 with BOM, times in the site's zone."""
    return _export("scans", exports.scans_rows)


def export_inspections():
    """`GET /export/inspections.csv?site=<code>&date_from=&date_to=`: one row per inspection."""
    return _export("inspections", exports.inspections_rows)


def export_windows():
    """`GET /export/windows.csv?site=<code>&month=YYYY-MM` (or dates): one row per counted key-area window
    (P2) with its state and the guard credited — the rows the month figures count."""
    return _export("windows", lambda site, first, last: month.window_rows(site, first, last, now=utcnow()))


def export_makeups():
    """`GET /export/makeups.csv?site=<code>&month=YYYY-MM` (or dates): every 补巡 naming a window then."""
    return _export("makeups", month.makeup_rows)


@bp.record_once
def _register_exports(state) -> None:
    # The exports live at /export/… (outside this blueprint's prefix), under this blueprint's name.
    guard = role_required(*OVERSEERS)
    state.app.add_url_rule("/export/scans.csv", "patrol.export_scans", login_required(guard(export_scans)))
    state.app.add_url_rule("/export/inspections.csv", "patrol.export_inspections",
                           login_required(guard(export_inspections)))
    state.app.add_url_rule("/export/windows.csv", "patrol.export_windows", login_required(guard(export_windows)))
    state.app.add_url_rule("/export/makeups.csv", "patrol.export_makeups", login_required(guard(export_makeups)))
