"""The inspector's round through its routes, as the phone's outbox sends them (issue 17 items 3 and 5):
role and site scoping, replays stored once, a rejection needs its reason, nothing after both signatures or
after the month's close, and `decisions()` folding the entries (latest wins)."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.sync.helpers import headers, jpeg, new_key, post_photo
from wuye_field.assessment import entries, proposals
from wuye_field.assessment.inputs import Proposal
from wuye_field.assessment.models import AssessmentEntry
from wuye_field.audit import chain
from wuye_field.core.time import utcnow
from wuye_field.extensions import db

FIXED = [Proposal("P2.missed", "security", "巡更漏巡", 3, 1.5, "/reports/month?x=1", "P2"),
         Proposal("C3.late", "hygiene", "保洁超时", 2, 1.0, "/reports/month?x=2", "C3")]


@pytest.fixture(autouse=True)
def two_proposals(monkeypatch):
    monkeypatch.setattr(proposals, "propose", lambda site, month, *, now: list(FIXED))


@pytest.fixture
def month(demo):
    return utcnow().astimezone().strftime("%Y-%m")


def post(client, site_id, month, key=None, **fields):
    return client.post("/assessment/entries", data={"site_id": site_id, "month": month} | fields, headers=headers(key))


def count() -> int:
    return db.session.scalar(select(func.count(AssessmentEntry.id)))


def test_the_inspector_scores_decides_and_the_chain_holds(client, auth, demo, month):
    assert auth.login("inspector01").status_code == 302
    assert post(client, demo.id, month, kind="score", item="hygiene", points="18").status_code == 201
    assert post(client, demo.id, month, kind="score", item="hygiene", points="17.5").status_code == 201
    assert post(client, demo.id, month, kind="accept", proposal_key="P2.missed").status_code == 201
    assert post(client, demo.id, month, kind="reject", proposal_key="C3.late", note="当天停水").status_code == 201
    decided = entries.decisions(demo.id, month)
    assert decided.item_scores == {"hygiene": 17.5}
    assert decided.accepted == frozenset({"P2.missed"}) and decided.rejected == {"C3.late": "当天停水"}
    assert chain.verify(demo.id).ok
    page = client.get(f"/assessment/round/{demo.id}/{month}").get_data(as_text=True).replace("\xa0", " ")
    assert "已评 17.5 分" in page and "当天停水" in page and 'data-action="assess-score"' in page


def test_a_replay_stores_once(client, auth, demo, month):
    auth.login("inspector01")
    key = new_key()
    first = post(client, demo.id, month, key, kind="score", item="security", points="22")
    again = post(client, demo.id, month, key, kind="score", item="security", points="22")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.headers.get("Idempotent-Replayed") == "true" and count() == 1


def test_a_rejection_needs_its_reason(client, auth, demo, month):
    auth.login("inspector01")
    refused = post(client, demo.id, month, kind="reject", proposal_key="P2.missed", note="  ")
    assert refused.status_code == 400
    assert refused.get_json()["message"] == "驳回建议扣分须写明理由。" and count() == 0


@pytest.mark.parametrize("fields, message", [
    ({"kind": "score", "item": "hygiene", "points": "21"}, "分数应在 0 到 20 之间。"),
    ({"kind": "score", "item": "nope", "points": "1"}, "考核表里没有这一项。"),
    ({"kind": "accept", "proposal_key": "X.gone"}, "这项建议扣分本月已不存在，请刷新页面后再看。"),
    ({"kind": "onsite", "item": "greening", "points": "2", "note": ""}, "请写明现场发现的问题。"),
    ({"kind": "reprimand", "reprimand_kind": "authority", "doc_number": "甲方〔2026〕3号"},
     "请拍下通报批评文件（扫描件或照片）。"),
])
def test_bad_entries_are_refused_in_chinese(client, auth, demo, month, fields, message):
    auth.login("inspector01")
    refused = post(client, demo.id, month, **fields)
    assert refused.status_code == 400 and refused.get_json()["message"] == message and count() == 0


def test_an_onsite_deduction_keeps_its_photo(client, auth, demo, month):
    auth.login("inspector01")
    photo = new_key()
    assert post_photo(client, jpeg(800, 600), photo).status_code == 201
    stored = post(client, demo.id, month, kind="onsite", item="greening", points="2", note="草坪有垃圾",
                  photo_ids=photo)
    assert stored.status_code == 201
    (deduction,) = entries.decisions(demo.id, month).onsite
    assert (deduction.item, deduction.points, deduction.note, len(deduction.photo_ids)) == ("greening", 2.0,
                                                                                           "草坪有垃圾", 1)
    assert deduction.by == "孙建国"
    assert chain.verify(demo.id).ok
    page = client.get(f"/assessment/round/{demo.id}/{month}")
    assert page.status_code == 200 and "草坪有垃圾" in page.get_data(as_text=True)
    assert f"/photos/{photo}/thumb.jpg" in page.get_data(as_text=True)


def test_an_inspector_of_another_site_sees_nothing_of_this_one(client, auth, demo, month, factories):
    other = factories.site(code="ELSE", name="别处")
    factories.user(role="inspector", site=other, staff_no="insp09", password="wuye-demo")
    db.session.commit()
    auth.login("insp09")
    assert client.get(f"/assessment/round/{demo.id}").status_code == 404
    assert post(client, demo.id, month, kind="score", item="hygiene", points="18").status_code == 404
    assert client.get(f"/reports/month?site={demo.id}&month={month}").status_code == 404
    assert count() == 0


def test_an_inspector_reads_but_records_no_field_data(client, auth, demo, month, ids):
    auth.login("inspector01")
    assert client.get(f"/reports/month?site={demo.id}&month={month}").status_code == 200
    assert client.get("/").status_code == 200
    incident = client.post("/incidents/", data={"category": "theft", "what": "x", "site_id": demo.id},
                           headers=headers())
    defect = client.post("/defects", data={"place_id": ids["place"], "category": "fire", "severity": "high",
                                           "note": "x"}, headers=headers())
    complaint = client.post("/incidents/complaints", data={"site_id": demo.id, "who": "x", "what": "x"},
                            headers=headers())
    assert incident.status_code in (403, 404) and defect.status_code in (403, 404)
    assert complaint.status_code in (403, 404, 405)
    assert client.post("/reports/month/close", data={"site": demo.id, "month": month}).status_code == 403


def test_a_guard_cannot_do_the_round(client, auth, demo, month):
    auth.login("guard01")
    assert client.get("/assessment/round").status_code == 403
    assert post(client, demo.id, month, kind="score", item="hygiene", points="18").status_code == 404


def test_after_both_signatures_nothing_changes_the_month(client, auth, demo, month):
    auth.login("inspector01")
    assert post(client, demo.id, month, kind="score", item="hygiene", points="18").status_code == 201
    assert post(client, demo.id, month, kind="sign", signer_role="manager").status_code == 403
    assert post(client, demo.id, month, kind="sign", signer_role="inspector").status_code == 201
    again = post(client, demo.id, month, kind="sign", signer_role="inspector")
    assert again.status_code == 409 and again.get_json()["message"] == "甲方检查员已经签过字。"
    assert post(client, demo.id, month, kind="score", item="hygiene", points="19").status_code == 201  # one side only
    auth.logout()
    auth.login("supervisor01")
    assert post(client, demo.id, month, kind="sign", signer_role="manager").status_code == 201
    auth.logout()
    auth.login("inspector01")
    late = post(client, demo.id, month, kind="score", item="hygiene", points="20")
    assert late.status_code == 409
    assert late.get_json()["message"] == f"{month} 的考核已由甲方检查员和管理处双方签字，不能再更改。"
    decided = entries.decisions(demo.id, month)
    assert decided.item_scores == {"hygiene": 19.0}
    assert {s.role: s.name for s in decided.signatures} == {"inspector": "孙建国", "manager": "陈静"}
    page = client.get(f"/assessment/round/{demo.id}/{month}").get_data(as_text=True)
    assert 'data-action="assess-score"' not in page and "双方签字" in page


def test_a_closed_month_takes_no_entry(client, auth, demo):
    from wuye_field.core.months import previous_month
    from wuye_field.reports.close import close_month

    last = previous_month(utcnow().astimezone().strftime("%Y-%m"))
    close_month(demo, last, actor=None, now=utcnow())
    db.session.commit()
    auth.login("inspector01")
    refused = post(client, demo.id, last, kind="score", item="hygiene", points="18")
    assert refused.status_code == 409 and refused.get_json()["message"] == f"{last} 已关账，考核记录不能再更改。"


def test_a_month_not_begun_takes_nothing(client, auth, demo):
    auth.login("inspector01")
    refused = post(client, demo.id, "2099-01", kind="score", item="hygiene", points="18")
    assert refused.status_code == 400 and count() == 0


def test_latest_made_wins_even_when_it_arrives_first(client, auth, demo, month):
    """Two phones offline: the score made later counts, whichever arrived first."""
    auth.login("inspector01")
    now = datetime.now().astimezone()
    later, earlier = now - timedelta(minutes=5), now - timedelta(minutes=30)
    client.post("/assessment/entries", data={"site_id": demo.id, "month": month, "kind": "score", "item": "repairs",
                                             "points": "15"}, headers=headers(device_time=later))
    client.post("/assessment/entries", data={"site_id": demo.id, "month": month, "kind": "score", "item": "repairs",
                                             "points": "12"}, headers=headers(device_time=earlier))
    assert entries.decisions(demo.id, month).item_scores == {"repairs": 15.0}


def test_the_round_is_on_the_inspectors_home_and_offline(client, auth, demo):
    auth.login("inspector01")
    home = client.get("/").get_data(as_text=True)
    assert "考核检查" in home and f"/assessment/round/{demo.id}" in home
    assert "甲方检查员 · 示范小区" in home  # the greeting names the inspector's site
    manifest = client.get("/sync/manifest").get_json()
    assert any(p.startswith(f"/assessment/round/{demo.id}") for p in manifest["pages"])


def test_an_entry_by_an_inspector_who_lost_the_site_offline_is_kept_aside(client, auth, demo, month):
    """R12: the round made offline by an inspector whose role ended meanwhile is quarantined, not lost."""
    from wuye_field.accounts.services import find_user_by_login, set_roles
    from wuye_field.sync.models import QuarantineItem

    auth.login("inspector01")
    set_roles(find_user_by_login("inspector01"), {})
    db.session.commit()
    response = post(client, demo.id, month, kind="score", item="hygiene", points="18")
    assert response.status_code == 409 and response.get_json()["status"] == "quarantined"
    item = db.session.scalar(select(QuarantineItem))
    assert item.endpoint == "assessment.record" and item.site_id == demo.id and count() == 0


def test_a_supervisor_records_a_reprimand_with_its_scan_and_an_admin_only_signs(client, auth, demo, month):
    auth.login("supervisor01")
    scan = new_key()
    assert post_photo(client, jpeg(1200, 1600), scan).status_code == 201
    stored = post(client, demo.id, month, kind="reprimand", reprimand_kind="instruction", doc_number="甲方〔2026〕7号",
                  note="未按要求清理消防通道", photo_ids=scan)
    assert stored.status_code == 201
    (reprimand,) = entries.decisions(demo.id, month).reprimands
    assert (reprimand.kind, reprimand.number, len(reprimand.photo_ids), reprimand.by) == (
        "instruction", "甲方〔2026〕7号", 1, "陈静")
    auth.logout()
    auth.login("admin01")
    assert post(client, demo.id, month, kind="score", item="hygiene", points="18").status_code == 403
    assert post(client, demo.id, month, kind="sign", signer_role="inspector").status_code == 403
    assert post(client, demo.id, month, kind="sign", signer_role="manager").status_code == 201
    page = client.get(f"/assessment/round/{demo.id}/{month}").get_data(as_text=True)
    assert 'data-action="assess-score"' not in page and 'data-sign="manager"' not in page
