"""From `wuye demo` history: last month's proposed deductions each link to a page listing as many records
as the deduction counts, and `wuye assess DEMO --month <last> --json` prints the score, the grade (or the
incomplete shape when no survey is scored) and the deductions."""
from __future__ import annotations

import json
import re

from sqlalchemy import select

from wuye_field.core.months import month_of, previous_month
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.places.models import Site
from wuye_field.survey.summary import SurveySummary


def test_demo_last_month_proposals_link_to_their_records(runner, client, auth, monkeypatch):
    assert runner.invoke(args=["wuye", "demo"]).exit_code == 0
    site = db.session.scalar(select(Site).where(Site.code == "DEMO"))
    month = previous_month(month_of(utcnow().astimezone(__import__("zoneinfo").ZoneInfo(site.timezone)).date()))

    printed = runner.invoke(args=["wuye", "assess", "DEMO", "--month", month, "--json"])
    assert printed.exit_code == 0, printed.output
    found = json.loads(printed.output)
    deductions = [d for item in found["items"] for d in item["deductions"] if d["source"] == "proposal"]
    assert deductions and all(d["count"] > 0 and d["evidence_url"] for d in deductions)
    onsite = [d for item in found["items"] for d in item["deductions"] if d["source"] == "onsite"]
    assert [d["label"] for d in onsite] == ["中心绿地有枯枝未清理"]  # inspector01's round of last month
    complaint = {d["key"]: d for d in deductions}["A3.complaint"]  # the demo's complaints, doubled (A3)
    assert complaint["total"] == complaint["count"] * complaint["points"] * 2
    assert 0 < found["inspection"] < 100
    if found["complete"]:  # the demo's survey scored the month
        assert found["total"] == round(found["inspection"] * 0.6 + found["survey"] * 0.4, 2) and found["grade"]
    else:  # no survey score: the result says so, with no total and no grade
        assert found["total"] is None and found["grade"] == "" and found["message"]

    auth.login("supervisor01", "wuye-demo")
    html = client.get(f"/assessment/month?site={site.id}&month={month}").get_data(as_text=True)
    links = re.findall(r'href="([^"]*evidence[^"]*)" data-count="(\d+)"', html)
    assert len(links) == len(deductions) >= 3
    for href, count in links:
        page = client.get(href.replace("&amp;", "&")).get_data(as_text=True)
        rows = page.split('id="evidence-rows"')[1].split("</table>")[0].count("<tr>") - 1
        assert rows == int(count), href

    # with a scored survey the same command prints a score and a grade
    from wuye_field.assessment import result
    monkeypatch.setattr(result, "month_survey", lambda site_id, m: SurveySummary(30, 92.0, (100.0, 40.0), 300, 12))
    graded = json.loads(runner.invoke(args=["wuye", "assess", "DEMO", "--month", month, "--json"]).output)
    assert graded["complete"] is True and graded["total"] == round(graded["inspection"] * 0.6 + 92 * 0.4, 2)
    assert graded["grade"] in ("优秀", "合格", "基本合格", "不合格")
