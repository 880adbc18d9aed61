"""Cleaning routes: pages and htmx fragments (+ Vary), the idempotent check-off contract, access, export."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from wuye_field.cleaning.models import CleaningTask, ReClean, SpotCheck, TaskCheckoff
from wuye_field.core.time import as_utc, utcnow
from wuye_field.extensions import db

HX = {"HX-Request": "true"}


def field_headers(key: str | None = None, when: datetime | None = None) -> dict:
    """The outbox's headers for a field POST (README "How offline works")."""
    when = when or utcnow()
    return {"Idempotency-Key": key or str(uuid.uuid4()), "X-Device-Time": when.isoformat(),
            "X-Device-Sent-At": utcnow().isoformat(), "Accept": "application/json"}


def today_slot(task: CleaningTask) -> str:
    """Today's slot of a daily task, in the site's zone."""
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo(task.place.site.timezone)).date().isoformat()


@pytest.fixture
def mop(world):
    return world.task(title="拖大堂")


def login(auth, who: str) -> None:
    response = auth.login(who, "wuye-demo")
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:300]


# ---------------------------------------------------------------- 今日任务


def test_today_page_and_fragment(client, auth, world, mop):
    login(auth, "c1")
    page = client.get("/cleaning/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<html" in html and "今日任务" in html
    assert "1栋大堂" in html and "拖大堂" in html and "0 / 1" in html
    assert "HX-Request" in page.headers["Vary"]
    assert 'data-action="task-done"' not in html  # the site does not allow tapping: scan at the area
    fragment = client.get("/cleaning/", headers=HX)
    assert fragment.status_code == 200 and "<html" not in fragment.get_data(as_text=True)
    assert 'id="clean-today"' in fragment.get_data(as_text=True) and "HX-Request" in fragment.headers["Vary"]


def test_today_with_tapping_allowed_has_tap_forms(client, auth, world, mop):
    world.allow_tap()
    db.session.commit()
    login(auth, "c1")
    html = client.get("/cleaning/").get_data(as_text=True)
    assert 'data-action="task-done"' in html and 'name="method" value="tap"' in html and "data-outbox" in html


@pytest.mark.parametrize("who, status", [("s1", 403), ("a1", 403)])
def test_today_is_for_cleaners(client, auth, world, who, status):
    login(auth, who)
    assert client.get("/cleaning/").status_code == status


def test_today_needs_login(client, world):
    assert client.get("/cleaning/").status_code in (302, 401)


# ---------------------------------------------------------------- the tag page panel


def test_tag_page_lists_due_tasks_with_one_tap_each(client, auth, world, mop):
    world.task(title="冲洗", action="wash", photo_required=True)
    db.session.commit()
    login(auth, "c1")
    html = client.get(f"/t/{world.lobby.tag_token}").get_data(as_text=True)
    assert html.count('data-action="task-done"') == 2
    assert 'name="method" value="scan"' in html and f'name="slot" value="{today_slot(mop)}"' in html
    assert 'capture="environment"' in html and "data-photo required" in html
    assert html.count('data-action="defect"') == 1  # one problem form: a defect with photo (issue 6)


def test_tag_page_for_supervisor_offers_spot_check(client, auth, world, mop):
    login(auth, "s1")
    html = client.get(f"/t/{world.lobby.tag_token}").get_data(as_text=True)
    assert 'data-action="task-done"' not in html and f"/cleaning/spot/{world.lobby.id}" in html


# ---------------------------------------------------------------- check-off contract


def test_check_off_stored_then_replayed_then_conflict(client, auth, world, mop):
    """R1, R2: 201 stored, same key+body 200 replay, same key other body 409; one row."""
    login(auth, "c1")
    headers = field_headers()
    form = {"task_id": mop.id, "slot": today_slot(mop), "method": "scan"}
    first = client.post("/cleaning/done", data=form, headers=headers)
    assert first.status_code == 201, first.get_data(as_text=True)
    assert first.json["status"] == "stored" and first.json["message"] == "已完成：1栋大堂 · 拖大堂"
    replay = client.post("/cleaning/done", data=form, headers=headers)
    assert replay.status_code == 200 and replay.json == first.json
    assert replay.headers["Idempotent-Replayed"] == "true"
    conflict = client.post("/cleaning/done", data=form | {"note": "不同"}, headers=headers)
    assert conflict.status_code == 409 and conflict.json["error"] == "conflict"
    assert db.session.scalar(select(func.count(TaskCheckoff.id))) == 1


@pytest.mark.parametrize("form, status, error", [
    ({"slot": "2026-02-30", "method": "scan"}, 422, "checkoff_refused"),
    ({"method": "tap"}, 403, "scan_required"),
    ({"method": "scan", "photo_ids": "not-a-uuid"}, 400, "invalid_photo_ids"),
])
def test_check_off_refusals_are_json_in_chinese(client, auth, world, mop, form, status, error):
    login(auth, "c1")
    response = client.post("/cleaning/done", data={"task_id": mop.id, "slot": today_slot(mop)} | form,
                           headers=field_headers())
    assert response.status_code == status and response.json["error"] == error
    assert any("\u4e00" <= ch <= "\u9fff" for ch in response.json["message"])
    assert db.session.scalar(select(func.count(TaskCheckoff.id))) == 0


def test_photo_required_check_off_with_photo_ids(client, auth, world):
    task = world.task(title="冲洗", photo_required=True)
    db.session.commit()
    login(auth, "c1")
    form = {"task_id": task.id, "slot": today_slot(task), "method": "scan"}
    missing = client.post("/cleaning/done", data=form, headers=field_headers())
    assert missing.status_code == 422 and "拍照" in missing.json["message"]
    stored = client.post("/cleaning/done", data=form | {"photo_ids": str(uuid.uuid4())}, headers=field_headers())
    assert stored.status_code == 201 and stored.json["checkoff"]["pending_photos"] == 1


def test_check_off_foreign_or_unknown_task_is_404(client, auth, world, elsewhere):
    login(auth, "c1")
    for task_id in (elsewhere[3].id, 999999, "abc"):
        response = client.post("/cleaning/done", data={"task_id": task_id, "slot": "2026-11-27", "method": "scan"},
                               headers=field_headers())
        assert response.status_code == 404


def test_check_off_without_protocol_headers_is_400(client, auth, world, mop):
    login(auth, "c1")
    response = client.post("/cleaning/done", data={"task_id": mop.id, "slot": today_slot(mop), "method": "scan"},
                           headers={"Accept": "application/json"})
    assert response.status_code == 400


# ---------------------------------------------------------------- supervisor


def test_day_view_page_fragment_and_counts(client, auth, world, mop):
    login(auth, "c1")
    client.post("/cleaning/done", data={"task_id": mop.id, "slot": today_slot(mop), "method": "scan"},
                headers=field_headers())
    auth.logout()
    login(auth, "s1")
    page = client.get(f"/cleaning/report?site={world.site.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "保洁日报" in html and 'data-on-time="1"' in html
    assert "按时完成" in html and "王保洁" in html and "HX-Request" in page.headers["Vary"]
    fragment = client.get(f"/cleaning/report?site={world.site.id}&date={today_slot(mop)}", headers=HX)
    assert "<html" not in fragment.get_data(as_text=True) and 'id="clean-report"' in fragment.get_data(as_text=True)


def test_week_view(client, auth, world, mop):
    login(auth, "s1")
    response = client.get(f"/cleaning/report/week?site={world.site.id}&date=2026-11-27")
    assert response.status_code == 200 and "2026-11-23 起一周" in response.get_data(as_text=True)
    assert "<html" not in client.get(f"/cleaning/report/week?site={world.site.id}", headers=HX).get_data(as_text=True)


def test_day_view_bad_date_foreign_site_and_cleaner(client, auth, world, elsewhere):
    login(auth, "s1")
    bad = client.get(f"/cleaning/report?site={world.site.id}&date=2026-02-30")
    assert bad.status_code == 400 and "日期格式" in bad.get_data(as_text=True)
    assert client.get(f"/cleaning/report?site={elsewhere[0].id}").status_code == 404
    auth.logout()
    login(auth, "c1")
    assert client.get("/cleaning/report").status_code == 403


def test_spot_check_form_and_post(client, auth, world, mop):
    login(auth, "s1")
    page = client.get(f"/cleaning/spot/{world.lobby.id}")
    assert page.status_code == 200 and 'data-action="spot-check"' in page.get_data(as_text=True)
    response = client.post(f"/cleaning/spot/{world.lobby.id}",
                           data={f"result_{mop.id}": "fail", "reclean": "1", "photo_ids": str(uuid.uuid4())},
                           headers=field_headers())
    assert response.status_code == 201 and "已安排 1 项返工" in response.json["message"]
    assert db.session.scalar(select(func.count(SpotCheck.id))) == 1
    assert db.session.scalar(select(func.count(ReClean.id))) == 1


def test_spot_check_for_cleaner_or_foreign_area(client, auth, world, elsewhere, mop):
    login(auth, "s1")
    assert client.get(f"/cleaning/spot/{elsewhere[1].id}").status_code == 404
    auth.logout()
    login(auth, "c1")
    assert client.get(f"/cleaning/spot/{world.lobby.id}").status_code == 403
    response = client.post(f"/cleaning/spot/{world.lobby.id}", data={f"result_{mop.id}": "pass"},
                           headers=field_headers())
    assert response.status_code == 404


# ---------------------------------------------------------------- export


def test_export_csv_with_bom(client, auth, world, mop):
    login(auth, "s1")
    response = client.get(f"/export/cleaning.csv?site={world.site.id}&date_from=2026-11-01&date_to=2026-11-30")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")
    assert len(response.data.decode("utf-8-sig").strip().splitlines()) == 31
    assert "attachment" in response.headers["Content-Disposition"]
    by_code = client.get(f"/export/cleaning.csv?site={world.site.code}&date_from=2026-11-01&date_to=2026-11-30")
    assert by_code.data == response.data  # site=<code>, like the other exports


@pytest.mark.parametrize("query, status", [
    ("date_from=2026-11-31&date_to=2026-12-01", 400),
    ("date_from=2026-12-02&date_to=2026-12-01", 400),
    ("date_to=2026-12-01", 400),
])
def test_export_bad_dates(client, auth, world, query, status):
    login(auth, "s1")
    response = client.get(f"/export/cleaning.csv?site={world.site.id}&{query}")
    assert response.status_code == status
    assert any("\u4e00" <= ch <= "\u9fff" for ch in response.get_data(as_text=True))


def test_export_only_for_overseers_of_the_site(client, auth, world, elsewhere):
    login(auth, "s1")
    days = "date_from=2026-11-01&date_to=2026-11-02"
    assert client.get(f"/export/cleaning.csv?site={elsewhere[0].id}&{days}").status_code == 404
    assert client.get(f"/export/cleaning.csv?site={elsewhere[0].code}&{days}").status_code == 404
    assert client.get(f"/export/cleaning.csv?site=NOSUCH&{days}").status_code == 404
    auth.logout()
    login(auth, "c1")
    assert client.get(f"/export/cleaning.csv?site={world.site.id}&{days}").status_code == 404


# ---------------------------------------------------------------- admin


def test_admin_page_and_standard_set_in_one_action(client, auth, world):
    login(auth, "a1")
    page = client.get(f"/cleaning/admin/sites/{world.site.id}")
    assert page.status_code == 200 and "一键应用标准任务" in page.get_data(as_text=True)
    response = client.post(f"/cleaning/admin/sites/{world.site.id}/standard", headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html and "已添加" in html and "拖洗大堂地面" in html
    assert "HX-Request" in response.headers["Vary"]
    again = client.post(f"/cleaning/admin/sites/{world.site.id}/standard", headers=HX)
    assert "没有新增" in again.get_data(as_text=True)


def test_admin_edit_task_validation_and_save(client, auth, world, mop):
    login(auth, "a1")
    assert client.get(f"/cleaning/admin/tasks/{mop.id}").status_code == 200
    bad = client.post(f"/cleaning/admin/tasks/{mop.id}", headers=HX,
                      data={"title": "", "action": "mop", "kind": "weekly"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 200 and "请填写任务内容" in html and "请至少选择一天" in html
    good = client.post(f"/cleaning/admin/tasks/{mop.id}", headers=HX,
                       data={"title": "拖大堂", "action": "mop", "kind": "weekly", "weekdays": ["0", "3"],
                             "done_before": "07:30", "photo_required": "1"})
    assert "已保存" in good.get_data(as_text=True)
    task = db.session.get(CleaningTask, mop.id)
    db.session.refresh(task)
    assert (task.kind, task.weekdays, task.done_before, task.photo_required) == ("weekly", "0,3", "07:30", True)


def test_admin_new_task_and_deactivate(client, auth, world):
    login(auth, "a1")
    created = client.post(f"/cleaning/admin/areas/{world.road.id}/tasks",
                          data={"title": "冲洗路面", "action": "wash", "kind": "every_n_days", "every_n": "3",
                                "anchor": "2026-11-01"})
    assert created.status_code == 303
    task = db.session.scalar(select(CleaningTask).where(CleaningTask.title == "冲洗路面"))
    assert client.post(f"/cleaning/admin/tasks/{task.id}/active", data={"active": "0"}).status_code == 303
    db.session.refresh(task)
    assert not task.active


def test_admin_assign_and_settings(client, auth, world):
    login(auth, "a1")
    response = client.post(f"/cleaning/admin/areas/{world.lobby.id}/cleaners", headers=HX,
                           data={"cleaners": [str(world.cleaner.id), str(world.other_cleaner.id)]})
    assert "已保存「1栋大堂」的保洁员" in response.get_data(as_text=True)
    bad = client.post(f"/cleaning/admin/sites/{world.site.id}/settings", headers=HX, data={"reclean_hours": "99"})
    assert "返工时限须为 1–48 小时" in bad.get_data(as_text=True)
    ok = client.post(f"/cleaning/admin/sites/{world.site.id}/settings", headers=HX,
                     data={"allow_tap": "1", "reclean_hours": "4"})
    assert "已保存" in ok.get_data(as_text=True)


@pytest.mark.parametrize("who, status", [("s1", 403), ("c1", 403)])
def test_admin_pages_for_admins_only(client, auth, world, who, status):
    login(auth, who)
    assert client.get(f"/cleaning/admin/sites/{world.site.id}").status_code == status


def test_admin_foreign_ids_are_404(client, auth, world, elsewhere):
    login(auth, "a1")
    site, area, _cleaner, task = elsewhere
    assert client.get(f"/cleaning/admin/sites/{site.id}").status_code == 404
    assert client.get(f"/cleaning/admin/tasks/{task.id}").status_code == 404
    assert client.get(f"/cleaning/admin/areas/{area.id}/tasks").status_code == 404
    assert client.post(f"/cleaning/admin/areas/{area.id}/cleaners", data={}).status_code == 404


def test_aware_now_is_used(world):
    assert utcnow().tzinfo == timezone.utc


def test_check_off_from_a_phone_with_a_wrong_clock(client, auth, world, mop):
    """R13: device and receive times are both kept; a clock 2 h fast is flagged and corrected."""
    from datetime import timedelta

    login(auth, "c1")
    now = utcnow()
    fast = (now + timedelta(hours=2)).isoformat()
    headers = field_headers(when=now + timedelta(hours=2)) | {"X-Device-Sent-At": fast}
    response = client.post("/cleaning/done", data={"task_id": mop.id, "slot": today_slot(mop), "method": "scan"},
                           headers=headers)
    assert response.status_code == 201
    row = db.session.scalar(select(TaskCheckoff))
    assert row.skew_flagged and row.clock_skew_seconds == pytest.approx(7200, abs=60)
    assert abs((as_utc(row.done_at) - now).total_seconds()) < 60
