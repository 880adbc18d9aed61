"""Issue 6 proof: a cleaner checks off two tasks at an area's tag with no network (one with a photo); back
online, each is stored exactly once and the supervisor's day view shows both done."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from tests.e2e.conftest import jpeg_bytes, poll

pytestmark = pytest.mark.e2e

AREA = "CL05"  # 主干道: C2 sweep (daily) and C4 drains (daily, photo required) — open all day


def area_tasks(server, code: str) -> dict[str, int]:
    """{title: task id} of the daily tasks on a demo area."""
    from wuye_field.cleaning.models import CleaningTask
    from wuye_field.places.models import Place

    rows = server.query(select(CleaningTask.title, CleaningTask.id, CleaningTask.photo_required)
                        .join(Place, Place.id == CleaningTask.place_id)
                        .where(Place.code == code, CleaningTask.kind == "daily"))
    return {title: (task_id, photo) for title, task_id, photo in rows}


def checkoffs(server, user_id: int) -> list[dict]:
    """The check-offs stored for a user, with their photos' arrival."""
    from wuye_field.cleaning.models import TaskCheckoff
    from wuye_field.photos.models import Photo, PhotoLink

    result = []
    for (row,) in server.query(select(TaskCheckoff).where(TaskCheckoff.user_id == user_id)):
        links = [uuid for (uuid,) in server.query(select(PhotoLink.photo_uuid).where(
            PhotoLink.owner_kind == "cleaning_checkoff", PhotoLink.owner_id == row.id))]
        photos = server.query(select(Photo.id).where(Photo.client_uuid.in_(links), Photo.user_id == user_id))
        result.append({"task_id": row.task_id, "slot": row.slot, "method": row.method, "uuid": row.client_uuid,
                       "links": len(links), "photos": len(photos)})
    return result


def card(phone, task_id: int):
    return phone.page.locator(f"#clean-panel article[data-task-id='{task_id}']").first


def test_offline_check_off_at_the_tag_reaches_the_supervisor_once(phone_factory, server):
    name, _token, printed_url = server.place(AREA)
    tag_path = urlsplit(printed_url).path  # the printed sheet names another host; the phone opens the path
    tasks = area_tasks(server, AREA)
    (sweep_id, _), (drain_id, drain_photo) = tasks["清扫路面"], tasks["清理水沟、沙井"]
    assert drain_photo
    cleaner_id = server.user_id("cleaner01")
    # The supervisor's day view before: other tests on the shared server check off tasks of the day too, so
    # this test counts only the check-offs it adds.
    supervisor = phone_factory("supervisor")
    supervisor.login("supervisor01")
    supervisor.goto("/cleaning/report")
    today = supervisor.page.locator("#clean-report h2").inner_text().rsplit(" ", 1)[-1]
    on_time_before = int(supervisor.page.locator(".clean-stats").get_attribute("data-on-time"))

    phone = phone_factory("cleaner")
    phone.login("cleaner01")
    phone.wait_offline_ready(tag_path)

    phone.go_offline()
    phone.goto(tag_path)  # from this user's page cache, as if the phone camera opened the tag
    assert phone.page.locator("h1.place-name").inner_text() == name

    sweep = card(phone, sweep_id)
    assert sweep.locator("input[name=method]").get_attribute("value") == "scan"
    sweep.locator("button[type=submit]").click()
    sweep.locator("[data-outbox-result]").filter(has_text="已保存在手机").wait_for()

    drain = card(phone, drain_id)
    photo_input = drain.locator("input[data-photo]")
    assert photo_input.get_attribute("capture") == "environment"
    photo_input.set_input_files(files=[{"name": "IMG_0002.jpg", "mimeType": "image/jpeg",
                                        "buffer": jpeg_bytes(2400, 1800)}])
    drain.locator("button[type=submit]").click()
    drain.locator("[data-outbox-result]").filter(has_text="已保存在手机").wait_for()

    # Done at once on the phone: the check button is gone from both cards, two items wait.
    assert sweep.locator("button[type=submit]").is_hidden() and drain.locator("button[type=submit]").is_hidden()
    phone.wait_badge("2 条待上传")
    items = phone.outbox_items()
    assert sorted(len(i["photos"]) for i in items) == [0, 1]
    assert all(dict(map(tuple, i["fields"]))["method"] == "scan" for i in items)
    assert checkoffs(server, cleaner_id) == []

    phone.go_online()
    phone.wait_badge("已全部上传")
    stored = poll(lambda: (rows := checkoffs(server, cleaner_id)) and len(rows) == 2 and rows)
    assert sorted(r["uuid"] for r in stored) == sorted(i["id"] for i in items)  # exactly once each
    by_task = {r["task_id"]: r for r in stored}
    assert set(by_task) == {sweep_id, drain_id}
    assert all(r["method"] == "scan" for r in stored)
    assert (by_task[drain_id]["links"], by_task[drain_id]["photos"]) == (1, 1)
    slot = by_task[sweep_id]["slot"]

    assert str(slot) == today
    supervisor.goto(f"/cleaning/report?date={slot}")
    rows = supervisor.page.locator("#clean-rows li[data-task-id]")
    for task_id in (sweep_id, drain_id):
        mine = supervisor.page.locator(f"#clean-rows li[data-task-id='{task_id}'][data-slot='{slot}']")
        assert mine.count() == 1
        assert mine.get_attribute("data-status") == "on_time"
        assert "王秀英" in mine.inner_text() and "扫码" in mine.inner_text()
    assert rows.count() >= 2
    assert int(supervisor.page.locator(".clean-stats").get_attribute("data-on-time")) == on_time_before + 2
