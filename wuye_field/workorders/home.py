"""The technician's home card (my orders, overdue, to grab) and the pages they need offline."""
from __future__ import annotations

from flask import url_for

from wuye_field.core.time import utcnow
from wuye_field.core.registry import Section
from wuye_field.workorders import services


def technician_section(user) -> Section | None:
    """Technicians: how many open orders, how many overdue, how many to grab."""
    if not user.has_role(services.TECHNICIAN):
        return None
    return Section("workorders/_home_tech.html", services.technician_summary(user, utcnow()), order=15)


def technician_pages(user) -> list[str]:
    """「我的工单」, each of my open orders and the orders I may grab open offline (basements, plant rooms)."""
    if not user.has_role(services.TECHNICIAN):
        return []
    now = utcnow()
    rows = services.orders_for_technician(user, now) + services.grabbable_for(user, now)
    return [url_for("workorders.index")] + [url_for("workorders.show", order_id=r.order.id) for r in rows]
