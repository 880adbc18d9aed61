"""Cleaning fixtures: a site with cleaning areas, a cleaner whose zone they are, a supervisor and an admin,
and helpers to add task templates and check-offs at fixed times."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

import pytest

from tests.factories import Factories
from wuye_field.accounts.models import User
from wuye_field.cleaning import services
from wuye_field.cleaning.models import CleaningTask
from wuye_field.extensions import db
from wuye_field.places.models import Place, Site
from wuye_field.sync.receipt import ClockSkew, Receipt

UTC = timezone.utc


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def receipt(device_time: datetime, received_at: datetime | None = None, skew: float | None = None) -> Receipt:
    """A Receipt for a fresh client UUID (a skew given here is not flagged)."""
    return Receipt(str(uuid.uuid4()), device_time, received_at or device_time, ClockSkew(skew, False))


@dataclass
class World:
    site: Site
    lobby: Place
    road: Place
    cleaner: User
    other_cleaner: User
    supervisor: User
    admin: User
    factories: Factories

    def task(self, place: Place | None = None, **values) -> CleaningTask:
        """A task template on `place` (the lobby by default), set up on 2026-01-01."""
        return self.factories.cleaning_task(place or self.lobby, **values)

    def allow_tap(self, allowed: bool = True) -> None:
        self.factories.cleaning_settings(self.site, allow_tap=allowed, reclean_hours=2)

    def check_off(self, task: CleaningTask, slot: str, at: datetime, *, user: User | None = None,
                  method: str = "scan", photo_ids=(), note: str = ""):
        return services.record_checkoff(user or self.cleaner, task_id=task.id, slot=slot, method=method,
                                        photo_ids=list(photo_ids), note=note, receipt=receipt(at))


@pytest.fixture
def world(app, factories) -> World:
    """Site 「测试小区」 (Asia/Shanghai) with a lobby and a road; cleaner 1 has both, cleaner 2 only the road."""
    site = factories.site(code="CLN", name="保洁测试小区")
    lobby = factories.place(site, code="CL01", name="1栋大堂", kind="cleaning")
    road = factories.place(site, code="CL02", name="主干道", kind="both")
    cleaner = factories.user(role="cleaner", site=site, staff_no="c1", name="王保洁", password="wuye-demo")
    other = factories.user(role="cleaner", site=site, staff_no="c2", name="李保洁", password="wuye-demo")
    supervisor = factories.user(role="supervisor", site=site, staff_no="s1", name="陈主管", password="wuye-demo")
    admin = factories.user(role="admin", site=site, staff_no="a1", name="赵管理", password="wuye-demo")
    for place, user in ((lobby, cleaner), (road, cleaner), (road, other)):
        factories.area_assignment(place, user)
    db.session.commit()
    return World(site, lobby, road, cleaner, other, supervisor, admin, factories)


@pytest.fixture
def elsewhere(app, factories):
    """Another site with its own cleaning area and cleaner (for scoping tests)."""
    site = factories.site(code="FAR", name="别的小区")
    area = factories.place(site, code="X1", name="别处大堂", kind="cleaning")
    cleaner = factories.user(role="cleaner", site=site, staff_no="far1", password="wuye-demo")
    factories.area_assignment(area, cleaner)
    task = factories.cleaning_task(area)
    db.session.commit()
    return site, area, cleaner, task
