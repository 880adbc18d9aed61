"""The month close (issue 12 item 5, R30): a closed month reads its snapshot; a settings change, an
out-of-band UPDATE and a late offline record change nothing, the late record shows as arrived after close."""
from __future__ import annotations

import json
import re
import uuid
from datetime import timedelta

from sqlalchemy import select, text

from wuye_field.audit.chain import verify
from wuye_field.audit.models import ChainEntry
from wuye_field.core.months import month_of
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.patrol.models import Scan
from wuye_field.reports.models import MonthClose

from tests.reports.conftest import at


def figures(client, ms, month=None) -> tuple[dict, str]:
    html = client.get(f"/reports/month?site={ms.site.id}&month={month or ms.month}").get_data(as_text=True)
    return dict(re.findall(r'data-figure="([a-z_.]+)">([^<]*)<', html)), html


def test_supervisor_closes_last_month_and_it_holds_still(client, auth, month_site):
    auth.login("s-mon", "password-123")
    before, html = figures(client, month_site)
    assert 'id="close-month"' in html and 'data-closed="false"' in html
    response = client.post("/reports/month/close", data={"site": month_site.site.id, "month": month_site.month})
    assert response.status_code == 303
    closed, html = figures(client, month_site)
    assert closed == before and 'data-closed="true"' in html and "已关账" in html and 'id="close-month"' not in html
    record = db.session.scalar(select(MonthClose).where(MonthClose.site_id == month_site.site.id))
    assert db.session.scalar(select(ChainEntry).where(ChainEntry.kind == "month_close",
                                                      ChainEntry.record_id == record.id)) is not None
    assert verify(month_site.site.id).ok

    # an out-of-band change of the key area's interval and a settings-page style change of the other one
    db.session.execute(text("UPDATE place SET patrol_interval_min = 60 WHERE id = :id"), {"id": month_site.area.id})
    # a late offline scan: made in the month, received now
    made = at(month_site.first + timedelta(days=5), 2)
    db.session.add(Scan(client_uuid=str(uuid.uuid4()), user_id=month_site.guard.id, site_id=month_site.site.id,
                        place_id=month_site.area.id, device_time=made, received_at=utcnow()))
    db.session.commit()
    after, html = figures(client, month_site)
    assert after == before
    late = html.split('id="arrived-after-close"')[1]
    assert "巡更打卡" in late and "g-mon" in late


def test_the_snapshot_is_append_only(client, auth, month_site):
    auth.login("s-mon", "password-123")
    client.post("/reports/month/close", data={"site": month_site.site.id, "month": month_site.month})
    import pytest
    from sqlalchemy.exc import DatabaseError
    with pytest.raises(DatabaseError):
        db.session.execute(text("UPDATE month_close SET month = '2000-01'"))
        db.session.flush()
    db.session.rollback()


def test_only_a_supervisor_of_the_site_closes_an_ended_month(client, auth, month_site, factories):
    current = month_of(utcnow().date())
    auth.login("s-mon", "password-123")
    response = client.post("/reports/month/close", data={"site": month_site.site.id, "month": current})
    assert response.status_code == 400 and "还没有结束" in response.get_data(as_text=True)
    _f, html = figures(client, month_site, current)
    assert 'id="close-month"' not in html
    client.post("/reports/month/close", data={"site": month_site.site.id, "month": month_site.month})
    again = client.post("/reports/month/close", data={"site": month_site.site.id, "month": month_site.month})
    assert again.status_code == 400 and "已关账" in again.get_data(as_text=True)
    auth.logout()
    admin = factories.user("admin", month_site.site, staff_no="a-mon")
    db.session.commit()
    auth.login("a-mon", "password-123")
    _f, html = figures(client, month_site, "2020-01")
    assert 'id="close-month"' not in html
    assert client.post("/reports/month/close", data={"site": month_site.site.id, "month": "2020-01"}).status_code == 403
    auth.logout()
    auth.login("g-mon", "password-123")
    assert client.post("/reports/month/close", data={"site": month_site.site.id, "month": "2020-01"}).status_code == 403
    assert admin is not None


def test_cli_report_and_close(app, runner, client, auth, month_site):
    result = runner.invoke(args=["wuye", "report", "MON", "--month", month_site.month, "--json"])
    assert result.exit_code == 0, result.output
    live = json.loads(result.output)
    assert live["closed"] is False
    assert live["patrol"]["total"]["on_time"] == 7 and live["handover"]["total"]["late"] == 1
    assert live["cleaning"]["total"]["on_time"] == 1 and live["workorders"]["raised"] == 3
    auth.login("s-mon", "password-123")
    page, _html = figures(client, month_site)
    assert int(page["patrol.windows"]) == live["patrol"]["total"]["windows"]
    assert int(page["cleaning.due"]) == live["cleaning"]["total"]["due"]
    assert int(page["handover.due"]) == live["handover"]["total"]["due"]

    result = runner.invoke(args=["wuye", "close-month", "MON", month_site.month])
    assert result.exit_code == 0 and "closed" in result.output
    frozen = json.loads(runner.invoke(args=["wuye", "report", "MON", "--month", month_site.month, "--json"]).output)
    assert frozen["closed"] is True and frozen["patrol"] == live["patrol"] and frozen["arrived_after_close"] == []
    again = runner.invoke(args=["wuye", "close-month", "MON", month_site.month])
    assert again.exit_code != 0 and "已关账" in again.output
    bad = runner.invoke(args=["wuye", "report", "MON", "--month", "2026/11", "--json"])
    assert bad.exit_code != 0 and "月份格式" in bad.output


def test_a_closed_months_exports_are_the_files_frozen_with_it(client, auth, month_site):
    auth.login("s-mon", "password-123")
    names = ("scans", "inspections", "windows", "makeups", "cleaning", "workorders", "handovers")
    query = f"site=MON&month={month_site.month}"
    before = {name: client.get(f"/export/{name}.csv?{query}").get_data() for name in names}
    client.post("/reports/month/close", data={"site": month_site.site.id, "month": month_site.month})
    db.session.execute(text("UPDATE place SET patrol_interval_min = 60 WHERE id = :id"), {"id": month_site.area.id})
    db.session.add(Scan(client_uuid=str(uuid.uuid4()), user_id=month_site.guard.id, site_id=month_site.site.id,
                        place_id=month_site.area.id, device_time=at(month_site.first + timedelta(days=5), 2),
                        received_at=utcnow()))
    db.session.commit()
    for name in names:
        assert client.get(f"/export/{name}.csv?{query}").get_data() == before[name], name
    page, _html = figures(client, month_site)
    windows = client.get(f"/export/windows.csv?{query}").get_data().decode("utf-8-sig").splitlines()
    assert int(page["patrol.windows"]) == len(windows) - 1
    # another range than the closed month is computed from the records (the late scan is in it)
    day = (month_site.first + timedelta(days=5)).isoformat()
    live = client.get(f"/export/scans.csv?site=MON&date_from={day}&date_to={day}").get_data().decode("utf-8-sig")
    assert len(live.splitlines()) == 2
    assert verify(month_site.site.id).ok
