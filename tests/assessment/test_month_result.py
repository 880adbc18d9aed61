"""The month's result page, its evidence links, the sheet page, the close and the CLI (issue 17)."""
from __future__ import annotations

import json
import re

from sqlalchemy import select

from wuye_field.assessment import result
from wuye_field.assessment.models import RectificationOrder
from wuye_field.core.months import previous_month
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.reports.models import MonthCloseFile


def links(html: str) -> list[tuple[str, int]]:
    found = re.findall(r'href="([^"]*evidence[^"]*)" data-count="(\d+)"', html)
    return [(href.replace("&amp;", "&"), int(n)) for href, n in found]


def test_each_proposal_links_to_exactly_its_records(client, auth, month_site):
    auth.login("s-mon", "password-123")
    report = client.get(f"/reports/month?site={month_site.site.id}&month={month_site.month}").get_data(as_text=True)
    assert f'/assessment/month?site={month_site.site.id}&amp;month={month_site.month}" id="assessment-link"' in report
    html = client.get(f"/assessment/month?site={month_site.site.id}&month={month_site.month}").get_data(as_text=True)
    assert 'id="incomplete"' in html  # no survey yet: said so, no grade
    found = links(html)
    keys = {re.search(r"key=([\w.]+)", href).group(1) for href, _n in found}
    assert {"P2.missed", "P2.late", "C.missed", "C.late", "W3.late", "H1.late", "H1.not_accepted"} <= keys
    for href, count in found:
        page = client.get(href).get_data(as_text=True)
        assert f'data-count="{count}"' in page, href
        assert page.split('id="evidence-rows"')[1].count("<tr>") - 1 == count, href


def test_evidence_page_is_scoped_to_the_users_sites(client, auth, month_site, factories):
    other = factories.site(code="OTH")
    factories.user("supervisor", other, staff_no="s-oth", name="主管乙")
    db.session.commit()
    auth.login("s-oth", "password-123")
    assert client.get(f"/assessment/evidence?site={month_site.site.id}&month={month_site.month}&key=P2.missed"
                      ).status_code == 404


def test_sheet_change_is_effective_dated_and_changes_points(client, auth, month_site):
    auth.login("s-mon", "password-123")
    page = client.get(f"/assessment/sheet?site={month_site.site.id}").get_data(as_text=True)
    form = dict(re.findall(r'name="((?:max|points|limit)_[\w.]+)" type="text" value="([^"]*)"', page))
    form |= {name: "on" for name in re.findall(r'name="(enabled_[\w.]+)" value="on" checked', page)}
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    form |= {"csrf_token": token.group(1)} if token else {}
    bad = client.post(f"/assessment/sheet?site={month_site.site.id}", data=form | {"max_hygiene": "30"})
    assert "合计应为 100 分" in bad.get_data(as_text=True)
    form |= {"points_P2.missed": "2", "enabled_C.late": ""}
    saved = client.post(f"/assessment/sheet?site={month_site.site.id}", data=form).get_data(as_text=True)
    assert 'id="sheet-saved"' in saved
    now = utcnow()
    current = result.compute(month_site.site, month_site.month, now=now)
    lines = {d["key"]: d for item in current["items"] for d in item["deductions"]}
    # the closed-over month ended before the change: it keeps the sheet in force then
    assert lines["P2.missed"]["points"] == 1 and "C.late" in lines


def test_close_freezes_the_result_and_the_cli_prints_it(client, auth, month_site, runner):
    auth.login("s-mon", "password-123")
    before = json.loads(runner.invoke(args=["wuye", "assess", "MON", "--month", month_site.month, "--json"]).output)
    assert before["closed"] is False and before["complete"] is False and before["total"] is None
    assert before["inspection"] < 100 and before["items"] and before["message"]
    client.post("/reports/month/close", data={"site": month_site.site.id, "month": month_site.month})
    stored = db.session.scalar(select(MonthCloseFile).where(MonthCloseFile.name == "assessment.json"))
    assert stored is not None and json.loads(stored.text)["inspection"] == before["inspection"]
    after = json.loads(runner.invoke(args=["wuye", "assess", "MON", "--month", month_site.month, "--json"]).output)
    assert after["closed"] is True and after["inspection"] == before["inspection"]
    assert db.session.scalar(select(RectificationOrder)) is None
    html = client.get(f"/assessment/month?site={month_site.site.id}&month={month_site.month}").get_data(as_text=True)
    assert 'data-closed="true"' in html
    pdf = client.get(f"/assessment/month.pdf?site={month_site.site.id}&month={month_site.month}")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_two_failed_closed_months_bring_a_rectification_order(client, auth, month_site, monkeypatch):
    from wuye_field.survey.summary import SurveySummary
    from wuye_field.survey import results as survey_results
    # a survey with 50 % dissatisfied fails both months (A4 veto 4)
    monkeypatch.setattr(survey_results, "month_survey", lambda site_id, month: SurveySummary(
        30, 60.0, (100.0, 0.0), 100, 50))
    monkeypatch.setattr(result, "month_survey", survey_results.month_survey)
    earlier = previous_month(month_site.month)
    for month in (earlier, month_site.month):
        runner_result = client.application.test_cli_runner().invoke(args=["wuye", "close-month", "MON", month])
        assert runner_result.exit_code == 0, runner_result.output
    order = db.session.scalar(select(RectificationOrder))
    assert order.month == month_site.month and order.streak == 2 and order.done_at is None
    auth.login("s-mon", "password-123")
    html = client.get(f"/assessment/month?site={month_site.site.id}&month={month_site.month}").get_data(as_text=True)
    assert 'id="rectification"' in html and "不合格" in html and "不满意率超过40%" in html
    done = client.post(f"/assessment/rectification/{order.id}/done", data={"note": "已更换保洁班组"})
    assert done.status_code == 303
    db.session.refresh(order)
    assert order.done_at is not None and order.done_note == "已更换保洁班组"


def test_decisions_and_survey_make_the_grade_on_page_and_cli(client, auth, month_site, monkeypatch, runner):
    from datetime import timezone

    from wuye_field.assessment import entries
    from wuye_field.assessment.inputs import Decisions, OnSiteDeduction, Signature
    from wuye_field.survey.summary import SurveySummary

    at = utcnow().replace(tzinfo=timezone.utc)
    monkeypatch.setattr(entries, "decisions", lambda site_id, month: Decisions(
        item_scores={"greening": 8}, accepted=frozenset({"P2.missed"}), rejected={"C.late": "停水，无法保洁"},
        onsite=(OnSiteDeduction(7, "complaints", 1, "投诉处理态度差", (), "insp", at),),
        signatures=(Signature(9, "inspector", "检查员甲", at), Signature(10, "manager", "经理乙", at))))
    monkeypatch.setattr(result, "month_survey", lambda site_id, month: SurveySummary(30, 95.0, (100.0, 20.0), 300, 9))
    auth.login("s-mon", "password-123")
    html = client.get(f"/assessment/month?site={month_site.site.id}&month={month_site.month}").get_data(as_text=True)
    found = json.loads(runner.invoke(args=["wuye", "assess", "MON", "--month", month_site.month, "--json"]).output)
    items = {i["code"]: i for i in found["items"]}
    assert items["greening"]["score"] == 8 and items["complaints"]["score"] == 10 - 2  # on-site, doubled (A3)
    statuses = {d["key"]: d["status"] for i in found["items"] for d in i["deductions"]}
    assert statuses["P2.missed"] == "accepted" and statuses["C.late"] == "rejected"
    assert statuses["C.missed"] == "pending"
    assert found["complete"] and found["total"] == round(found["inspection"] * 0.6 + 95 * 0.4, 2)
    assert f'data-figure="total">{found["total"]:g}<' in html and found["grade"] in html
    assert "已驳回：停水，无法保洁" in html and "甲方检查员 检查员甲" in html and "待确认" in html
