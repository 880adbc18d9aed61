"""The handover CSV export for supervisors: /export/handovers.csv, one row per due shift (H1)."""
from __future__ import annotations

from flask import request
from flask_login import current_user, login_required

from wuye_field.accounts.decorators import role_required
from wuye_field.core.csv_export import csv_response, csv_text, frozen_export
from wuye_field.core.months import export_days
from wuye_field.core.time import utcnow
from wuye_field.handover import month
from wuye_field.handover.blueprint import bp
from wuye_field.places.services import site_by_code_or_id

OVERSEERS = ("supervisor", "admin")


def export_handovers():
    """`GET /export/handovers.csv?site=<code>&month=YYYY-MM` (or dates; default the current month)."""
    site = site_by_code_or_id(current_user, request.args.get("site"), *OVERSEERS)
    now = utcnow()
    first, last = export_days(request.args, site.timezone, now)
    text = frozen_export(site.id, "handovers", first, last)  # a closed month: the file frozen with it
    if text is None:
        text = csv_text(*month.export_rows(site, first, last, now=now))
    return csv_response(text, f"handovers-{site.code}-{first.isoformat()}-{last.isoformat()}.csv")


@bp.record_once
def _register_export(state) -> None:
    # The export lives at /export/… (outside this blueprint's prefix), under this blueprint's name.
    state.app.add_url_rule("/export/handovers.csv", "handover.export_handovers",
                           login_required(role_required(*OVERSEERS)(export_handovers)))
