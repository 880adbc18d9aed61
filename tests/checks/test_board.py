"""The supervisor's side (issue 15 items 1, 2, 5–7): the register and its bad input, plans and their
frequency, the overdue board, the month figures, planned work orders, drills, the exports."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from tests.checks.conftest import login, piece, plan, post_check, user
from tests.sync import helpers
from tests.sync.helpers import count
from wuye_field.checks import board, orders
from wuye_field.checks import plans as plan_rules
from wuye_field.checks.models import Drill, Equipment, PlannedOrder
from wuye_field.core.errors import DomainError
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.places.models import Place
from wuye_field.workorders.models import WorkOrder


def test_board_shows_a_plan_done_and_the_open_defect_of_a_failed_check(client, auth, demo):
    login(client, auth, "guard01")
    assert post_check(client, "FR01", "fire.daily", all_ok="1").status_code == 201
    assert post_check(client, "HB101", "fire.weekly", count_extinguishers="3").status_code == 201
    login(client, auth, "supervisor01")
    page = client.get("/checks/board").get_data(as_text=True)
    assert 'data-plan-key="fire.daily" data-done="1"' in page
    assert 'data-open-defects="1"' in page and 'data-equipment-code="HB101" data-defect-open="1"' in page
    assert 'data-drill-red="1"' in page  # no fire drill yet (P11)


def test_board_counts_overdue_after_the_done_by_time(demo):
    site = demo
    now = datetime(2030, 3, 5, 4, 0, tzinfo=timezone.utc)  # 12:00 in Shanghai: the 10:00 daily check is overdue
    line = next(ln for ln in board.board(site, now=now).lines if ln.plan.key == "fire.daily")
    assert line.counts.overdue == line.counts.total == 4  # the control room and three exits


def test_the_drill_turns_red_twelve_months_after_the_last_fire_drill(client, auth, demo):
    login(client, auth, "supervisor01")
    today = datetime.now(timezone(timedelta(hours=8))).date()
    response = client.post("/checks/drills", data={
        "site_id": str(demo.id), "kind": "fire", "held_on": today.isoformat(), "duration_min": "40",
        "participant_ids": [str(user("guard01").id)], "findings": "疏散顺利"}, headers=helpers.headers())
    assert response.status_code == 201, response.get_json()
    assert not board.board(demo, now=utcnow()).drill_red
    assert board.board(demo, now=utcnow() + timedelta(days=370)).drill_red
    bad = client.post("/checks/drills", data={"site_id": str(demo.id), "kind": "fire", "held_on": "2020-01-01",
                                              "duration_min": "40", "participants_typed": "张三"},
                      headers=helpers.headers())
    assert bad.status_code == 422 and "过去一年" in bad.get_json()["message"]
    assert count(Drill) == 1


def test_month_figures_share_on_time_per_plan_and_lighting(demo):
    site = demo
    guard, tech = user("guard01"), user("tech01")
    start = datetime(2030, 1, 1, tzinfo=timezone.utc)
    for p in plan_rules.site_plans(site.id):
        p.created_at = start - timedelta(days=40)
    daily = plan("fire.daily")
    # Day 1: on time; day 2: late (after 10:00); day 3: done at 01:00 of day 4 — counts for day 4 only.
    from wuye_field.checks.doing import record_check
    for when in (datetime(2030, 1, 1, 1, 0, tzinfo=timezone.utc), datetime(2030, 1, 2, 5, 0, tzinfo=timezone.utc),
                 datetime(2030, 1, 3, 17, 0, tzinfo=timezone.utc)):
        record_check(guard, equipment_id=piece("FR01").id, plan_id=daily.id, form={"all_ok": "1"}, note="",
                     photo_ids=[], receipt=helpers.receipt(when))
    for code, ok in (("LT01", True), ("LT02", True), ("LT03", False)):
        record_check(tech, equipment_id=piece(code).id, plan_id=plan("upkeep.lights").id,
                     form={"all_ok": "1"} if ok else {"bad_lit": "1"}, note="", photo_ids=[],
                     receipt=helpers.receipt(datetime(2030, 1, 10, 2, tzinfo=timezone.utc)))
    db.session.flush()
    month = board.month_figures(site, date(2030, 1, 1), now=datetime(2030, 1, 4, 16, 30, tzinfo=timezone.utc))
    line = next(ln for ln in month.lines if ln.plan.key == "fire.daily")
    fr01 = (line.due, line.on_time, line.late, line.missed)
    assert fr01 == (4 * 4, 2, 1, 13)  # 4 days × 4 pieces; FR01: day 1 on time, day 2 late, day 3 missed, day 4 on time
    january = board.month_figures(site, date(2030, 1, 1), now=datetime(2030, 2, 1, tzinfo=timezone.utc))
    assert (january.lights, january.lights_working) == (3, 2) and january.lighting_met is False


def test_month_page_and_bad_month(client, auth, demo):
    login(client, auth, "supervisor01")
    assert "按时率" in client.get("/checks/month").get_data(as_text=True)
    bad = client.get("/checks/month?month=2026-13")
    assert bad.status_code == 400 and "YYYY-MM" in bad.get_data(as_text=True)


def test_frequency_that_never_falls_due_and_a_plan_without_equipment_are_refused(demo):
    admin = user("admin01")
    with pytest.raises(DomainError, match="永远不会到期"):
        plan_rules.change_frequency(admin, plan("fire.monthly").id, {"kind": "monthly", "day": "32"}, now=utcnow())
    with pytest.raises(DomainError, match="没有覆盖任何设备"):
        plan_rules.create_plan(admin, demo.id, {"name": "空计划", "types": ["generator"], "role": "technician",
                                                "frequency": {"kind": "daily"}, "equipment_ids": ["999999"]},
                               now=utcnow())


def test_a_plan_changed_mid_month_counts_each_window_with_its_own_frequency(demo):
    admin = user("admin01")
    for p in plan_rules.site_plans(demo.id):
        p.created_at = datetime(2029, 12, 1, tzinfo=timezone.utc)
    weekly = plan("fire.weekly")
    plan_rules.change_frequency(admin, weekly.id, {"kind": "daily", "due_time": "18:00"},
                                now=datetime(2030, 1, 15, 16, 0, tzinfo=timezone.utc))  # from 16 Jan 00:00 local
    pieces = len(plan_rules.covered(weekly, db.session.scalars(select(Equipment)).all()))
    month = board.month_figures(demo, date(2030, 1, 1), now=datetime(2030, 2, 1, tzinfo=timezone.utc))
    line = next(ln for ln in month.lines if ln.plan.key == "fire.weekly")
    # Fridays 4 and 11 January were due under the weekly plan; from 16 January it is daily (16 days).
    assert line.due == (2 + 16) * pieces
    assert plan("fire.weekly").frequency["kind"] == "daily"  # the form shows the value in force now


def test_register_refuses_bad_input_in_chinese(client, auth, demo):
    login(client, auth, "admin01")
    page = client.post(f"/checks/admin/equipment?site={demo.id}", data={
        "type": "extinguisher", "code": "FE99", "name": "新灭火器", "expiry": "1990-01-01"})
    assert page.status_code == 422 and "有效期不合理" in page.get_data(as_text=True)
    ok = client.post(f"/checks/admin/equipment?site={demo.id}", data={
        "type": "hydrant_box", "code": "HB399", "name": "3栋消火栓箱", "building_id": ""})
    assert ok.status_code == 303
    assert piece("HB399").attrs["expected_extinguishers"] == 2  # not in a high-rise: 2 (P7)


def test_own_tag_is_a_place_printed_with_the_tag_sheet(client, auth, demo):
    login(client, auth, "admin01")
    assert client.post(f"/checks/admin/equipment/{piece('GE01').id}/tag").status_code == 303
    tag = db.session.get(Place, piece("GE01").tag_place_id)
    assert tag.kind == "equipment" and tag.code == "GE01"
    sheet = client.get(f"/admin/sites/{demo.id}/tags.csv?place={tag.id}").get_data(as_text=True)
    assert "GE01" in sheet and tag.tag_token in sheet
    login(client, auth, "tech01")
    assert "备用发电机" in client.get(f"/t/{tag.tag_token}").get_data(as_text=True)


def test_planned_orders_are_raised_ahead_once_and_reach_the_technician(demo):
    septic = plan("upkeep.septic")
    septic.assignee_id = user("tech01").id
    now = datetime(2030, 4, 25, 2, 0, tzinfo=timezone.utc)  # 5 days before 30 April
    made = orders.raise_planned_orders(demo, now=now)
    assert len(made) == 2  # two septic tanks
    order = db.session.get(WorkOrder, made[0].work_order_id)
    assert order.source == "plan" and order.assignee_id == user("tech01").id and "化粪池清掏" in order.description
    assert orders.raise_planned_orders(demo, now=now + timedelta(hours=1)) == []
    assert count(PlannedOrder) == 2


def test_exports_for_supervisors_only(client, auth, demo):
    login(client, auth, "guard01")
    post_check(client, "FR01", "fire.daily", all_ok="1")
    assert client.get("/export/equipment.csv?site=DEMO").status_code == 403
    login(client, auth, "supervisor01")
    equipment = client.get("/export/equipment.csv?site=DEMO")
    assert equipment.status_code == 200 and equipment.data.startswith(b"\xef\xbb\xbf")
    assert "HB101" in equipment.get_data(as_text=True)
    today = datetime.now(timezone(timedelta(hours=8))).date()
    checks = client.get(f"/export/checks.csv?site=DEMO&date_from={today - timedelta(days=1)}&date_to={today}")
    assert checks.status_code == 200 and "消防控制室" in checks.get_data(as_text=True)
    assert client.get("/export/checks.csv?site=DEMO&date_from=x&date_to=y").status_code == 400


def test_a_pump_becomes_due_on_its_run_hours(client, auth, demo):
    login(client, auth, "tech01")
    now = utcnow()
    for days, value in ((10, "1000"), (1, "1600")):
        assert client.post("/checks/readings", data={"equipment_id": str(piece("PU01").id), "meter": "hours",
                                                     "value": value},
                           headers=helpers.headers(device_time=now - timedelta(days=days))).status_code == 201
    line = next(ln for ln in board.board(demo, now=now).lines if ln.plan.key == "upkeep.pump_service")
    assert line.meter_due == 1  # 600 h since the first reading, never serviced (every 500 h)
    assert "按读数已到期" in client.get(f"/t/{piece('PU01').place.tag_token}").get_data(as_text=True)
    assert post_check(client, "PU01", "upkeep.pump_service", all_ok="1").status_code == 201
    line = next(ln for ln in board.board(demo, now=now + timedelta(minutes=1)).lines
                if ln.plan.key == "upkeep.pump_service")
    assert line.meter_due == 0


def test_a_meter_trigger_must_make_sense(demo):
    with pytest.raises(DomainError, match="按读数触发"):
        plan_rules.create_plan(user("admin01"), demo.id, {
            "name": "泵保养", "types": ["pump"], "role": "technician", "frequency": {"kind": "yearly"},
            "meter_trigger": {"meter": "hours", "every": "-5"}}, now=utcnow())


def test_a_plan_of_the_sites_own_from_the_settings_page(client, auth, demo):
    login(client, auth, "supervisor01")
    fields = {"name": "发电机月度试车", "kind": "upkeep", "role": "technician", "types": ["generator"],
              "items": "试车 15 分钟\n油位正常", "kind_freq": "monthly", "day": "5", "due_time": "17:00"}
    assert client.post(f"/checks/admin/plans?site={demo.id}", data=fields).status_code == 303
    made = db.session.scalar(select(plan_rules.CheckPlan).where(plan_rules.CheckPlan.name == "发电机月度试车"))
    assert [i["label"] for i in made.items] == ["试车 15 分钟", "油位正常"] and made.frequency["day"] == 5
    never = client.post(f"/checks/admin/plans?site={demo.id}", data=fields | {"name": "坏计划", "day": "0"})
    assert never.status_code == 422 and "永远不会到期" in never.get_data(as_text=True)
    nothing = client.post(f"/checks/admin/plans?site={demo.id}", data=fields | {"name": "空计划", "types": ["lift"],
                                                                               "building_id": str(_building("2栋"))})
    assert nothing.status_code == 422 and "没有覆盖任何设备" in nothing.get_data(as_text=True)


def _building(name: str) -> int:
    from wuye_field.places.models import Building

    return db.session.scalar(select(Building.id).where(Building.name == name))


def test_the_daily_command_raises_planned_orders(runner, demo):
    result = runner.invoke(args=["wuye", "checks-orders"])
    assert result.exit_code == 0 and "planned work orders raised:" in result.output


def test_an_overdue_plan_alerts_the_sites_supervisors_once_per_window(demo):
    from wuye_field.accounts.models import User
    from wuye_field.alerts.models import Alert
    from wuye_field.checks.alerting import check_overdue

    noon = datetime(2030, 3, 5, 4, 0, tzinfo=timezone.utc)  # 12:00 in Shanghai: the 10:00 daily check is overdue
    assert check_overdue(noon) >= 1
    assert check_overdue(noon + timedelta(minutes=5)) == 0  # the same window: nobody is told twice
    alert = db.session.scalars(select(Alert).where(Alert.kind == "check_overdue",
                                                   Alert.text.contains("4 件设备未检查"))).one()
    names = {db.session.get(User, r.user_id).staff_no for r in alert.recipients}
    assert "supervisor01" in names and "guard01" not in names
    assert check_overdue(noon + timedelta(days=1)) >= 1  # the next day's window is a new one


def test_a_service_grade_sets_the_checks_settings_too(demo):
    from wuye_field.checks.equipment import site_setting
    from wuye_field.places import site_settings as ss

    now = utcnow()
    ss.apply_grade(user("admin01"), demo.id, 1, now=now)
    values = {name: site_setting(demo.id, name, now + timedelta(seconds=1)) for name in ss.DUTY_SETTINGS}
    assert values == {"checks.drill_months": 6, "checks.lighting_target": 98, "checks.orders_ahead_days": 14,
                      "checks.high_rise_floors": 10}
    ss.apply_grade(user("admin01"), demo.id, 3, now=now + timedelta(minutes=1))
    assert site_setting(demo.id, "checks.drill_months", now + timedelta(minutes=2)) == 12  # the manual's P11
    assert ss.site_settings_at(demo.id, now + timedelta(minutes=2)).service_grade == 3
