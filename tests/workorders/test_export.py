"""GET /export/workorders.csv: one row per order with every clock time, UTF-8 with BOM, site time zone,
resident masked, supervisors only, 400 on bad dates."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from tests.workorders.helpers import T0, assigned, done, raise_order, receipt
from wuye_field.extensions import db
from wuye_field.workorders import services

PASSWORD = "password-123"


def url(team, site=None, date_from="2026-11-27", date_to="2026-11-27") -> str:
    return f"/export/workorders.csv?site={site or team.site.code}&date_from={date_from}&date_to={date_to}"


def rows_of(response) -> list[dict]:
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_export_rows_with_clock_times_in_site_time(team, client, auth):
    order = assigned(team)                                    # 10:00 Beijing time, emergency
    done(team, order, at=T0 + timedelta(minutes=40))
    services.record_visit(team.desk, order.id, "satisfied", receipt=receipt(T0 + timedelta(hours=2)))
    raise_order(team, priority="ordinary", description="=HYPERLINK(\"x\")")
    db.session.commit()
    auth.login(team.sup.staff_no, PASSWORD)
    response = client.get(url(team))
    assert response.status_code == 200
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    first, second = rows_of(response)
    assert first["工单号"] == order.number
    assert first["发起时间"] == "2026-11-27 10:00" and first["应到场"] == "2026-11-27 11:00"
    assert first["到场时间"] == "2026-11-27 10:40" and first["完成时间"] == "2026-11-27 10:41"
    assert first["应完成"] == "2026-11-27 18:00" and first["回访时间"] == "2026-11-27 12:00"
    assert first["关闭时间"] == "2026-11-27 12:00" and first["回访结果"] == "满意"
    assert (first["到场时限"], first["完成时限"], first["暂停分钟"]) == ("达标", "达标", "0")
    # H6: an export is a copy — the resident is masked
    assert (first["住户"], first["住户电话"]) == ("王**", "138****1234")
    assert second["描述"].startswith("'=")  # formulas neutralised
    assert second["应到场"] == ""           # ordinary orders have no arrival clock


def test_export_date_range_is_local_days(team, client, auth):
    raise_order(team, at=T0.replace(hour=17))  # 01:00 on 28 Nov Beijing time
    db.session.commit()
    auth.login(team.sup.staff_no, PASSWORD)
    assert rows_of(client.get(url(team))) == []
    assert len(rows_of(client.get(url(team, date_from="2026-11-28", date_to="2026-11-28")))) == 1


@pytest.mark.parametrize("date_from,date_to", [("2026-11-xx", "2026-11-27"), ("", "2026-11-27"),
                                               ("2026-11-28", "2026-11-27"), ("2020-01-01", "2026-11-27")])
def test_export_bad_dates_400(team, client, auth, date_from, date_to):
    db.session.commit()
    auth.login(team.sup.staff_no, PASSWORD)
    response = client.get(url(team, date_from=date_from, date_to=date_to))
    assert response.status_code == 400 and "日期" in response.text or "最多" in response.text


def test_export_scoping(team, client, auth):
    # Supervisors only (desk 403); another site's code → 404 (R15)
    raise_order(team)
    db.session.commit()
    auth.login(team.sup.staff_no, PASSWORD)
    assert client.get(url(team, site=team.other_site.code)).status_code == 404
    assert client.get(url(team, site="NOSUCH")).status_code == 404
    auth.logout()
    auth.login(team.desk.staff_no, PASSWORD)
    assert client.get(url(team)).status_code == 403
