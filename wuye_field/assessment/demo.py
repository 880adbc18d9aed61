"""The assessment's part of the demo's past: a few complaints taken at the desk over the weeks (each a valid
complaint the month's assessment proposes, A3), one answered only the next day (W5); then last month's round by
inspector01, open for the site manager's signature. The round comes last: it reads the proposals the others'
records make."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from wuye_field.accounts.models import User
from wuye_field.assessment import entries, proposals, sheet
from wuye_field.assessment import round as round_service
from wuye_field.core.months import month_days, month_of, previous_month, site_today
from wuye_field.extensions import db
from wuye_field.incidents import complaints
from wuye_field.incidents.models import Complaint
from wuye_field.places.models import Site
from wuye_field.sync.history import history_days, local, past_receipt, stable_key


DAYS = (3, 12, 21, 26, 27)  # days of the month with a complaint: the past's last month always has the 27th
LATE_DAY = 26  # the complaint of the 26th is answered only the next morning (W5 missed)
TEXTS = [("cleaning", "3栋 大堂地面连续两天没拖，有积水"), ("noise", "2栋 楼下晚上施工噪音大"),
         ("parking", "车库B1层有车长期占用消防通道"), ("repair", "1栋 电梯按钮失灵报修三天无人处理")]


def complaints_history(site: Site, days: int, now: datetime) -> None:
    desk = db.session.scalar(select(User).where(User.staff_no == "desk01"))
    if desk is None:
        return
    made = 0
    for day in history_days(site.timezone, days, now):
        if day.day not in DAYS or local(day, "16:00", site.timezone) > now:
            continue
        key = stable_key(site.code, "complaint", day.isoformat())
        if db.session.scalar(select(Complaint.id).where(Complaint.client_uuid == key)) is not None:
            continue
        category, what = TEXTS[made % len(TEXTS)]
        made += 1
        at = local(day, "10:00", site.timezone)
        complaint = complaints.raise_complaint(desk, {"site_id": site.id, "channel": "call", "category": category,
                                                      "who": "住户", "what": what}, past_receipt(key, at, now=now))
        late = day.day == LATE_DAY
        answered = local(day, "09:30" if late else "15:00", site.timezone, minutes=24 * 60 if late else 0)
        if answered > now:
            continue
        complaints.add_step(desk, complaint.id, "answer", "已联系住户，安排处理", now=answered)
        complaints.add_step(desk, complaint.id, "result", "已处理完毕", now=answered)


INSPECTOR = "inspector01"
SHORT_OF_MAX = (2, 1.5, 2, 0.5, 1, 0)  # points below each item's maximum, in the sheet's order
ONSITE = ("greening", 1, "中心绿地有枯枝未清理")
REJECTED_BECAUSE = "已与甲方现场核实：当天全区停水，无法按时冲洗。"


def round_history(site: Site, days: int, now: datetime) -> None:
    """When the past covers last month's end: inspector01 walked the site on its last afternoon, scored every
    item a little under its maximum, took one on-site deduction, accepted the proposed deductions but one
    of cleaning's (rejected with a reason) and signed; the site manager has not, so the month is still open."""
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
    cleaning = [i for i, proposal in enumerate(proposed) if proposal.key.startswith("C.")]  # the reason's subject
    rejected_at = cleaning[0] if cleaning else len(proposed) - 1
    for i, proposal in enumerate(proposed):
        rejected = i == rejected_at and len(proposed) > 1
        add(n + 2 + i, kind="reject" if rejected else "accept", proposal_key=proposal.key,
            note=REJECTED_BECAUSE if rejected else "")
    add(n + 2 + len(proposed), kind="sign", signer_role="inspector")
    db.session.commit()


def assessment_history(site: Site, days: int, now: datetime) -> None:
    complaints_history(site, days, now)
    round_history(site, days, now)
