"""Cleaning services against the database: standard set, zone, today's cards, check-offs, spot checks, reports."""
from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.cleaning.conftest import receipt, utc
from tests.factories import SET_UP
from wuye_field.cleaning import checkoff, reports, rules, setup, today
from wuye_field.core.errors import FieldErrors
from wuye_field.cleaning.demo import load_cleaning_demo
from wuye_field.cleaning.models import AreaAssignment, CleaningTask, ReClean, TaskCheckoff
from wuye_field.core.csv_export import parse_date_range
from wuye_field.core.errors import DomainError, NotFound
from wuye_field.photos.models import PhotoLink
from wuye_field.extensions import db

# 2026-11-27 (a Friday) in Asia/Shanghai; 10:00 local = 02:00 UTC.
DAY = date(2026, 11, 27)
MORNING = utc(2026, 11, 27, 2, 0)


# ---------------------------------------------------------------- standard set and demo


def test_standard_tasks_fit_the_area_by_name():
    """C10 lobby: daily mop before 07:30 (C16) + wax every 6 months; C12 toilet every 2 h."""
    lobby = {(t.standard, t.kind) for t in setup.standard_tasks_for("1栋大堂")}
    assert ("C10", rules.DAILY) in lobby and ("C10", rules.HALF_YEARLY) in lobby
    assert {t.standard for t in setup.standard_tasks_for("公共卫生间")} == {"C12"}
    assert {t.standard for t in setup.standard_tasks_for("3栋电梯厅")} == {"C6", "C7", "C11", "C13"}
    assert {t.standard for t in setup.standard_tasks_for("3栋楼道")} == {"C5", "C9", "C11"}
    assert {t.standard for t in setup.standard_tasks_for("主干道")} == {"C2", "C3", "C4"}
    assert {t.standard for t in setup.standard_tasks_for("地下消防通道")} == {"C7"}
    assert setup.standard_tasks_for("神秘角落") == [setup.FALLBACK]


def test_apply_standard_set_is_idempotent_and_keeps_adjustments(world):
    created = setup.apply_standard_set(world.admin, world.site.id, now=MORNING)
    assert created == len(setup.standard_tasks_for("1栋大堂")) + len(setup.standard_tasks_for("主干道"))
    mop = db.session.scalar(select(CleaningTask).where(CleaningTask.place_id == world.lobby.id,
                                                       CleaningTask.title == "拖洗大堂地面"))
    assert mop.done_before == "07:30" and mop.photo_required  # C16
    setup.update_task(world.admin, mop.id, setup.task_values(mop) | {"done_before": "08:00"})
    assert setup.apply_standard_set(world.admin, world.site.id, now=MORNING) == 0
    assert db.session.get(CleaningTask, mop.id).done_before == "08:00"


def test_apply_standard_set_only_for_admins_of_the_site(world, elsewhere):
    with pytest.raises(NotFound):
        setup.apply_standard_set(world.supervisor, world.site.id, now=MORNING)
    with pytest.raises(NotFound):
        setup.apply_standard_set(world.admin, elsewhere[0].id, now=MORNING)


def test_demo_loader_is_idempotent(demo):
    """The demo site gets the standard set on CL01–CL08 and cleaner01's zone, once."""
    count = db.session.scalar(select(func.count(CleaningTask.id)).where(CleaningTask.site_id == demo.id))
    assigned = db.session.scalar(select(func.count(AreaAssignment.id)).where(AreaAssignment.site_id == demo.id))
    assert count >= 16 and assigned == 8
    load_cleaning_demo(demo)
    assert db.session.scalar(select(func.count(CleaningTask.id)).where(CleaningTask.site_id == demo.id)) == count
    assert db.session.scalar(select(func.count(AreaAssignment.id)).where(AreaAssignment.site_id == demo.id)) == 8
    standards = set(db.session.scalars(select(CleaningTask.standard).where(CleaningTask.site_id == demo.id)))
    assert {"C1", "C2", "C4", "C6", "C10", "C12", "C13", "C14"} <= standards


# ---------------------------------------------------------------- templates and assignments


@pytest.mark.parametrize("values, field, message", [
    ({"title": ""}, "title", "请填写任务内容"),
    ({"kind": "yearly"}, "kind", "请选择频次"),
    ({"kind": "hourly", "every_n": "0"}, "every_n", "1–12 小时"),
    ({"kind": "hourly", "window_start": "22:00", "window_end": "08:00"}, "window_end", "结束时间须晚于开始时间"),
    ({"kind": "times", "times": "7点"}, "times", "用逗号分开"),
    ({"kind": "weekly", "weekdays": []}, "weekdays", "至少选择一天"),
    ({"kind": "monthly", "month_day": "32"}, "month_day", "1–31"),
    ({"kind": "half_yearly", "anchor": "三月"}, "anchor", "第一次做的月份"),
    ({"kind": "every_n_days", "every_n": "3", "anchor": ""}, "anchor", "第一轮的日期"),
    ({"kind": "every_n_days", "every_n": "1", "anchor": "2026-11-01"}, "every_n", "2–90 天"),
    ({"done_before": "7:30am"}, "done_before", "时:分"),
    ({"kind": "times", "times": "07:00", "done_before": "07:30"}, "done_before", "不能再设"),
])
def test_task_validation_messages_are_chinese(world, values, field, message):
    base = setup.task_values(None) | {"title": "拖地"}
    with pytest.raises(FieldErrors) as caught:
        setup.create_task(world.admin, world.lobby.id, base | values, now=MORNING)
    assert message in caught.value.errors[field]


def test_create_each_frequency(world):
    raw = setup.task_values(None) | {"title": "擦"}
    made = [
        setup.create_task(world.admin, world.lobby.id, raw | {"kind": "hourly", "every_n": "2"}, now=MORNING),
        setup.create_task(world.admin, world.lobby.id, raw | {"kind": "times", "times": "17:00，07:00"},
                             now=MORNING),
        setup.create_task(world.admin, world.lobby.id, raw | {"kind": "every_n_days", "every_n": "3",
                                                                 "anchor": "2026-11-01"}, now=MORNING),
        setup.create_task(world.admin, world.lobby.id, raw | {"kind": "weekly", "weekdays": ["4", "0"]},
                             now=MORNING),
        setup.create_task(world.admin, world.lobby.id, raw | {"kind": "monthly", "month_day": "31"}, now=MORNING),
        setup.create_task(world.admin, world.lobby.id, raw | {"kind": "half_yearly", "anchor": "2026-03-01",
                                                                 "photo_required": "1"}, now=MORNING),
    ]
    assert made[1].times == "07:00,17:00" and made[3].weekdays == "0,4" and made[5].photo_required
    assert [t.frequency_label for t in made[:2]] == ["每 2 小时（08:00–22:00）", "每天 07:00、17:00"]


def test_assign_cleaners_only_of_the_site(world, elsewhere):
    assert [u.id for u in setup.assign_cleaners(world.admin, world.lobby.id, [world.other_cleaner.id])] == [
        world.other_cleaner.id]
    assert world.lobby.id not in {p.id for p in today.zone_places(world.cleaner)}
    with pytest.raises(FieldErrors):
        setup.assign_cleaners(world.admin, world.lobby.id, [elsewhere[2].id])
    with pytest.raises(NotFound):
        setup.assign_cleaners(world.admin, elsewhere[1].id, [])


# ---------------------------------------------------------------- the cleaner's day


def test_today_groups_by_area_overdue_first(world):
    world.task(world.road, title="扫路", action="sweep")
    c16 = world.task(title="拖大堂", done_before="07:30")  # missed: it is 10:00
    monthly = world.task(title="擦窗", action="wipe", kind="monthly")
    view = today.today_for(world.cleaner, now=MORNING)
    assert [g.place.name for g in view.groups] == ["1栋大堂", "主干道"]
    lobby = view.groups[0]
    # overdue first, earliest deadline first: October's missed wipe (carried), today's 07:30 mop; then November's
    assert [(c.task.id, c.occ.slot, c.status) for c in lobby.cards] == [
        (monthly.id, "2026-10", rules.MISSED), (c16.id, "2026-11-27", rules.MISSED),
        (monthly.id, "2026-11", rules.OPEN)]
    assert view.total == 4 and view.done == 0 and view.overdue == 2
    assert [c.when for c in lobby.cards] == ["已超时 · 10-31", "已超时 · 07:30 前", "本月 11-30 前"]


def test_other_cleaner_sees_only_their_zone(world, elsewhere):
    world.task(world.road, title="扫路")
    world.task(title="拖大堂")
    view = today.today_for(world.other_cleaner, now=MORNING)
    assert [g.place.name for g in view.groups] == ["主干道"]
    assert today.today_for(elsewhere[2], now=MORNING).groups[0].place.name == "别处大堂"


def test_check_off_counts_once_and_shows_done(world):
    task = world.task(title="拖大堂")
    result = world.check_off(task, "2026-11-27", MORNING)
    assert result.status == rules.ON_TIME and result.message == "已完成：1栋大堂 · 拖大堂"
    again = world.check_off(task, "2026-11-27", MORNING + timedelta(minutes=5), user=world.cleaner)
    assert again.repeated and "之前已有人完成" in again.message
    view = today.today_for(world.cleaner, now=MORNING + timedelta(minutes=10))
    assert (view.done, view.total) == (1, 1)
    report = reports.day_report(world.supervisor, world.site.id, DAY, now=MORNING + timedelta(hours=1))
    assert (report.total.due, report.total.on_time) == (1, 1)


def test_check_off_records_method_device_time_and_photos(world):
    task = world.task(title="冲洗", photo_required=True)
    photo = str(uuid.uuid4())
    result = checkoff.record_checkoff(world.cleaner, task_id=task.id, slot="2026-11-27", method="scan",
                                      photo_ids=[photo], note="",
                                      receipt=receipt(MORNING, MORNING + timedelta(hours=3)))
    row = db.session.get(TaskCheckoff, result.checkoff.id)
    assert row.method == "scan" and row.user_id == world.cleaner.id and row.site_id == world.site.id
    assert rules.as_utc(row.done_at) == MORNING  # done offline at 10:00, received at 13:00: on time
    assert result.pending_photos == 1 and "1 张照片待上传" in result.message
    link = db.session.scalar(select(PhotoLink).where(PhotoLink.owner_kind == "cleaning_checkoff"))
    assert link.photo_uuid == photo and link.owner_id == row.id


def test_late_check_off_and_missed_deadline(world):
    """C16: 07:30 deadline; done at 08:10 local is late."""
    task = world.task(title="拖大堂", done_before="07:30")
    result = world.check_off(task, "2026-11-27", utc(2026, 11, 27, 0, 10))
    assert result.status == rules.LATE and "超时完成" in result.message


@pytest.mark.parametrize("overrides, slot, method, message", [
    ({"photo_required": True}, "2026-11-27", "scan", "需要拍照"),
    ({}, "2026-11-31", "scan", "任务时间无效"),
    ({"kind": "times", "times": "17:00"}, "2026-11-27T17:00", "scan", "还没到这项任务的时间"),
    ({}, "2026-11-27", "walk", "打卡方式无效"),
    ({}, "2026-11-27", "tap", "须在区域扫码后打卡"),
])
def test_check_off_refusals(world, overrides, slot, method, message):
    task = world.task(**overrides)
    with pytest.raises(checkoff.CheckoffRefused) as caught:
        world.check_off(task, slot, MORNING, method=method)
    assert message in caught.value.message


def test_tap_allowed_when_site_allows_it(world):
    world.allow_tap()
    task = world.task()
    assert world.check_off(task, "2026-11-27", MORNING, method="tap").checkoff.method == "tap"


def test_check_off_outside_zone_or_site_is_not_found(world, elsewhere):
    lobby_task = world.task()
    with pytest.raises(NotFound):
        world.check_off(lobby_task, "2026-11-27", MORNING, user=world.other_cleaner)  # not their zone
    with pytest.raises(NotFound):
        world.check_off(elsewhere[3], "2026-11-27", MORNING)  # another site's task
    with pytest.raises(NotFound):
        world.check_off(lobby_task, "2026-11-27", MORNING, user=world.supervisor)  # not a cleaner


def test_panel_for_cleaner_and_supervisor(world, elsewhere):
    world.task()
    panel = today.panel_for(world.lobby, world.cleaner, now=MORNING)
    assert panel.can_check_off and not panel.can_spot_check and len(panel.cards) == 1
    sup = today.panel_for(world.lobby, world.supervisor, now=MORNING)
    assert sup.can_spot_check and not sup.can_check_off
    outside = today.panel_for(world.lobby, world.other_cleaner, now=MORNING)
    assert outside is not None and not outside.can_check_off and not outside.in_zone
    assert today.panel_for(world.lobby, elsewhere[2], now=MORNING) is None


def test_problems_found_at_cleaning_areas_show_on_the_day_report(world):
    """Issue 6: a cleaner's problem (broken bin) is a defect with a photo; the supervisor's day view lists it."""
    from wuye_field.defects import records

    records.record_defect(world.cleaner, place_id=world.lobby.id, site_id=None, location="", category="cleaning",
                          severity="low", note="垃圾桶坏了", photo_ids=[str(uuid.uuid4())], receipt=receipt(MORNING))
    report = reports.day_report(world.supervisor, world.site.id, DAY, now=MORNING)
    assert [(i.note, i.place.name) for i in report.issues] == [("垃圾桶坏了", world.lobby.name)]
    assert reports.day_report(world.supervisor, world.site.id, DAY + timedelta(days=1), now=MORNING).issues == []

# ---------------------------------------------------------------- spot checks and re-cleans


def test_failed_spot_check_raises_reclean_counted_against_cleaner(world):
    world.allow_tap()
    mop = world.task(title="拖大堂")
    wipe = world.task(title="擦扶手", action="wipe")
    world.check_off(mop, "2026-11-27", MORNING)
    with pytest.raises(checkoff.CheckoffRefused):  # a failure needs a photo
        checkoff.record_spot_check(world.supervisor, world.lobby.id, results={mop.id: False}, reclean=True,
                                   photo_ids=[], note="", receipt=receipt(MORNING + timedelta(hours=1)))
    check, raised = checkoff.record_spot_check(
        world.supervisor, world.lobby.id, results={mop.id: False, wipe.id: True}, reclean=True,
        photo_ids=[str(uuid.uuid4())], note="地面有水渍", receipt=receipt(MORNING + timedelta(hours=1)))
    assert [(i.task_id, i.passed, i.cleaner_id) for i in check.items] == [
        (mop.id, False, world.cleaner.id), (wipe.id, True, world.cleaner.id)]
    (reclean,) = raised
    assert rules.as_utc(reclean.due_at) == MORNING + timedelta(hours=3)

    view = today.today_for(world.cleaner, now=MORNING + timedelta(hours=1, minutes=5))
    cards = [c for c in view.groups[0].cards if c.reclean is not None]
    assert len(cards) == 1 and cards[0].when.startswith("返工")
    done = world.check_off(mop, reclean.slot, MORNING + timedelta(hours=2), method="tap")
    assert done.status == rules.ON_TIME

    report = reports.day_report(world.supervisor, world.site.id, DAY, now=MORNING + timedelta(hours=3))
    area = dict((p.name, t) for p, t in report.by_area)["1栋大堂"]
    assert (area.spot_pass, area.spot_fail) == (1, 1)
    assert dict(report.by_cleaner)["王保洁"].spot_fail == 1
    assert any(r.occ.slot == reclean.slot and r.status == rules.ON_TIME for r in report.rows)


def test_spot_check_scoping(world, elsewhere):
    task = world.task()
    with pytest.raises(NotFound):
        checkoff.record_spot_check(world.cleaner, world.lobby.id, results={task.id: True}, reclean=False,
                                   photo_ids=[], note="", receipt=receipt(MORNING))
    with pytest.raises(NotFound):  # a task of another area
        checkoff.record_spot_check(world.supervisor, world.road.id, results={task.id: True}, reclean=False,
                                   photo_ids=[], note="", receipt=receipt(MORNING))
    with pytest.raises(NotFound):
        checkoff.spot_form(world.supervisor, elsewhere[1].id)


# ---------------------------------------------------------------- reports


def test_day_report_on_time_late_missed_per_area_and_cleaner(world):
    road = world.task(world.road, title="扫路", action="sweep")
    lobby = world.task(title="拖大堂", done_before="07:30")
    toilet = world.task(title="清洁", kind="hourly", every_n=4, window_start="08:00", window_end="16:00")
    world.check_off(road, "2026-11-27", MORNING, user=world.other_cleaner)        # on time
    world.check_off(lobby, "2026-11-27", utc(2026, 11, 27, 0, 10))                # late (08:10 > 07:30)
    world.check_off(toilet, "2026-11-27T08:00", utc(2026, 11, 27, 1, 0))          # on time; 12:00 slot missed
    report = reports.day_report(world.supervisor, world.site.id, DAY, now=utc(2026, 11, 27, 12, 0))
    t = report.total
    assert (t.due, t.on_time, t.late, t.missed, t.open) == (4, 2, 1, 1, 0)
    areas = {p.name: tally for p, tally in report.by_area}
    assert (areas["主干道"].on_time, areas["1栋大堂"].missed) == (1, 1)
    cleaners = dict(report.by_cleaner)
    assert cleaners["李保洁"].on_time == 1
    assert (cleaners["王保洁"].on_time, cleaners["王保洁"].late, cleaners["王保洁"].missed) == (1, 1, 1)


def test_missed_monthly_task_stays_in_supervisor_view_until_done(world):
    task = world.task(title="擦窗", action="wipe", kind="monthly")
    report = reports.day_report(world.supervisor, world.site.id, DAY, now=MORNING)
    assert [(r.task.id, r.occ.slot) for r in report.carried] == [(task.id, "2026-10")]
    world.check_off(task, "2026-10", MORNING)
    later = reports.day_report(world.supervisor, world.site.id, DAY, now=MORNING + timedelta(hours=1))
    assert later.carried == []
    october = reports.day_report(world.supervisor, world.site.id, date(2026, 10, 31), now=MORNING)
    assert [r.status for r in october.rows] == [rules.LATE]


def test_occurrences_before_a_task_existed_are_not_counted(world):
    world.task(title="新任务", created_at=MORNING)
    assert reports.day_report(world.supervisor, world.site.id, DAY - timedelta(days=1), now=MORNING).total.due == 0
    assert reports.day_report(world.supervisor, world.site.id, DAY, now=MORNING).total.due == 1


def test_week_report_counts_per_day(world):
    task = world.task(title="扫", kind="weekly", weekdays="0,2,4")
    world.check_off(task, "2026-11-23", utc(2026, 11, 23, 2, 0))
    report = reports.week_report(world.supervisor, world.site.id, DAY, now=MORNING)
    assert report.monday == date(2026, 11, 23)
    assert [t.due for _d, t in report.days] == [1, 0, 1, 0, 1, 0, 0]
    assert (report.total.on_time, report.total.missed, report.total.open) == (1, 1, 1)


def test_reports_only_for_overseers_of_the_site(world, elsewhere):
    with pytest.raises(NotFound):
        reports.day_report(world.cleaner, world.site.id, DAY, now=MORNING)
    with pytest.raises(NotFound):
        reports.week_report(world.supervisor, elsewhere[0].id, DAY, now=MORNING)
    with pytest.raises(NotFound):
        reports.export_csv(world.cleaner, world.site.id, DAY, DAY, now=MORNING)


def test_export_csv_has_bom_and_one_row_per_occurrence(world):
    task = world.task(title="=拖地", done_before="07:30")
    world.check_off(task, "2026-11-27", utc(2026, 11, 26, 23, 0), note="+1 地滑")
    text = reports.export_csv(world.supervisor, world.site.id, DAY - timedelta(days=1), DAY, now=MORNING)
    assert text.startswith("\ufeff日期,小区")
    lines = text.strip().splitlines()
    assert len(lines) == 3
    assert "2026-11-27,保洁测试小区,CL01,1栋大堂,'=拖地" in lines[2] and "按时完成" in lines[2]
    assert "'+1 地滑" in lines[2]  # formula-looking notes neutralised
    assert "未完成" in lines[1]


@pytest.mark.parametrize("first, last, message", [
    ("2026-13-01", "2026-12-01", "日期格式"), (None, "2026-12-01", "日期格式"),
    ("2026-12-02", "2026-12-01", "不能早于"), ("2025-01-01", "2026-12-01", "最多导出"),
])
def test_export_date_range_errors(first, last, message):
    with pytest.raises(DomainError) as caught:
        parse_date_range(first, last)
    assert message in caught.value.message


def test_reclean_model_slot():
    assert ReClean(id=5).slot == "R5"
    assert SET_UP.year == 2026


def test_records_are_chained_and_append_only(world, tmp_path):
    """H5 / R27: check-offs, spot checks and re-cleans are linked into the site's hash
    chain (verify passes) and the database refuses to edit them."""
    from sqlalchemy import update
    from sqlalchemy.exc import DBAPIError

    from wuye_field.audit import chain
    from wuye_field.audit.models import ChainEntry
    from wuye_field.audit.triggers import make_append_only
    from wuye_field.cleaning.models import RECORD_TABLES

    task = world.task()
    world.check_off(task, "2026-11-27", MORNING)
    checkoff.record_spot_check(world.supervisor, world.lobby.id, results={task.id: False}, reclean=True,
                               photo_ids=[str(uuid.uuid4())], note="", receipt=receipt(MORNING))
    db.session.commit()
    kinds = list(db.session.scalars(select(ChainEntry.kind).where(ChainEntry.site_id == world.site.id)
                                    .order_by(ChainEntry.seq)))
    # the spot check's photo is linked (and the link chained) before the check's own records
    assert kinds == ["cleaning_checkoff", "photo_link", "cleaning_spot_check", "cleaning_spot_check_item",
                     "cleaning_reclean"]
    assert chain.verify(world.site.id, directory=tmp_path).ok
    # create_all installed the triggers; install again (idempotent) in case another test lifted them
    make_append_only(RECORD_TABLES)
    with pytest.raises(DBAPIError):
        db.session.execute(update(TaskCheckoff).values(note="改过"))
    db.session.rollback()
