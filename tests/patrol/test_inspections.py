"""Checkpoint inspections (issue 4, P3–P7): 「全部正常」, readings with ranges, exceptions,
corrections, and the visit an inspection implies."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from tests.sync import helpers
from tests.sync.helpers import receipt
from wuye_field.accounts.services import find_user_by_login
from wuye_field.core.errors import DomainError, NotFound
from wuye_field.extensions import db
from wuye_field.patrol import common, inspections, services
from wuye_field.patrol.checklists import place_checklist
from wuye_field.patrol.models import ChecklistItem, Inspection, InspectionAnswer, Scan

AT = datetime(2026, 5, 1, 6, 5, tzinfo=timezone.utc)


def _key():
    return str(uuid.uuid4())


def reading_item(site, code="CP06") -> ChecklistItem:
    return next(i for i in place_checklist(helpers.place(site, code).id) if i.kind == "reading")


def record(site, code="CP06", user="guard01", device_time=AT, **values):
    return inspections.record_inspection(find_user_by_login(user), helpers.place(site, code).tag_token,
                                         receipt(device_time, received=AT + timedelta(minutes=1)), **values)


def test_reading_range_rule():
    """Out-of-range readings are exceptions; bounds are inclusive; an open bound is no limit. (P7)"""
    item = ChecklistItem(label="消火栓压力", kind="reading", unit="MPa", min_value=0.1, max_value=0.4)
    assert inspections.reading_ok(item, 0.1) and inspections.reading_ok(item, 0.4)
    assert not inspections.reading_ok(item, 0.09) and not inspections.reading_ok(item, 0.41)
    assert inspections.reading_ok(ChecklistItem(kind="reading", min_value=None, max_value=5.0), -3)


def test_all_normal_is_one_record_with_every_answer_ok_and_the_visit(demo):
    """「全部正常」 = the inspection and the visit in one action (two taps per checkpoint)."""
    item = reading_item(demo)
    result = record(demo, readings={str(item.id): "0.25"})
    insp = result.inspection
    assert insp.all_ok and insp.severity == "" and len(insp.answers) == len(place_checklist(insp.place_id))
    assert next(a for a in insp.answers if a.item_id == item.id).reading == 0.25
    assert result.scan is not None and result.scan.client_uuid == insp.client_uuid
    assert inspections.inspection_message(result) == "水泵房：全部正常"


def test_out_of_range_reading_makes_an_exception_even_with_all_normal(demo):
    item = reading_item(demo)
    result = record(demo, readings={str(item.id): "0.05"})
    assert not result.inspection.all_ok and result.inspection.severity == "medium"
    assert result.out_of_range == ["消火栓压力"] and "读数超出范围" in inspections.inspection_message(result)


@pytest.mark.parametrize("raw, message", [("", "请填写读数：消火栓压力。"), ("abc", "「消火栓压力」的读数须为数字。"),
                                          ("nan", "「消火栓压力」的读数须为数字。")])
def test_readings_are_required_and_numeric(demo, raw, message):
    item = reading_item(demo)
    with pytest.raises(DomainError) as caught:
        record(demo, readings={str(item.id): raw})
    assert caught.value.status == 422 and caught.value.message == message
    assert db.session.scalar(select(Inspection)) is None


def test_exception_with_items_note_severity(demo):
    item = reading_item(demo)
    bad = next(i for i in place_checklist(item.place_id) if i.kind == "check")
    result = record(demo, result="exception", bad_ids=[str(bad.id)], readings={str(item.id): "0.3"},
                    note="灭火器压力不足", severity="high")
    insp = result.inspection
    assert not insp.all_ok and insp.severity == "high" and insp.note == "灭火器压力不足"
    assert {a.item_id for a in insp.answers if not a.ok} == {bad.id}


@pytest.mark.parametrize("values, message", [
    ({"result": "exception"}, "请勾选不正常的项目，或写明异常情况。"),
    ({"result": "exception", "note": "x", "severity": "huge"}, "请选择严重程度。"),
    ({"result": "maybe"}, "请选择「全部正常」或「提交异常」。"),
    ({"result": "exception", "bad_ids": ["999999"]}, "检查项无效，请刷新页面后重试。"),
])
def test_inspection_validation_in_chinese(demo, values, message):
    with pytest.raises(DomainError) as caught:
        record(demo, "CP08", **values)
    assert caught.value.message == message and caught.value.status in (400, 422)


def test_no_implied_scan_right_after_a_scan(demo):
    """A scan then 「全部正常」 is one visit, not two (no false 'repeated scan' anomaly)."""
    guard = find_user_by_login("guard01")
    services.record_scan(guard, helpers.place(demo, "CP08").tag_token, receipt=receipt(AT))
    result = record(demo, "CP08", device_time=AT + timedelta(minutes=1))
    assert result.scan is None
    assert helpers.count(Scan) == 1


def test_correction_is_a_new_record_and_both_are_shown(demo):
    """H5: the corrected inspection stays; the place page shows both."""
    first = record(demo, "CP08").inspection
    with pytest.raises(DomainError) as caught:
        record(demo, "CP08", result="exception", note="其实门没锁", corrects=str(first.id))
    assert caught.value.message == "更正须填写原因。"
    second = record(demo, "CP08", result="exception", note="其实门没锁", corrects=str(first.id), reason="看错了",
                    device_time=AT + timedelta(hours=2))
    assert second.scan is None and second.inspection.corrects_id == first.id
    views = inspections.recent_inspections(helpers.place(demo, "CP08"))
    assert [v.inspection.id for v in views] == [second.inspection.id, first.id]
    assert views[1].corrected_by.id == second.inspection.id
    assert common.current_versions([first, second.inspection]) == [second.inspection]


def test_correcting_someone_elses_inspection_is_not_found_for_a_guard(demo):
    first = record(demo, "CP08").inspection
    with pytest.raises(NotFound):
        record(demo, "CP08", user="guard02", corrects=str(first.id), reason="x")
    assert record(demo, "CP08", user="supervisor01", corrects=str(first.id), reason="主管核实").inspection.corrects_id


def test_other_site_place_is_not_found(demo, factories):
    other = factories.site()
    place = factories.place(other)
    with pytest.raises(NotFound):
        inspections.record_inspection(find_user_by_login("guard01"), place.tag_token, receipt=receipt(AT))


# ---------------------------------------------------------------- over HTTP


def _post(client, data, key=None):
    return client.post("/patrol/inspections", data=data, headers=helpers.headers(key))


def test_inspection_post_is_idempotent(client, auth, demo):
    """R1: the same action replayed is stored once and answered 200."""
    auth.login("guard01")
    item = reading_item(demo)
    data = {"place": helpers.place(demo, "CP06").tag_token, "result": "ok", f"reading-{item.id}": "0.2"}
    key = helpers.new_key()
    first = _post(client, data, key)
    again = _post(client, data, key)
    assert first.status_code == 201 and again.status_code == 200
    assert first.get_json()["message"] == "水泵房：全部正常"
    assert helpers.count(Inspection) == 1 and helpers.count(Scan) == 1
    assert helpers.count(InspectionAnswer) == len(place_checklist(item.place_id))


def test_inspection_errors_are_json_in_chinese(client, auth, demo):
    auth.login("guard01")
    response = _post(client, {"place": helpers.place(demo, "CP06").tag_token, "result": "ok"})
    assert response.status_code == 422 and response.get_json()["message"] == "请填写读数：消火栓压力。"
    auth.logout()
    auth.login("cleaner01")
    assert _post(client, {"place": helpers.place(demo, "CP08").tag_token, "result": "ok"}).status_code == 404


def test_place_page_has_the_checklist_with_all_normal_and_exception(client, auth, demo):
    auth.login("guard01")
    page = client.get(f"/t/{helpers.place(demo, 'CP06').tag_token}").text
    assert 'data-action="inspection"' in page and 'action="/patrol/inspections"' in page
    assert 'name="result" value="ok"' in page and "全部正常" in page and "提交异常" in page
    assert 'capture="environment"' in page and "消火栓压力" in page and "0.1–0.4 MPa" in page
    assert 'name="round" value="" data-round-field' in page
