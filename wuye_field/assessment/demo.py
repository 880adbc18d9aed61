"""The round's part of the demo's past: last month's round by inspector01, open for the site manager's signature."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from wuye_field.accounts.models import User
from wuye_field.assessment import entries, proposals, sheet
from wuye_field.assessment import round as round_service
from wuye_field.core.months import month_days, month_of, previous_month, site_today
from wuye_field.extensions import db
from wuye_field.places.models import Site
from wuye_field.sync.history import local, past_receipt, stable_key

INSPECTOR = "inspector01"
SHORT_OF_MAX = (2, 1.5, 2, 0.5, 1, 0)  # points below each item's maximum, in the sheet's order
ONSITE = ("greening", 1, "中心绿地有枯枝未清理")
REJECTED_BECAUSE = "已与甲方现场核实：当天全区停水，无法按时冲洗。"


def assessment_history(site: Site, days: int, now: datetime) -> None:
    """When the past covers last month's end: inspector01 walked the site on its last afternoon, scored every
    item a little under its maximum, took one on-site deduction, accepted the proposed deductions but the
    last (rejected with a reason) and signed; the site manager has not, so the month is still open."""
    inspector = db.session.scalar(select(User).where(User.staff_no == INSPECTOR))
    today = site_today(site.timezone, now)
    month = previous_month(month_of(today))
    last = month_days(month)[1]
    if inspector is None or site.id not in inspector.site_ids("inspector") or last < today - timedelta(days=days):
        return
    if entries.month_entries(site.id, month):
        return

    def add(n: int, **values) -> None:
        at = local(last, "15:00", site.timezone, minutes=2 * n)
        round_service.record(inspector, {"site_id": site.id, "month": month, **values},
                     past_receipt(stable_key(site.code, "assessment", month, n), at, now=now), now=at)

    moment = local(last, "15:00", site.timezone)
    n = 0
    for n, item in enumerate(sheet.sheet_at(site.id, moment).items):
        add(n, kind="score", item=item.code, points=str(max(0, item.max_points - SHORT_OF_MAX[n % len(SHORT_OF_MAX)])))
    add(n + 1, kind="onsite", item=ONSITE[0], points=str(ONSITE[1]), note=ONSITE[2])
    proposed = proposals.propose(site, month, now=moment)
    for i, proposal in enumerate(proposed):
        rejected = i == len(proposed) - 1 and len(proposed) > 1
        add(n + 2 + i, kind="reject" if rejected else "accept", proposal_key=proposal.key,
            note=REJECTED_BECAUSE if rejected else "")
    add(n + 2 + len(proposed), kind="sign", signer_role="inspector")
    db.session.commit()
