"""Every figure of the month page is a count of the month's CSVs (issue 12 item 3): patrol windows and
make-ups, cleaning occurrences, work orders, handovers."""
from __future__ import annotations

import csv
import io
import re
from collections import Counter


def page_figures(client, ms) -> dict[str, str]:
    response = client.get(f"/reports/month?site={ms.site.id}&month={ms.month}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return dict(re.findall(r'data-figure="([a-z_.]+)">([^<]*)<', html)), html


def csv_rows(client, path: str, ms) -> list[dict[str, str]]:
    response = client.get(f"{path}?site={ms.site.code}&month={ms.month}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def test_patrol_figures_are_counts_of_windows_csv(client, auth, month_site):
    auth.login("s-mon", "password-123")
    figures, html = page_figures(client, month_site)
    rows = csv_rows(client, "/export/windows.csv", month_site)
    states = Counter(row["状态"] for row in rows)
    assert int(figures["patrol.windows"]) == len(rows)
    assert int(figures["patrol.on_time"]) == states["按时"] == 6 + 1  # K1: day 1 all six, day 2 the 04:00 window
    assert int(figures["patrol.late"]) == states["迟到"] == 1
    assert int(figures["patrol.made_up"]) == states["已补巡"] == 1
    assert int(figures["patrol.missed"]) == states["漏巡"] + states["已超时"]
    makeups = csv_rows(client, "/export/makeups.csv", month_site)
    assert len(makeups) == int(figures["patrol.made_up"]) and makeups[0]["原因"] == "雨天"
    # per guard: the windows credited to each staff number
    by_guard = Counter((row["工号"], row["状态"]) for row in rows if row["工号"])
    for no in ("g-mon", "g-mon2"):
        row = re.search(rf'data-guard="{no}">.*?guard.on_time">(\d+)<.*?guard.late">(\d+)<.*?guard.made_up">(\d+)<',
                        html, re.S)
        assert (int(row[1]), int(row[2]), int(row[3])) == (by_guard[(no, "按时")], by_guard[(no, "迟到")],
                                                          by_guard[(no, "已补巡")])
    assert by_guard[("g-mon", "已补巡")] == 1 and by_guard[("g-mon2", "迟到")] == 1


def test_cleaning_figures_are_counts_of_cleaning_csv(client, auth, month_site):
    auth.login("s-mon", "password-123")
    figures, html = page_figures(client, month_site)
    rows = csv_rows(client, "/export/cleaning.csv", month_site)
    states = Counter(row["状态"] for row in rows)
    assert int(figures["cleaning.due"]) == len(rows) == (month_site.last - month_site.first).days + 1
    assert int(figures["cleaning.on_time"]) == states["按时完成"] == 1
    assert int(figures["cleaning.late"]) == states["超时完成"] == 1
    assert int(figures["cleaning.missed"]) == states["未完成"] == len(rows) - 2
    charged = Counter(name for row in rows for name in row["责任人"].split("、"))
    assert re.search(r'data-cleaner="保洁甲">.*?cleaner.due">(\d+)<', html, re.S)[1] == str(charged["保洁甲"])


def test_work_order_figures_are_counts_of_workorders_csv(client, auth, month_site):
    auth.login("s-mon", "password-123")
    figures, _html = page_figures(client, month_site)
    rows = csv_rows(client, "/export/workorders.csv", month_site)
    assert int(figures["workorders.raised"]) == len(rows) == 3
    assert int(figures["workorders.cancelled"]) == sum(row["状态"] == "已取消" for row in rows) == 1
    decided = [row for row in rows if row["优先级"] == "一般" and row["完成时限"] in ("达标", "超时", "已超时")]
    met = sum(row["完成时限"] == "达标" for row in decided)
    assert figures["workorders.finished.ordinary"] == f"{met} / {len(decided)}" == "1 / 2"


def test_handover_figures_are_counts_of_handovers_csv(client, auth, month_site):
    auth.login("s-mon", "password-123")
    figures, _html = page_figures(client, month_site)
    rows = csv_rows(client, "/export/handovers.csv", month_site)
    states = Counter(row["状态"] for row in rows)
    assert int(figures["handover.due"]) == len(rows) == 2 * ((month_site.last - month_site.first).days + 1)
    assert int(figures["handover.on_time"]) == states["按时"] == 1
    assert int(figures["handover.early"]) == states["提前"] == 1
    assert int(figures["handover.late"]) == states["迟到"] == 1
    assert int(figures["handover.not_accepted"]) == states["未接班"] == len(rows) - 3


def test_exports_default_to_the_current_month(client, auth, month_site):
    auth.login("s-mon", "password-123")
    for path in ("/export/scans.csv", "/export/inspections.csv", "/export/windows.csv", "/export/makeups.csv",
                 "/export/cleaning.csv", "/export/workorders.csv", "/export/handovers.csv"):
        response = client.get(f"{path}?site=MON")
        assert response.status_code == 200, path
        assert "-01-" in response.headers["Content-Disposition"]  # …-YYYY-MM-01-YYYY-MM-DD.csv
    bad = client.get("/export/handovers.csv?site=MON&month=2026-13")
    assert bad.status_code == 400 and "月份格式" in bad.get_data(as_text=True)


def test_month_page_is_for_supervisors_and_admins_of_the_site(client, auth, month_site, factories):
    auth.login("g-mon", "password-123")
    assert client.get(f"/reports/month?site={month_site.site.id}").status_code == 403
    auth.logout()
    other = factories.site(code="OTH")
    factories.user("supervisor", other, staff_no="s-oth")
    from wuye_field.extensions import db
    db.session.commit()
    auth.login("s-oth", "password-123")
    assert client.get(f"/reports/month?site={month_site.site.id}").status_code == 404
    assert client.get(f"/export/handovers.csv?site=MON&month={month_site.month}").status_code == 404


def test_patrol_compliance_month_view_agrees_with_the_month_page(client, auth, month_site):
    auth.login("s-mon", "password-123")
    figures, _html = page_figures(client, month_site)
    html = client.get(f"/patrol/compliance?site={month_site.site.id}&month={month_site.month}").get_data(as_text=True)
    assert f'data-on-time="{figures["patrol.on_time"]}"' in html
    assert f'data-counted="{figures["patrol.windows"]}"' in html
    assert month_site.first.isoformat() in html and month_site.last.isoformat() in html
    by_period = client.get(f"/patrol/compliance?site={month_site.site.id}&period=month&date={month_site.first}")
    assert f'data-counted="{figures["patrol.windows"]}"' in by_period.get_data(as_text=True)
