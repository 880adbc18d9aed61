"""What scheduled checks tell people at once (issue 16's source "a check plan overdue", P7), through the one
alert service: when a plan's current window has passed its done-by time with pieces still unchecked, the
site's supervisors get one alert per plan and window (run periodically by the alerts sender and
`wuye alerts-send`, like the work-order clocks)."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from wuye_field.alerts import services as alerts
from wuye_field.checks.board import board
from wuye_field.checks.models import CheckPlan
from wuye_field.extensions import db
from wuye_field.places.models import Site

RECIPIENT_ROLES = ("supervisor",)


def check_overdue(now: datetime) -> int:
    """Alert each overdue plan once per window; returns how many alerts were raised."""
    raised = 0
    site_ids = set(db.session.scalars(select(CheckPlan.site_id).where(CheckPlan.active.is_(True)).distinct()))
    for site in db.session.scalars(select(Site).where(Site.id.in_(site_ids))):
        people = alerts.site_people(site.id, RECIPIENT_ROLES)
        for line in board(site, now=now).lines:
            if not line.counts.overdue or line.window is None:
                continue
            text = _("检查计划超期：%(plan)s，%(count)s 件设备未检查", plan=line.plan.name, count=line.counts.overdue)
            key = f"check_plan:{line.plan.id}:{line.window.start.isoformat()}"
            if alerts.raise_alert("check_overdue", site.id, people, text, dedupe_key=key, now=now,
                                  source=("check_plan", line.plan.id)):
                raised += 1
    return raised
