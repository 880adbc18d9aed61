"""`GET /export/defects.csv?site=<code>&date_from=…&date_to=…` (issue 4): supervisors and admins only, UTF-8 with
BOM, times and days in the site's zone, with each defect's state and resolution."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timezone

import pytest

from tests.defects.test_defects import photo, post_defect
from tests.sync import helpers

URL = "/export/defects.csv"


def rows(response) -> list[list[str]]:
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def found(client, demo, when: datetime, **fields) -> int:
    """guard01 records a defect found at `when` (device time); its id."""
    response = post_defect(client, place_id=str(helpers.place(demo).id), photo_ids=photo(client), device_time=when,
                           **fields)
    assert response.status_code == 201
    return response.get_json()["defect"]["id"]


@pytest.fixture
def recorded(client, auth, demo):
    """Two defects: 2026-11-26 23:30 and 2026-11-27 01:30 Shanghai time (15:30 / 17:30 UTC on the 26th)."""
    auth.login("guard01")
    late = found(client, demo, datetime(2026, 11, 26, 15, 30, tzinfo=timezone.utc), note="=HYPERLINK(\"x\")")
    after_midnight = found(client, demo, datetime(2026, 11, 26, 17, 30, tzinfo=timezone.utc), location="东门")
    auth.logout()
    return late, after_midnight


def test_export_is_utf8_with_bom_in_site_time_with_state(client, auth, demo, recorded):
    """Issue 4: UTF-8 with BOM so Excel/WPS open the Chinese; local times; state and resolution columns."""
    late, after_midnight = recorded
    auth.login("supervisor01")
    client.post(f"/defects/{late}/resolve", data={"note": "已处理好"})
    response = client.get(URL, query_string={"site": "DEMO", "date_from": "2026-11-26", "date_to": "2026-11-27"})
    assert response.status_code == 200
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    table = rows(response)
    header, body = table[0], table[1:]
    assert header[:3] == ["编号", "发现时间", "上报时间"] and "状态" in header and "处理说明" in header
    by_id = {int(r[0]): dict(zip(header, r, strict=True)) for r in body}
    assert by_id[late]["发现时间"] == "2026-11-26 23:30"
    assert by_id[after_midnight]["发现时间"] == "2026-11-27 01:30"
    assert by_id[late]["状态"] == "已处理" and by_id[late]["处理说明"] == "已处理好" and by_id[late]["处理人"] == "陈静"
    assert by_id[after_midnight]["状态"] == "未处理" and by_id[after_midnight]["具体位置"] == "东门"
    assert by_id[late]["类别"] == "消防" and by_id[late]["严重程度"] == "严重" and by_id[late]["上报人"] == "张伟"
    assert by_id[late]["照片"] == "1" and by_id[late]["小区"] == "示范小区"
    assert by_id[late]["描述"].startswith("'=")  # a formula in a note is neutralised


def test_days_are_the_sites_local_days(client, auth, demo, recorded):
    """A defect at 01:30 Shanghai on the 27th (17:30 UTC on the 26th) belongs to the 27th."""
    late, after_midnight = recorded
    auth.login("supervisor01")
    day26 = [int(r[0]) for r in rows(client.get(URL, query_string={
        "site": "DEMO", "date_from": "2026-11-26", "date_to": "2026-11-26"}))[1:]]
    day27 = [int(r[0]) for r in rows(client.get(URL, query_string={
        "site": "demo", "date_from": "2026-11-27", "date_to": "2026-11-27"}))[1:]]
    assert (day26, day27) == ([late], [after_midnight])


@pytest.mark.parametrize(("date_from", "date_to"), [
    ("", "2026-11-27"), ("2026-11-27", None), ("27/11/2026", "2026-11-27"), ("2026-02-30", "2026-03-01"),
    ("2026-11-27", "2026-11-01"), ("2025-01-01", "2026-11-27"),
])
def test_bad_dates_are_400_in_chinese(client, auth, demo, date_from, date_to):
    auth.login("supervisor01")
    query = {"site": "DEMO", "date_from": date_from}
    if date_to is not None:
        query["date_to"] = date_to
    response = client.get(URL, query_string=query, headers={"Accept": "application/json"})
    assert response.status_code == 400 and response.get_json()["error"] == "bad_date"
    assert "日期" in response.get_json()["message"] or "天" in response.get_json()["message"]


@pytest.mark.parametrize("username", ["guard01", "desk01", "cleaner01"])
def test_only_supervisors_and_admins_export(client, auth, demo, username):
    auth.login(username)
    response = client.get(URL, query_string={"site": "DEMO", "date_from": "2026-11-27", "date_to": "2026-11-27"})
    assert response.status_code == 403


def test_admin_may_export(client, auth, demo):
    auth.login("admin01")
    response = client.get(URL, query_string={"site": "DEMO", "date_from": "2026-11-27", "date_to": "2026-11-27"})
    assert response.status_code == 200 and len(rows(response)) == 1


def test_another_or_unknown_site_is_404(client, auth, demo, factories):
    """R15: a supervisor of another site cannot export this one; an unknown code looks the same."""
    site = factories.site(code="ELSE")
    factories.user(role="supervisor", site=site, staff_no="elsesup")
    from wuye_field.extensions import db

    db.session.commit()
    auth.login("elsesup", "password-123")
    query = {"date_from": "2026-11-27", "date_to": "2026-11-27"}
    assert client.get(URL, query_string=query | {"site": "DEMO"}).status_code == 404
    assert client.get(URL, query_string=query | {"site": "NOPE"}).status_code == 404
    assert client.get(URL, query_string=query).status_code == 404
    assert client.get(URL, query_string=query | {"site": "ELSE"}).status_code == 200


def test_anonymous_is_sent_to_login(client, demo):
    response = client.get(URL, query_string={"site": "DEMO", "date_from": "2026-11-27", "date_to": "2026-11-27"})
    assert response.status_code in (302, 401)


def test_list_page_offers_the_export_to_supervisors_not_the_desk(client, auth, demo):
    auth.login("supervisor01")
    assert 'action="/export/defects.csv"' in client.get("/defects").get_data(as_text=True)
    auth.logout()
    auth.login("desk01")
    html = client.get("/defects").get_data(as_text=True)
    assert 'id="defect-list"' in html and "/export/defects.csv" not in html
