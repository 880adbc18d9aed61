"""P5 (issue 12 item 4): an inspection with an exception, or a reading out of range, opens a finding on the
supervisor's open-problems list at once, which is resolved or turned into a work order like any defect."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from tests.sync import helpers
from tests.sync.helpers import receipt
from wuye_field.accounts.services import find_user_by_login
from wuye_field.defects import records
from wuye_field.defects.models import Defect
from wuye_field.extensions import db
from wuye_field.patrol import inspections
from wuye_field.patrol.checklists import place_checklist
from wuye_field.photos.models import PhotoLink

AT = datetime(2026, 5, 1, 6, 5, tzinfo=timezone.utc)


def record(site, code="CP06", user="guard01", **values):
    return inspections.record_inspection(find_user_by_login(user), helpers.place(site, code).tag_token,
                                         receipt(AT, received=AT + timedelta(minutes=1)), **values)


def items(site, code="CP06"):
    checklist = place_checklist(helpers.place(site, code).id)
    return (next(i for i in checklist if i.kind == "reading"),
            next(i for i in checklist if i.kind == "check"))


def open_on_site(site) -> list[Defect]:
    return list(db.session.scalars(records.defects_of_site(site.id, records.OPEN)))


def supervisor_open_count(client, auth) -> int:
    auth.login("supervisor01")
    page = client.get("/").text
    auth.logout()
    return int(re.search(r'data-home-link="defects" data-open-count="(\d+)"', page).group(1))


def test_an_exception_opens_a_finding_linked_to_the_inspection(client, auth, demo):
    reading, check = items(demo)
    assert supervisor_open_count(client, auth) == 0
    result = record(demo, result="exception", bad_ids=[str(check.id)], readings={str(reading.id): "0.3"},
                    note="箱门锁坏", severity="high", photo_ids="a1b2c3d4-0000-4000-8000-000000000001")
    db.session.commit()
    [finding] = open_on_site(demo)
    insp = result.inspection
    assert (finding.inspection_id, finding.place_id, finding.user_id) == (insp.id, insp.place_id, insp.user_id)
    assert finding.severity == "high" and finding.device_time == insp.device_time
    assert finding.note == f"巡查异常：水泵房 — {check.label}；箱门锁坏"
    assert result.finding_id == finding.id and "已报主管" in inspections.inspection_message(result)
    photo_owners = set(db.session.scalars(select(PhotoLink.owner_kind)))
    assert photo_owners == {"inspection", "defect"}  # the supervisor sees the guard's photo on the problem
    assert supervisor_open_count(client, auth) == 1


def test_a_reading_out_of_range_opens_a_finding_even_with_all_normal(demo):
    reading, _check = items(demo)
    record(demo, readings={str(reading.id): "0.05"})
    [finding] = open_on_site(demo)
    assert "消火栓压力 0.05MPa（超出范围）" in finding.note and finding.severity == "medium"


def test_all_normal_and_corrections_open_nothing(demo):
    reading, _check = items(demo)
    first = record(demo, readings={str(reading.id): "0.2"}).inspection
    assert open_on_site(demo) == []
    record(demo, result="exception", note="其实门没锁", corrects=str(first.id), reason="看错了",
           readings={str(reading.id): "0.2"})
    assert open_on_site(demo) == []  # a correction is reviewed on the place page, not a new problem


def test_the_finding_is_resolved_or_turned_into_an_order_like_any_defect(demo):
    reading, check = items(demo)
    record(demo, result="exception", bad_ids=[str(check.id)], readings={str(reading.id): "0.2"})
    [finding] = open_on_site(demo)
    records.resolve_defect(find_user_by_login("supervisor01"), finding.id, receipt(AT + timedelta(hours=1)),
                           outcome="resolved", note="已换锁")
    assert open_on_site(demo) == []


def test_a_replayed_exception_opens_one_finding(client, auth, demo):
    auth.login("guard01")
    reading, check = items(demo)
    data = {"place": helpers.place(demo, "CP06").tag_token, "result": "exception", "bad": str(check.id),
            f"reading-{reading.id}": "0.2", "severity": "low"}
    key = helpers.new_key()
    first = client.post("/patrol/inspections", data=data, headers=helpers.headers(key))
    again = client.post("/patrol/inspections", data=data, headers=helpers.headers(key))
    assert (first.status_code, again.status_code) == (201, 200)
    assert helpers.count(Defect) == 1 and first.get_json()["inspection"]["finding_id"] is not None
