"""Helpers for work-order tests: the `Crew` scenario (a site with a desk, a supervisor and technicians, built
from tests/factories.py; the `team` fixture in conftest.py), receipts, and orders raised through the services.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from wuye_field.accounts.models import User
from wuye_field.extensions import db
from wuye_field.places.models import Site
from wuye_field.sync.receipt import ClockSkew, Receipt
from wuye_field.workorders import services

T0 = datetime(2026, 11, 27, 2, 0, tzinfo=timezone.utc)  # 10:00 in Asia/Shanghai


def receipt(at: datetime = T0, key: str | None = None, *, received: datetime | None = None) -> Receipt:
    """A receipt for a step made at `at` (device time) and received at `received` (default: same)."""
    return Receipt(key or str(uuid.uuid4()), at, received or at, ClockSkew.unknown())


@dataclass
class Crew:
    site: Site
    desk: User
    sup: User
    tech: User
    tech2: User
    guard: User
    other_site: Site
    other_desk: User


def crew(factories, *, allow_grab: bool = False, require_signature: bool = False, trades=("water",)) -> Crew:
    """One site with desk, supervisor, two technicians (with `trades`) and a guard; another site with a desk."""
    site = factories.site()
    other = factories.site()
    team = Crew(site, factories.user("desk", site, name="客服甲"), factories.user("supervisor", site, name="主管甲"),
                factories.user("technician", site, name="维修甲"), factories.user("technician", site, name="维修乙"),
                factories.user("guard", site, name="护管甲"), other, factories.user("desk", other, name="客服乙"))
    factories.order_settings(site, allow_grab=allow_grab, require_signature=require_signature)
    for tech in (team.tech, team.tech2):
        for trade in trades:
            factories.technician_trade(tech, site, trade)
    return team


def raise_order(team: Crew, *, at: datetime = T0, priority: str = "emergency", category: str = "water",
                user: User | None = None, **values):
    """Raise an order on the crew's site by the desk (defaults: emergency water leak in 1栋 301)."""
    fields = {"source": "desk", "description": "厨房水管漏水", "room": "1-301", "resident_name": "王先生",
              "resident_phone": "13812341234"} | values
    return services.raise_order(user or team.desk, site_id=team.site.id, category=category, priority=priority,
                                receipt=receipt(at), **fields)


def assigned(team: Crew, *, at: datetime = T0, tech: User | None = None, **values):
    """An order raised and assigned to `tech` (default team.tech) at `at`."""
    order = raise_order(team, at=at, **values)
    services.assign(team.desk, order.id, (tech or team.tech).id, receipt=receipt(at))
    return order


def done(team: Crew, order, *, at: datetime, photo: str | None = None):
    """Arrive and complete `order` as its assignee at `at`."""
    tech = db.session.get(User, order.assignee_id)
    services.arrive(tech, order.id, receipt=receipt(at))
    return services.complete(tech, order.id, photo_ids=[photo or str(uuid.uuid4())], note="已修好",
                             receipt=receipt(at + timedelta(minutes=1)))
