"""Factory helpers for tests: each call creates (and flushes) one object with sensible defaults."""
from __future__ import annotations

import itertools

from wuye_field.accounts.models import User
from wuye_field.accounts.services import create_user
from wuye_field.extensions import db
from wuye_field.places.models import Building, Place, Site

_seq = itertools.count(1)


class Factories:
    def __init__(self, hash_method: str | None):
        self.hash_method = hash_method

    def site(self, **overrides) -> Site:
        n = next(_seq)
        values = {"code": f"S{n}", "name": f"测试小区{n}", "timezone": "Asia/Shanghai",
                  "public_base_url": "http://wuye.test"} | overrides
        site = Site(**values)
        db.session.add(site)
        db.session.flush()
        return site

    def building(self, site: Site, **overrides) -> Building:
        building = Building(**({"site_id": site.id, "name": f"{next(_seq)}栋"} | overrides))
        db.session.add(building)
        db.session.flush()
        return building

    def place(self, site: Site, **overrides) -> Place:
        n = next(_seq)
        place = Place(**({"site_id": site.id, "name": f"巡更点{n}", "code": f"P{n}", "kind": "checkpoint"} | overrides))
        db.session.add(place)
        db.session.flush()
        return place

    def user(self, role: str | None = "guard", site: Site | None = None, password: str = "password-123",
             **overrides) -> User:
        n = next(_seq)
        roles = {site.id: {role}} if (site is not None and role) else {}
        values = {"staff_no": f"u{n}", "name": f"用户{n}"} | overrides
        user = create_user(password=password, roles=roles, hash_method=self.hash_method, **values)
        return user
