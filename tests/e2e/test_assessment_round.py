"""Issue 17 proof for the inspector's round: inspector01, with no network, scores two items of last month, adds
an on-site deduction with a photo, accepts one proposed deduction and rejects the other with a reason; back online each
entry is stored exactly once (the photo with it); then the inspector and the site manager sign, and the
month takes nothing more."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.e2e.conftest import jpeg_bytes, poll, same_instant

pytestmark = pytest.mark.e2e

ENTRIES = "/assessment/entries"


def _proposals():
    from wuye_field.assessment.inputs import Proposal

    return [Proposal("P2.missed", "security", "巡更漏巡", 3, 1.5, "/reports/month", "P2"),
            Proposal("C3.late", "hygiene", "保洁超时", 2, 1.0, "/reports/month", "C3")]


def stored(server) -> list[dict]:
    from wuye_field.assessment.models import AssessmentEntry
    from wuye_field.photos.models import Photo, PhotoLink

    rows = []
    for (e,) in server.query(select(AssessmentEntry).order_by(AssessmentEntry.id)):
        links = [u for (u,) in server.query(select(PhotoLink.photo_uuid).where(
            PhotoLink.owner_kind == "assessment_entry", PhotoLink.owner_id == e.id))]
        photos = server.query(select(Photo.id).where(Photo.client_uuid.in_(links), Photo.user_id == e.user_id)) \
            if links else []
        rows.append({"uuid": e.client_uuid, "kind": e.kind, "item": e.item, "points": e.points, "note": e.note,
                     "key": e.proposal_key, "role": e.signer_role, "user_id": e.user_id, "device_time": e.device_time,
                     "links": links, "photos": len(photos)})
    return rows


def test_offline_round_syncs_once_then_both_sign(phone_factory, server, monkeypatch):
    from wuye_field.assessment import proposals

    monkeypatch.setattr(proposals, "propose", lambda site, month, *, now: _proposals())
    from wuye_field.core.months import month_of, previous_month, site_today
    from wuye_field.core.time import utcnow
    from wuye_field.places.models import Site

    ((site_id, tz),) = server.query(select(Site.id, Site.timezone).where(Site.code == "DEMO"))
    # Last month (as at a month's end): this month's page stays open for the page audit of the same server.
    month = previous_month(month_of(site_today(tz, utcnow())))
    path = f"/assessment/round/{site_id}/{month}"

    phone = phone_factory("inspector")
    phone.login("inspector01")
    assert phone.page.locator("#home-assessment").count() == 1  # on the inspector's home
    phone.wait_offline_ready(path)

    phone.go_offline()
    phone.goto(path)  # from the page cache
    page = phone.page
    for code, points in (("hygiene", "18"), ("security", "23.5")):
        form = page.locator(f"li[data-item={code}] form[data-action=assess-score]")
        form.locator("input[name=points]").fill(points)
        form.locator("button[type=submit]").click()
        form.locator("[data-outbox-result]").filter(has_text="已保存在手机").wait_for()

    onsite = page.locator("#round-onsite form[data-action=assess-onsite]")
    onsite.locator("select[name=item]").select_option("greening")
    onsite.locator("input[name=points]").fill("2")
    onsite.locator("textarea[name=note]").fill("中心绿地有枯枝未清")
    photo_input = onsite.locator("input[data-photo]")
    assert photo_input.get_attribute("capture") == "environment"
    photo_input.set_input_files(files=[{"name": "IMG_0101.jpg", "mimeType": "image/jpeg",
                                        "buffer": jpeg_bytes(2400, 1800)}])
    onsite.locator("button[type=submit]").click()
    onsite.locator("[data-outbox-result]").filter(has_text="已保存在手机").wait_for()

    accept = page.locator("li[data-proposal='P2.missed'] form")
    accept.locator("button[value=accept]").click()
    accept.locator("[data-outbox-result]").filter(has_text="已保存在手机").wait_for()
    reject = page.locator("li[data-proposal='C3.late'] form")
    reject.locator("input[name=note]").fill("当天全区停水，无法冲洗")
    reject.locator("button[value=reject]").click()
    reject.locator("[data-outbox-result]").filter(has_text="已保存在手机").wait_for()

    phone.wait_badge("5 条待上传")
    items = [i for i in phone.outbox_items() if i["url"] == ENTRIES]
    assert len(items) == 5 and sum(len(i["photos"]) for i in items) == 1
    assert stored(server) == []

    phone.go_online()
    phone.wait_badge("已全部上传")
    rows = poll(lambda: (r := stored(server)) and len(r) == 5 and all(x["photos"] == len(x["links"]) for x in r) and r)
    inspector_id = server.user_id("inspector01")
    assert {(r["kind"], r["item"], r["points"], r["key"]) for r in rows} == {
        ("score", "hygiene", 18.0, ""), ("score", "security", 23.5, ""), ("onsite", "greening", 2.0, ""),
        ("accept", "", None, "P2.missed"), ("reject", "", None, "C3.late")}
    assert all(r["user_id"] == inspector_id for r in rows)
    by_uuid = {r["uuid"]: r for r in rows}
    for item in items:  # each stored once, with the time it was made on the phone
        assert server.wsgi.posts(ENTRIES, item["id"]).count(201) == 1
        assert same_instant(by_uuid[item["id"]]["device_time"], item["created_at"])
    onsite_row = next(r for r in rows if r["kind"] == "onsite")
    assert onsite_row["note"] == "中心绿地有枯枝未清" and onsite_row["photos"] == 1
    assert next(r for r in rows if r["kind"] == "reject")["note"] == "当天全区停水，无法冲洗"

    # Online again: the page shows what was recorded (a navigation slower than the worker's 4 s falls back
    # to the cached copy, so look again until the server's answer is there).
    poll(lambda: phone.goto(path) or "已评" in page.locator("li[data-item=hygiene]").inner_text(), timeout=40)
    assert page.locator("li[data-proposal='C3.late'] [data-decision=rejected]").count() == 1
    page.locator("button[data-sign=inspector]").click()
    page.locator("#round-signatures [data-outbox-result]").filter(has_text="已记录").wait_for()

    manager = phone_factory("manager")
    manager.login("supervisor01")
    manager.goto(path)
    assert manager.page.locator("button[data-sign=inspector]").count() == 0
    manager.page.locator("button[data-sign=manager]").click()
    manager.page.locator("#round-signatures [data-outbox-result]").filter(has_text="已记录").wait_for()
    signed = poll(lambda: (r := [x for x in stored(server) if x["kind"] == "sign"]) and len(r) == 2 and r)
    assert {r["role"] for r in signed} == {"inspector", "manager"}
    poll(lambda: manager.goto(path) or manager.page.locator("#round-locked").count() == 1, timeout=40)
    assert manager.page.locator("form[data-action=assess-score]").count() == 0
    assert "孙建国" in manager.page.locator("#round-signatures").inner_text()

    # The month's result and its PDF show the same score.
    manager.goto(f"/assessment/month?site={site_id}&month={month}")
    shown = {name: manager.page.locator(f"#score [data-figure={name}]").inner_text()
             for name in ("total", "inspection", "survey")}
    assert shown["inspection"] not in ("", "—")
    pdf = manager.page.request.get(f"{server.url}/assessment/month.pdf?site={site_id}&month={month}")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")
    plain = {name: "none" if text == "—" else text for name, text in shown.items()}
    assert (f"total={plain['total']} inspection={plain['inspection']} survey={plain['survey']}".encode()
            in pdf.body()), pdf.body()[-600:]

