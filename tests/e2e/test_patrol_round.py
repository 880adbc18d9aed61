"""Issue 4 proof: a full patrol round on a phone, online and then offline with one exception photo,
synced afterwards — each record stored exactly once, the round summary complete, the supervisor's
compliance board showing the visited key areas as patrolled."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from tests.e2e.conftest import jpeg_bytes, poll

pytestmark = pytest.mark.e2e

ROUTE = "楼栋巡查"  # CP05 配电房 … CP10 3栋天台, fixed order; CP06 水泵房 and CP07 消防控制室 ask a pressure reading
STOPS = ("CP05", "CP06", "CP07", "CP08", "CP09", "CP10")


def route_id(server) -> int:
    from wuye_field.patrol.models import Route

    return server.query(select(Route.id).where(Route.name == ROUTE))[0][0]


def round_records(server, user_id: int) -> dict:
    """What the server holds for the user's rounds: rounds, finishes, scans, inspections (with photo links)."""
    from wuye_field.photos.models import PhotoLink
    from wuye_field.patrol.models import Inspection, Round, RoundFinish, Scan

    rounds = [r for (r,) in server.query(select(Round).where(Round.user_id == user_id))]
    ids = [r.id for r in rounds] or [-1]
    inspections = [i for (i,) in server.query(select(Inspection).where(Inspection.round_id.in_(ids)))]
    links = {i.id: len(server.query(select(PhotoLink.id).where(PhotoLink.owner_kind == "inspection",
                                                               PhotoLink.owner_id == i.id))) for i in inspections}
    return {
        "rounds": rounds,
        "finishes": [f for (f,) in server.query(select(RoundFinish).where(RoundFinish.round_id.in_(ids)))],
        "scans": [s for (s,) in server.query(select(Scan).where(Scan.round_id.in_(ids)))],
        "inspections": inspections, "photo_links": links,
    }


def summary_of(server, round_id: int):
    from wuye_field.patrol.models import Round
    from wuye_field.patrol.rounds import round_summary

    with server.app.app_context():
        from wuye_field.extensions import db

        try:
            return round_summary(db.session.get(Round, round_id))
        finally:
            db.session.remove()


def inspect_all_normal(phone, tag_path: str, *, expect: str):
    """At a checkpoint: fill any reading in range, tap 「全部正常」, wait for `expect` in the result."""
    phone.goto(tag_path)
    form = phone.page.locator("form[data-action='inspection'][data-inspection-form]")
    for reading in form.locator("input[data-reading]").all():
        reading.fill("0.25")
    form.locator("button[data-all-ok]").click()
    form.locator("[data-outbox-result]").filter(has_text=expect).wait_for()


def test_full_round_online(phone_factory, server):
    guard_id = server.user_id("guard01")
    phone = phone_factory("guard-online")
    phone.login("guard01")
    round_path = f"/patrol/routes/{route_id(server)}/round"
    phone.goto("/")
    phone.page.locator("#home-patrol [data-start-patrol]").click()
    phone.page.locator(f"#route-list a[href='{round_path}']").click()
    phone.wait_ready()
    start = phone.page.locator("form[data-action='round-start']")
    assert phone.page.locator("[data-round-summary-link]").is_hidden()
    start.locator("button[type=submit]").click()
    start.locator("[data-outbox-result]").filter(has_text="开始巡更：楼栋巡查").wait_for()
    assert start.locator("button[type=submit]").is_hidden()
    assert phone.page.locator("form[data-action='round-finish']").is_visible()

    for code in STOPS:
        name, _token, printed = server.place(code)
        inspect_all_normal(phone, urlsplit(printed).path, expect=f"{name}：全部正常")

    phone.goto(round_path)
    assert phone.page.locator("#round-stops li[data-state='scanned']").count() == len(STOPS)
    finish = phone.page.locator("form[data-action='round-finish']")
    assert finish.is_visible() and not finish.locator("textarea[name=reason]").evaluate("t => t.required")
    finish.locator("button[type=submit]").click()
    finish.locator("[data-outbox-result]").filter(has_text="巡更结束：已巡 6/6，漏巡 0").wait_for()

    held = round_records(server, guard_id)
    assert len(held["rounds"]) == 1 and len(held["finishes"]) == 1
    assert sorted(s.place.code for s in held["scans"]) == list(STOPS)
    assert len(held["inspections"]) == len(STOPS) and all(i.all_ok for i in held["inspections"])
    summary = summary_of(server, held["rounds"][0].id)
    assert (summary.scanned, summary.missed, summary.out_of_order, summary.exceptions, summary.finished) == \
        (6, 0, 0, 0, True)

    phone.page.locator("[data-round-summary-link]").click()
    phone.wait_ready()
    assert phone.page.locator("[data-summary='scanned']").inner_text() == "6 / 6"


def test_full_round_offline_with_an_exception_photo_synced_afterwards(phone_factory, server):
    guard_id = server.user_id("guard02")
    round_path = f"/patrol/routes/{route_id(server)}/round"
    tag_paths = {code: urlsplit(server.place(code)[2]).path for code in STOPS}
    phone = phone_factory("guard-offline")
    phone.login("guard02")
    phone.wait_offline_ready(round_path)
    for path in tag_paths.values():
        poll(lambda path=path: phone.page.evaluate(
            "p => caches.open('pages-u' + document.body.dataset.userId).then(c => c.match(p)).then(Boolean)", path))

    phone.go_offline()
    phone.goto(round_path)  # from the page cache
    start = phone.page.locator("form[data-action='round-start']")
    start.locator("button[type=submit]").click()
    start.locator("[data-outbox-result]").filter(has_text="已保存在手机").wait_for()
    phone.page.locator("form[data-action='round-finish']").wait_for()  # the round screen switched to 「结束巡更」
    round_uuid = phone.page.evaluate(
        "() => JSON.parse(localStorage.getItem('wuye-round:' + document.body.dataset.userId)).uuid")

    for code in STOPS:
        if code == "CP08":  # 1栋天台: the door is open — an exception with a photo from the camera
            phone.goto(tag_paths[code])
            form = phone.page.locator("form[data-inspection-form]")
            form.locator("summary").click()
            form.locator("input[name=bad]").first.check()
            form.locator("textarea[name=note]").fill("天台门未锁")
            form.locator("input[name=severity][value=high]").check()
            photo = form.locator("input[data-photo]")
            assert photo.get_attribute("capture") == "environment"
            photo.set_input_files(files=[{"name": "IMG_0100.jpg", "mimeType": "image/jpeg",
                                          "buffer": jpeg_bytes(2400, 1800)}])
            form.locator("button[data-exception]").click()
            form.locator("[data-outbox-result]").filter(has_text="已保存在手机").wait_for()
        else:
            inspect_all_normal(phone, tag_paths[code], expect="已保存在手机")

    phone.goto(round_path)
    assert phone.page.locator("#round-stops li[data-state='queued']").count() == len(STOPS)
    finish = phone.page.locator("form[data-action='round-finish']")
    finish.locator("button[type=submit]").click()
    finish.locator("[data-outbox-result]").filter(has_text="已保存在手机").wait_for()
    phone.wait_badge("8 条待上传")  # start + 6 inspections + finish
    items = phone.outbox_items()
    assert all(dict(map(tuple, i["fields"])).get("round") == round_uuid for i in items)
    assert round_records(server, guard_id)["rounds"] == []

    phone.go_online()
    phone.wait_badge("已全部上传")
    held = poll(lambda: (r := round_records(server, guard_id)) and r["finishes"] and r)
    assert [r.client_uuid for r in held["rounds"]] == [round_uuid]  # exactly once
    assert sorted(s.place.code for s in held["scans"]) == list(STOPS)
    assert len(held["inspections"]) == len(STOPS)
    bad = [i for i in held["inspections"] if not i.all_ok]
    assert len(bad) == 1 and bad[0].note == "天台门未锁" and bad[0].severity == "high"
    assert held["photo_links"][bad[0].id] == 1
    summary = summary_of(server, held["rounds"][0].id)
    assert (summary.scanned, summary.missed, summary.exceptions, summary.finished) == (6, 0, 1, True)

    phone.goto(f"/patrol/rounds/{round_uuid}")
    assert phone.page.locator("[data-summary='exceptions']").inner_text() == "1"

    # P2: the supervisor's live board now shows the round's key areas as visited (ok), not overdue.
    board = phone_factory("supervisor")
    board.login("supervisor01")
    board.goto("/patrol/board")
    from wuye_field.places.models import Place

    key_stops = server.query(select(Place.id, Place.code).where(Place.code.in_(STOPS), Place.is_key_area.is_(True)))
    assert key_stops, "the demo route passes key areas"
    for place_id, code in key_stops:
        row = board.page.locator(f"[data-place-id='{place_id}']")
        assert row.get_attribute("data-state") == "ok", code
