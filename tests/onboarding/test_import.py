"""Confirmed imports: through the admin forms' services, idempotent, effective-dated intervals (R34, P2)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.onboarding.files import PLACE_ROW, workbook
from wuye_field.accounts.models import User
from wuye_field.audit.models import AdminChange
from wuye_field.audit.settings_history import SettingChange, value_at
from wuye_field.core.errors import DomainError
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.handover.models import HandoverPost
from wuye_field.onboarding import service
from wuye_field.patrol.checklists import place_checklist
from wuye_field.places.models import Building, Place

SITE_FILE = dict(
    buildings=[["5栋", 12], ["6栋", 9]],
    places=[PLACE_ROW[:2] + ["5栋"] + PLACE_ROW[3:],
            ["N02", "6栋天台", "6栋", "9", "巡更点", "是", "120", "警示标志", ""]],
    posts=[["WEST", "西门岗", "护管岗", "07:00,19:00", "对讲机=2；门禁钥匙=1"]],
    staff=[["G501", "孙新", "13900000501", "护管员", "WEST"], ["C501", "郑洁", "", "保洁员", ""]],
)


def _import(admin01, demo, data, only_valid=False):
    return service.import_files(admin01, demo, [("site.xlsx", data)], only_valid=only_valid, now=utcnow(),
                                hash_method="pbkdf2:sha256:1000")


def _log_count() -> int:
    return db.session.scalar(select(func.count()).select_from(AdminChange))


def test_importing_creates_everything_and_twice_changes_nothing(admin01, demo):
    data = workbook(**SITE_FILE)
    _preview, result = _import(admin01, demo, data)
    db.session.commit()
    assert (result.created, result.updated) == (7, 0)
    place = db.session.scalar(select(Place).where(Place.code == "N02"))
    assert (place.building.name, place.floor, place.is_key_area, place.patrol_interval_min) == ("6栋", "9", True, 120)
    assert {i.category for i in place_checklist(place.id)} == {"signs"}
    post = db.session.scalar(select(HandoverPost).where(HandoverPost.code == "WEST"))
    assert post.equipment == "对讲机=2\n门禁钥匙=1"
    guard = db.session.scalar(select(User).where(User.staff_no == "G501"))
    assert guard.must_change_password and guard.roles == {"guard"}
    assert {a.staff_no for a in result.accounts} == {"G501", "C501"}
    logged = _log_count()

    again = service.preview_files(admin01, demo, [("site.xlsx", data)])
    assert {s.spec.key: (s.count("create"), s.count("update"), s.count("unchanged")) for s in again.sheets} == {
        "buildings": (0, 0, 2), "places": (0, 0, 2), "posts": (0, 0, 1), "staff": (0, 0, 2)}
    _preview, second = _import(admin01, demo, data)
    db.session.commit()
    assert (second.created, second.updated, second.accounts) == (0, 0, [])
    assert _log_count() == logged


def test_a_changed_interval_goes_through_the_effective_dated_setting(admin01, demo):
    before = utcnow() - timedelta(minutes=1)
    data = workbook(places=[["CP05", "配电房", "", "", "巡更点", "是", "120", "", ""]])
    preview, result = _import(admin01, demo, data)
    db.session.commit()
    place = db.session.scalar(select(Place).where(Place.code == "CP05"))
    assert preview.sheet("places").rows[0].changes == ["巡查间隔（分钟）"] and result.updated == 1
    change = db.session.scalar(select(SettingChange).where(  # the latest: the first change also keeps a baseline
        SettingChange.subject_id == place.id, SettingChange.name == "patrol_interval_min")
        .order_by(SettingChange.id.desc()).limit(1))
    assert (change.name, change.value) == ("patrol_interval_min", 120)
    assert value_at(demo.id, "place", "patrol_interval_min", before, subject_id=place.id, default=240) == 240
    assert value_at(demo.id, "place", "patrol_interval_min", utcnow(), subject_id=place.id, default=240) == 120
    assert place.patrol_interval_min == 120


def test_an_updated_row_changes_the_object_and_logs_it(admin01, demo):
    data = workbook(buildings=[["3栋", 7]], staff=[["guard01", "张伟", "13800000001", "护管员、保洁员", ""]])
    logged = _log_count()
    _preview, result = _import(admin01, demo, data)
    db.session.commit()
    assert result.updated == 2
    assert db.session.scalar(select(Building).where(Building.name == "3栋")).floors == 7
    assert db.session.scalar(select(User).where(User.staff_no == "guard01")).roles == {"guard", "cleaner"}
    assert _log_count() > logged


def test_errors_block_the_import_unless_only_valid_rows_are_chosen(admin01, demo):
    data = workbook(places=[PLACE_ROW, ["N09", "坏行", "9栋", "", "巡更点", "", "", "", ""]])
    with pytest.raises(DomainError, match="文件中还有错误"):
        _import(admin01, demo, data)
    db.session.rollback()
    _preview, result = _import(admin01, demo, data, only_valid=True)
    db.session.commit()
    assert (result.created, result.skipped) == (1, 1)
    assert db.session.scalar(select(Place).where(Place.code == "N09")) is None


def test_another_sites_staff_number_is_an_error_not_a_takeover(admin01, demo, other_admin):
    data = workbook(staff=[[other_admin.staff_no, "冒名", "", "护管员", ""]])
    messages = [str(e) for e in service.preview_files(admin01, demo, [("site.xlsx", data)]).errors]
    assert any("已被其他小区的人员使用" in m for m in messages)
