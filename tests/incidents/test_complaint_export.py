"""The complaints CSV of a site-month: every W5 figure of the month page is a count of its rows (received,
answered the same day, closed, effective), and closing the month freezes the file with the figures (R30)."""
from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from wuye_field.audit.chain import verify
from wuye_field.core.months import month_days, month_of, previous_month
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.incidents import complaints
from wuye_field.sync.receipt import Receipt

SH = ZoneInfo("Asia/Shanghai")


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), SH).astimezone(timezone.utc)


@pytest.fixture
def w5_month(factories):
    """Last month of a new site: six complaints in it (answered in time, late, not at all; closed effective
    and not) and one received after the month's last midnight (the next month's)."""
    month = previous_month(month_of(utcnow().astimezone(SH).date()))
    first, last = month_days(month)
    site = factories.site(code="W5M")
    desk = factories.user("desk", site, staff_no="d-w5", name="客服甲")
    factories.user("supervisor", site, staff_no="s-w5", name="主管甲")
    made = []
    for n, (day, hh, mm) in enumerate([(0, 9, 0), (0, 23, 50), (2, 10, 0), (3, 11, 0), (4, 12, 0), (5, 13, 0)]):
        form = {"site_id": site.id, "channel": "call", "category": "noise", "who": f"{n + 1}-101 住户",
                "what": f"第{n + 1}件投诉"}
        made.append(complaints.raise_complaint(desk, form, Receipt.server(at(first + timedelta(days=day), hh, mm))))
    late_night = at(last + timedelta(days=1), 0, 5)  # 00:05 on the 1st: the next month's
    complaints.raise_complaint(desk, {"site_id": site.id, "channel": "visit", "category": "other", "who": "下月",
                                      "what": "下个月的"}, Receipt.server(late_night))
    step = complaints.add_step
    step(desk, made[0].id, "answer", "已回电", now=made[0].received_at + timedelta(hours=2))     # in time
    step(desk, made[1].id, "answer", "已回电", now=made[1].received_at + timedelta(minutes=20))  # after midnight
    step(desk, made[2].id, "answer", "已回电", now=made[2].received_at + timedelta(hours=1))
    step(desk, made[2].id, "result", "已处理", now=made[2].received_at + timedelta(hours=3))
    step(desk, made[2].id, "verdict", "", effective=True, now=made[2].received_at + timedelta(hours=4))
    step(desk, made[3].id, "result", "已处理", now=made[3].received_at + timedelta(hours=1))
    step(desk, made[3].id, "verdict", "", effective=False, now=made[3].received_at + timedelta(hours=2))
    step(desk, made[4].id, "result", "已处理", now=made[4].received_at + timedelta(hours=1))  # waits for a verdict
    db.session.commit()
    return site, month, made


def _figures(client, site, month) -> dict[str, int]:
    html = client.get(f"/reports/month?site={site.id}&month={month}").get_data(as_text=True)
    found = dict(re.findall(r'data-figure="(complaints\.[a-z_]+)">([^<]*)<', html))
    assert 'href="/export/complaints.csv' in html
    return {key.split(".", 1)[1]: int(value) for key, value in found.items()}


def _rows(client, site, month) -> tuple[bytes, list[dict]]:
    response = client.get(f"/export/complaints.csv?site={site.code}&month={month}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return response.data, list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_every_w5_figure_of_the_month_page_is_a_count_of_the_csv(client, auth, w5_month):
    site, month, _made = w5_month
    auth.login("s-w5", "password-123")
    figures = _figures(client, site, month)
    _data, rows = _rows(client, site, month)
    assert figures == {"total": 6, "answered_same_day": 4, "closed": 2, "effective": 1}
    assert figures["total"] == len(rows)
    assert figures["answered_same_day"] == sum(row["当日回复"] == "是" for row in rows)
    assert figures["closed"] == sum(bool(row["办结时间"]) for row in rows)
    assert figures["effective"] == sum(row["住户评价"] == "有效" for row in rows)
    assert "下个月的" not in {row["内容"] for row in rows}
    assert "投诉人" not in rows[0] and not any("住户" in value for row in rows for value in row.values())


def test_closing_the_month_freezes_the_complaints_file(client, auth, w5_month):
    site, month, made = w5_month
    auth.login("s-w5", "password-123")
    before, _rows_before = _rows(client, site, month)
    assert client.post("/reports/month/close", data={"site": site.id, "month": month}).status_code in (200, 303)
    # the resident's verdict on the open one comes after the close: the month's file and figures stay
    desk = made[4].steps[0].user
    complaints.add_step(desk, made[4].id, "verdict", "", effective=True, now=utcnow())
    db.session.commit()
    after, rows = _rows(client, site, month)
    assert after == before
    assert _figures(client, site, month)["effective"] == sum(row["住户评价"] == "有效" for row in rows) == 1
    assert verify(site.id).ok


def test_the_desk_downloads_it_from_the_complaints_page_and_others_cannot(client, auth, w5_month, factories):
    site, month, _made = w5_month
    auth.login("d-w5", "password-123")
    page = client.get(f"/incidents/complaints?site={site.id}").get_data(as_text=True)
    assert 'data-export="complaints"' in page
    assert client.get(f"/export/complaints.csv?site={site.code}&month={month}").status_code == 200
    auth.logout()
    factories.user("guard", site, staff_no="g-w5")
    db.session.commit()
    auth.login("g-w5", "password-123")
    assert client.get(f"/export/complaints.csv?site={site.code}&month={month}").status_code in (403, 404)
