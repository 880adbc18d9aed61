"""Issue 15 proof: guard01, with no network, does the daily fire check of the control room in one tap and the
weekly hydrant-box check finding one extinguisher missing; after sync the supervisor's board shows the daily
plan done and a new open defect for the hydrant box."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from tests.e2e.conftest import poll

pytestmark = pytest.mark.e2e


def stored_checks(server) -> list[tuple[str, str, int | None]]:
    from wuye_field.checks.models import CheckRecord, Equipment

    return [(code, result, defect_id) for code, result, defect_id in server.query(
        select(Equipment.code, CheckRecord.result, CheckRecord.defect_id)
        .join(Equipment, Equipment.id == CheckRecord.equipment_id).order_by(CheckRecord.id))]


def test_offline_fire_checks_reach_the_supervisors_board(phone_factory, server):
    control_room = urlsplit(server.place("CP07")[2]).path  # 消防控制室
    lobby = urlsplit(server.place("CL01")[2]).path  # 1栋大堂, where the ground-floor hydrant box is

    phone = phone_factory("guard")
    phone.login("guard01")
    phone.wait_offline_ready(control_room)
    phone.wait_offline_ready(lobby)

    phone.go_offline()
    phone.goto(control_room)
    page = phone.page
    daily = page.locator("#checks-panel article[data-equipment-code=FR01] form[data-action=check-done]"
                         "[data-plan-key='fire.daily']")
    daily.locator("button[data-all-ok]").click()  # 「全部正常」: one tap
    daily.locator("[data-outbox-result]").filter(has_text="已保存在手机").wait_for()

    phone.goto(lobby)
    weekly = page.locator("#checks-panel article[data-equipment-code=HB101] form[data-action=check-done]"
                          "[data-plan-key='fire.weekly']")
    weekly.locator("input[name=count_extinguishers]").fill("3")  # 4 expected in a high-rise (P7)
    weekly.locator("details.exception-details summary").click()
    weekly.locator("textarea[name=note]").fill("少一具灭火器")
    weekly.locator("button[data-check-submit]").click()
    weekly.locator("[data-outbox-result]").filter(has_text="已保存在手机").wait_for()
    phone.wait_badge("2 条待上传")
    assert stored_checks(server) == []

    phone.go_online()
    phone.wait_badge("已全部上传")
    stored = poll(lambda: (rows := stored_checks(server)) and len(rows) == 2 and rows)
    assert [(code, result) for code, result, _d in stored] == [("FR01", "ok"), ("HB101", "fail")]
    assert stored[1][2] is not None  # the failed check opened a defect

    supervisor = phone_factory("supervisor")
    supervisor.login("supervisor01")
    supervisor.goto("/checks/board")
    board = supervisor.page
    daily_row = board.locator("#checks-plans tr[data-plan-key='fire.daily']")
    assert daily_row.get_attribute("data-done") == "1"
    failed = board.locator("#checks-failed li[data-equipment-code=HB101]")
    assert failed.get_attribute("data-defect-open") == "1"
    assert "3 个，应有 4 个" in failed.inner_text()
    assert board.locator("#checks-failed [data-open-defects]").get_attribute("data-open-defects") == "1"
