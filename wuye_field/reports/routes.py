"""The month page (every duty of a site-month, with its charts and exports) and the close button."""
from __future__ import annotations

from flask import redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from wuye_field.accounts.decorators import role_required
from wuye_field.core.errors import NotFound
from wuye_field.core.htmx import render
from wuye_field.core.months import next_month, parse_month, previous_month, site_today
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.reports import close, pages
from wuye_field.reports.blueprint import bp


def _site_id(raw: str | None) -> int | None:
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()):
        raise NotFound(_("小区不存在，或您无权查看。"))
    return int(raw)


@bp.get("/month")
@login_required
@role_required(*pages.READERS)
def month():
    """A site-month (?site=&month=YYYY-MM, default the current month): every duty's figures."""
    now = utcnow()
    site = pages.readable_site(current_user, _site_id(request.args.get("site")))
    label = parse_month(request.args.get("month"), today=site_today(site.timezone, now))
    report = close.month_report(site, label, now=now)
    return render("reports/month.html", "reports/_month.html", site=site, report=report,
                  sites=pages.readable_sites(current_user), charts=pages.month_charts(site, report),
                  can_close=close.can_close(current_user, site, label, now),
                  nav={"prev": previous_month(label), "next": next_month(label)})


@bp.post("/month/close")
@login_required
@role_required(*close.CLOSERS)
def close_month():
    """The close button (form: site, month): a supervisor of the site, after the month has ended."""
    now = utcnow()
    site = pages.readable_site(current_user, _site_id(request.form.get("site")))
    label = parse_month(request.form.get("month"), today=site_today(site.timezone, now))
    close.close_month(site, label, actor=current_user, now=now)
    db.session.commit()
    return redirect(url_for("reports.month", site=site.id, month=label), code=303)
