"""Rows for tests, one way: `factories.<model>(…)` creates (and flushes) one object with sensible defaults.

Every test that needs a row it does not get from the demo site makes it here (the `factories` fixture in
tests/conftest.py). A package's scenario — a site with its people, e.g. cleaning's `world` or work
orders' `team` — is a fixture in that package's conftest.py built from these. Field records (scans,
check-offs, order steps) are made through the services; a test that needs history the services would
refuse (a round walked yesterday) inserts those rows itself.
"""
from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date, datetime, timezone

from wuye_field.accounts.models import Membership, User
from wuye_field.accounts.services import create_user
from wuye_field.cleaning.models import AreaAssignment, CleaningSettings, CleaningTask
from wuye_field.extensions import db
from wuye_field.patrol.models import Route, RouteStop
from wuye_field.places.models import Building, Place, Site
from wuye_field.workorders.models import OrderSettings, PriceItem, SlaPolicy, TechnicianTrade

_seq = itertools.count(1)
SET_UP = datetime(2026, 1, 1, tzinfo=timezone.utc)  # settings exist long before the days tests look at


def _add(row):
    db.session.add(row)
    db.session.flush()
    return row


class Factories:
    def __init__(self, hash_method: str | None):
        self.hash_method = hash_method

    # ---------------------------------------------------------------- places and people

    def site(self, **overrides) -> Site:
        n = next(_seq)
        values = {"code": f"S{n}", "name": f"测试小区{n}", "timezone": "Asia/Shanghai",
                  "public_base_url": "http://wuye.test"} | overrides
        return _add(Site(**values))

    def building(self, site: Site, **overrides) -> Building:
        return _add(Building(**({"site_id": site.id, "name": f"{next(_seq)}栋"} | overrides)))

    def place(self, site: Site, **overrides) -> Place:
        n = next(_seq)
        return _add(Place(**({"site_id": site.id, "name": f"巡更点{n}", "code": f"P{n}", "kind": "checkpoint"}
                             | overrides)))

    def user(self, role: str | None = "guard", site: Site | None = None, password: str = "password-123",
             **overrides) -> User:
        n = next(_seq)
        roles = {site.id: {role}} if (site is not None and role) else {}
        values = {"staff_no": f"u{n}", "name": f"用户{n}"} | overrides
        return create_user(password=password, roles=roles, hash_method=self.hash_method, **values)

    def membership(self, user: User, site: Site, role: str) -> Membership:
        """Give `user` one more role on `site`."""
        membership = _add(Membership(user_id=user.id, site_id=site.id, role=role))
        db.session.refresh(user)
        return membership

    # ---------------------------------------------------------------- patrol

    def route(self, site: Site, places: Sequence[Place] = (), **overrides) -> Route:
        """A patrol route visiting `places` in that order."""
        route = _add(Route(**({"site_id": site.id, "name": f"路线{next(_seq)}"} | overrides)))
        db.session.add_all([RouteStop(route_id=route.id, place_id=place.id, position=i)
                            for i, place in enumerate(places)])
        db.session.flush()
        return route

    # ---------------------------------------------------------------- cleaning

    def cleaning_task(self, place: Place, **overrides) -> CleaningTask:
        """A daily mopping task on `place`, set up on 2026-01-01."""
        values = {"action": "mop", "title": "拖地", "kind": "daily", "every_n": 1, "photo_required": False,
                  "anchor": date(2024, 1, 1), "created_at": SET_UP} | overrides
        return _add(CleaningTask(site_id=place.site_id, place_id=place.id, **values))

    def area_assignment(self, place: Place, user: User) -> AreaAssignment:
        """`user` cleans `place`."""
        return _add(AreaAssignment(site_id=place.site_id, place_id=place.id, user_id=user.id))

    def cleaning_settings(self, site: Site, **values) -> CleaningSettings:
        """The site's cleaning settings, created or changed."""
        settings = db.session.get(CleaningSettings, site.id) or CleaningSettings(site_id=site.id)
        for name, value in values.items():
            setattr(settings, name, value)
        return _add(settings)

    # ---------------------------------------------------------------- work orders

    def order_settings(self, site: Site, **overrides) -> OrderSettings:
        return _add(OrderSettings(**({"site_id": site.id, "allow_grab": False, "require_signature": False}
                                     | overrides)))

    def technician_trade(self, user: User, site: Site, category: str = "water") -> TechnicianTrade:
        return _add(TechnicianTrade(user_id=user.id, site_id=site.id, category=category))

    def sla_policy(self, site: Site, priority: str = "emergency", **overrides) -> SlaPolicy:
        return _add(SlaPolicy(**({"site_id": site.id, "priority": priority, "arrive_minutes": 60,
                                  "finish_minutes": 480} | overrides)))

    def price_item(self, site: Site, name: str = "换水龙头", price_fen: int = 3500) -> PriceItem:
        return _add(PriceItem(site_id=site.id, name=name, price_fen=price_fen))
