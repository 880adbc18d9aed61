"""The admin change log records who changed a role, an interval or a cleaning schedule (issue 7, H5)."""
from __future__ import annotations

import json

from sqlalchemy import select

from wuye_field.accounts import services as accounts
from wuye_field.accounts.models import User
from wuye_field.audit import chain
from wuye_field.audit.models import AdminChange
from wuye_field.cleaning import setup as cleaning
from wuye_field.cleaning.models import CleaningTask
from wuye_field.extensions import db
from wuye_field.places import services as places
from wuye_field.places.models import Place


def _user(staff_no: str) -> User:
    return db.session.scalar(select(User).where(User.staff_no == staff_no))


def _changes(site_id: int) -> list[AdminChange]:
    return list(db.session.scalars(select(AdminChange).where(AdminChange.site_id == site_id).order_by(AdminChange.id)))


def test_a_role_change_is_logged_with_before_and_after(app, demo):
    admin, guard = _user("admin01"), _user("guard02")
    accounts.admin_update_user(admin, guard.id, name=guard.name, phone=guard.phone,
                               roles={demo.id: {"guard", "supervisor"}})
    db.session.commit()
    [change] = _changes(demo.id)
    assert guard.name in change.what and change.actor_id == admin.id
    assert json.loads(change.before) == ["guard"] and json.loads(change.after) == ["guard", "supervisor"]


def test_saving_a_user_without_changing_roles_logs_nothing(app, demo):
    admin, guard = _user("admin01"), _user("guard02")
    accounts.admin_update_user(admin, guard.id, name="新名字", phone=guard.phone, roles={demo.id: {"guard"}})
    db.session.commit()
    assert _changes(demo.id) == []


def test_a_patrol_interval_change_is_logged_and_chained(app, demo):  # P2
    admin = _user("admin01")
    place = db.session.scalar(select(Place).where(Place.site_id == demo.id, Place.is_key_area.is_(True)))
    values = {"name": place.name, "code": place.code, "kind": place.kind, "building_id": place.building_id or "",
              "is_key_area": "1", "patrol_interval_min": "120"}
    places.update_place(admin, place.id, values)
    db.session.commit()
    [change] = _changes(demo.id)
    assert "巡查间隔" in change.what  # effective-dated (issue 12): old → new and from when
    assert json.loads(change.before) == 240
    assert json.loads(change.after)["value"] == 120 and json.loads(change.after)["effective_from"]
    assert chain.verify(demo.id).ok


def test_cleaning_schedule_edits_are_logged(app, demo):
    admin = _user("admin01")
    task = db.session.scalar(select(CleaningTask).where(CleaningTask.site_id == demo.id).order_by(CleaningTask.id))
    cleaning.set_task_active(admin, task.id, False)
    cleaning.set_task_active(admin, task.id, False)  # no change, no entry
    db.session.commit()
    [change] = _changes(demo.id)
    assert task.title in change.what
    assert json.loads(change.before) == {"active": True} and json.loads(change.after) == {"active": False}


def test_the_audit_page_shows_the_change_to_supervisors(client, auth, app, demo):
    admin, guard = _user("admin01"), _user("guard02")
    accounts.admin_update_user(admin, guard.id, name=guard.name, phone=guard.phone, roles={demo.id: {"guard", "desk"}})
    db.session.commit()
    auth.login("supervisor01")
    page = client.get("/audit/").get_data(as_text=True)
    assert guard.name in page and "角色" in page
