"""What work orders tell people at once (issue 16), through the one alert service:

- a new emergency order: the grab pool (technicians of its trade, when the site lets them grab); once
  assigned, the assignee (W1: on site within the hour);
- a clock about to run out (amber, 15 min before, `sla.AMBER_BEFORE`) and run out (red): the assignee and
  the site's desk. Checked periodically (`check_clocks`, run by the alerts sender and `wuye alerts-send`);
  each clock state alerts once per order and reopen, and never while the order is on hold.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from wuye_field.alerts import services as alerts
from wuye_field.extensions import db
from wuye_field.workorders import sla
from wuye_field.workorders.models import CATEGORIES, OPEN_STATES, TechnicianTrade, WorkOrder
from wuye_field.workorders.queries import settings_for

CLOCK_NAMES = {"arrive": "到场", "finish": "完成"}


def _label(order: WorkOrder) -> str:
    return f"{order.number} {CATEGORIES.get(order.category, order.category)}：{order.description[:40]}"


def grab_pool(order: WorkOrder) -> set[int]:
    if not settings_for(order.site_id).allow_grab:
        return set()
    trades = set(db.session.scalars(select(TechnicianTrade.user_id).where(
        TechnicianTrade.site_id == order.site_id, TechnicianTrade.category == order.category)))
    return trades & alerts.site_people(order.site_id, ("technician",))


def emergency_raised(order: WorkOrder, *, now: datetime) -> None:
    if order.priority != "emergency":
        return
    alerts.raise_alert("emergency_order", order.site_id, grab_pool(order),
                       _("紧急工单待抢：%(order)s", order=_label(order)),
                       dedupe_key=f"order:{order.id}:emergency:pool", now=now, source=("work_order", order.id))


def emergency_assigned(order: WorkOrder, *, now: datetime) -> None:
    if order.priority != "emergency" or order.assignee_id is None:
        return
    alerts.raise_alert("emergency_order", order.site_id, {order.assignee_id},
                       _("紧急工单派给您：%(order)s", order=_label(order)),
                       dedupe_key=f"order:{order.id}:emergency:to:{order.assignee_id}:r{order.reopen_count}",
                       now=now, source=("work_order", order.id))


def check_clocks(now: datetime) -> int:
    """Alert amber and red clocks of open orders (once each); returns how many alerts were raised."""
    raised = 0
    for order in db.session.scalars(select(WorkOrder).where(WorkOrder.state.in_(OPEN_STATES),
                                                            WorkOrder.on_hold_since.is_(None))):
        for clock in sla.clocks(order, now).all:
            if clock.state not in (sla.AMBER, sla.RED):
                continue
            people = alerts.site_people(order.site_id, ("desk",))
            if order.assignee_id:
                people.add(order.assignee_id)
            kind = "order_red" if clock.state == sla.RED else "order_amber"
            text = (_("工单%(clock)s已超时：%(order)s", clock=CLOCK_NAMES[clock.kind], order=_label(order))
                    if clock.state == sla.RED else
                    _("工单%(clock)s将在 %(n)s 分钟内超时：%(order)s", clock=CLOCK_NAMES[clock.kind],
                      n=max(clock.remaining_minutes, 0), order=_label(order)))
            raised += alerts.raise_alert(
                kind, order.site_id, people, text, now=now, source=("work_order", order.id),
                dedupe_key=f"order:{order.id}:{clock.kind}:{clock.state}:r{order.reopen_count}") is not None
    return raised
