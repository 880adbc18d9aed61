"""`/export/scans.csv` and `/export/inspections.csv`: BOM, site zone, supervisors only, Chinese 400s."""
from __future__ import annotations

import csv
import io
import uuid
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from wuye_field.accounts.services import find_user_by_login
from wuye_field.extensions import db
from wuye_field.patrol.models import Inspection, Scan
from wuye_field.places.models import Place


def _rows(response) -> list[list[str]]:
    body = response.get_data()
    assert body.startswith("\ufeff".encode())  # UTF-8 BOM: Excel and WPS read the Chinese
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.fixture
def scanned(demo):
    place = db.session.scalar(select(Place).where(Place.site_id == demo.id, Place.code == "CP05"))
    guard = find_user_by_login("guard01")
    when = datetime(2026, 11, 26, 16, 30, tzinfo=timezone.utc)  # 00:30 on the 27th in Shanghai
    db.session.add(Scan(client_uuid=str(uuid.uuid4()), user_id=guard.id, site_id=demo.id, place_id=place.id,
                        device_time=when, received_at=when, note="=cmd|calc", skew_flagged=True,
                        clock_skew_seconds=-900.4))
    db.session.add(Inspection(client_uuid=str(uuid.uuid4()), user_id=guard.id, site_id=demo.id, place_id=place.id,
                              device_time=when, received_at=when, all_ok=False, severity="high", note="门未关"))
    db.session.commit()
    return demo


def test_scans_csv_in_site_zone_with_bom(client, auth, scanned):
    auth.login("supervisor01")
    response = client.get("/export/scans.csv?site=DEMO&date_from=2026-11-27&date_to=2026-11-27")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = _rows(response)
    assert rows[0][:4] == ["时间", "小区", "巡更点编号", "巡更点"]
    assert len(rows) == 2
    row = rows[1]
    assert row[0] == "2026-11-27 00:30:00" and row[3] == "配电房" and row[7] == "张伟"
    assert row[12] == "-900" and row[13] == "是"
    assert row[15] == "'=cmd|calc"  # a formula in free text is neutralised
    # the UTC day before holds it, the local day before does not
    earlier = _rows(client.get("/export/scans.csv?site=DEMO&date_from=2026-11-26&date_to=2026-11-26"))
    assert len(earlier) == 1


def test_inspections_csv(client, auth, scanned):
    auth.login("admin01")
    rows = _rows(client.get("/export/inspections.csv?site=DEMO&date_from=2026-11-27&date_to=2026-11-27"))
    assert len(rows) == 2 and rows[1][0] == "2026-11-27 00:30:00"
    assert rows[1][6] == "异常" and rows[1][7] == "严重" and rows[1][9] == "门未关"


@pytest.mark.parametrize("query, message", [
    ("date_from=2026-11-01&date_to=2026/11/02", "日期格式应为 YYYY-MM-DD"),
    ("date_from=2026-11-05&date_to=2026-11-01", "结束日期不能早于开始日期"),
    ("date_from=2025-01-01&date_to=2026-11-01", "一次最多导出 366 天"),
    ("date_to=2026-11-01", "日期格式"),
])
def test_bad_dates_are_400_chinese(client, auth, demo, query, message):
    auth.login("supervisor01")
    for path in ("/export/scans.csv", "/export/inspections.csv"):
        response = client.get(f"{path}?site=DEMO&{query}")
        assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_exports_are_for_supervisors_of_that_site(client, auth, demo, factories):
    other = factories.site(code="OTHER")
    db.session.commit()
    query = "date_from=2026-11-01&date_to=2026-11-02"
    auth.login("guard01")
    assert client.get(f"/export/scans.csv?site=DEMO&{query}").status_code == 403
    auth.logout()
    auth.login("supervisor01")
    assert client.get(f"/export/scans.csv?site={other.code}&{query}").status_code == 404
    assert client.get(f"/export/inspections.csv?site=NOPE&{query}").status_code == 404
    auth.logout()
    assert client.get(f"/export/scans.csv?site=DEMO&{query}").status_code in (302, 401)
