"""The assessment's part of the demo's past: a few complaints taken at the desk over the weeks (each a valid
complaint the month's assessment proposes, A3), one of them answered only the next day (W5), so last
month's assessment shows complaint deductions with their records beside the other duties'."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from wuye_field.accounts.models import User
from wuye_field.extensions import db
from wuye_field.incidents import complaints
from wuye_field.incidents.models import Complaint
from wuye_field.places.models import Site
from wuye_field.sync.history import history_days, local, past_receipt, stable_key

DAYS = (3, 12, 21, 26, 27)  # days of the month with a complaint: the past's last month always has the 27th
LATE_DAY = 26  # the complaint of the 26th is answered only the next morning (W5 missed)
TEXTS = [("cleaning", "3栋 大堂地面连续两天没拖，有积水"), ("noise", "2栋 楼下晚上施工噪音大"),
         ("parking", "车库B1层有车长期占用消防通道"), ("repair", "1栋 电梯按钮失灵报修三天无人处理")]


def assessment_history(site: Site, days: int, now: datetime) -> None:
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
