"""The month's arithmetic (A1–A4) on plain values: weights, the double deduction of complaints, each veto,
the grade boundaries exactly at 90 / 80 / 70, the no-survey rule, pending proposals, streaks across a
year boundary."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from wuye_field.assessment import scoring
from wuye_field.assessment.inputs import Decisions, Item, OnSiteDeduction, Proposal, Reprimand, Sheet
from wuye_field.assessment.sheet import DEFAULT_SHEET
from wuye_field.places.site_settings import DEFAULT_SETTINGS

AT = datetime(2026, 11, 3, tzinfo=timezone.utc)
SHEET = Sheet(items=(Item("hygiene", "public_hygiene", "公共卫生", 60), Item("complaints", "complaints", "投诉", 40)))


def result(proposals=(), decisions=None, survey=100.0, major=0, dissatisfaction=0.0, sheet=SHEET):
    decisions = decisions or Decisions()
    return scoring.month_result(sheet, proposals, decisions, survey=survey, survey_message="", major_incidents=major,
                                dissatisfaction=dissatisfaction, level_of=DEFAULT_SETTINGS.assessment_level)


def proposal(key, item, count, points):
    return Proposal(key, item, key, count, points, f"/assessment/evidence?key={key}")


def test_default_sheet_adds_up_to_100_and_every_rule_has_evidence():
    from wuye_field.assessment.evidence import EVIDENCE
    assert sum(item.max_points for item in DEFAULT_SHEET.items) == 100
    assert {rule.key for item in DEFAULT_SHEET.items for rule in item.rules} == set(EVIDENCE)


def test_weights_60_40():
    r = result(survey=50.0)
    assert r.inspection == 100 and r.total == 100 * 0.6 + 50 * 0.4 == 80


def test_complaint_deductions_count_double_and_items_floor_at_zero():
    decisions = Decisions(accepted=frozenset({"C.missed", "A3.complaint"}), onsite=(
        OnSiteDeduction(1, "complaints", 3, "态度差", (), "insp", AT),))
    r = result([proposal("C.missed", "hygiene", 4, 1), proposal("A3.complaint", "complaints", 2, 1.5)], decisions)
    items = {i.code: i for i in r.items}
    assert items["hygiene"].score == 56
    assert items["complaints"].score == 40 - 2 * 1.5 * 2 - 3 * 2 == 28
    floored = result([proposal("A3.complaint", "complaints", 30, 1)])
    assert {i.code: i.score for i in floored.items}["complaints"] == 0


def test_inspector_score_replaces_the_maximum_and_rejected_proposals_cost_nothing():
    decisions = Decisions(item_scores={"hygiene": 50}, rejected={"C.late": "雨天，已核实"})
    r = result([proposal("C.late", "hygiene", 5, 1), proposal("C.missed", "hygiene", 2, 1)], decisions)
    hygiene = r.items[0]
    assert hygiene.start == 50 and hygiene.score == 48
    assert [d.status for d in hygiene.deductions] == ["rejected", "pending"]
    assert r.pending == 1  # pending proposals count as proposed, and the result says how many wait


@pytest.mark.parametrize(("total", "level", "bond"), [
    (90, "excellent", 1), (89.99, "pass", 0), (80, "pass", 0), (79.99, "basic", 0), (70, "basic", 0),
    (69.99, "fail", -1)])
def test_grade_boundaries_exactly_at_90_80_70(total, level, bond):
    # inspection 100 × 0.6 = 60; the survey makes up the rest
    r = result(survey=round((total - 60) / 0.4, 6))
    assert r.total == total and r.level == level and r.bond_percent == bond
    assert r.grade == {"excellent": "优秀", "pass": "合格", "basic": "基本合格", "fail": "不合格"}[level]


def test_each_veto_fails_the_month_whatever_the_score():
    assert result(major=1).vetoes == ("major_incident",)
    authority = Reprimand(1, "authority", "文号1", "", (), "insp", AT)
    instruction = Reprimand(2, "instruction", "文号2", "", (), "insp", AT)
    assert result(decisions=Decisions(reprimands=(authority,))).vetoes == ("reprimand_authority",)
    assert result(decisions=Decisions(reprimands=(instruction,))).vetoes == ("reprimand_instruction",)
    assert result(dissatisfaction=0.41).vetoes == ("dissatisfaction",)
    assert result(dissatisfaction=0.40).vetoes == ()  # A4: over 40 %, not at it
    for r in (result(major=1), result(dissatisfaction=0.5)):
        assert r.total == 100 and r.level == "fail" and r.grade == "不合格" and r.bond_percent == -1


def test_no_survey_score_makes_the_result_incomplete_unless_vetoed():
    r = result(survey=None)
    assert not r.complete and r.total is None and r.level is None and r.grade == "" and r.bond_percent == 0
    assert "满意度" in r.message and r.inspection == 100
    vetoed = result(survey=None, major=1)
    assert not vetoed.complete and vetoed.level == "fail" and vetoed.bond_percent == -1


def test_consecutive_failures_across_a_year_boundary():
    levels = {"2025-11": "pass", "2025-12": "fail", "2026-01": "fail", "2026-02": "fail"}
    assert scoring.consecutive_failures("2026-02", levels) == 3
    assert scoring.consecutive_failures("2026-01", levels) == 2
    assert scoring.consecutive_failures("2025-12", levels) == 1
    assert scoring.consecutive_failures("2025-11", levels) == 0
    # an incomplete month is skipped; a month with no result ends the run
    assert scoring.consecutive_failures("2026-02", levels | {"2026-01": None}) == 2
    assert scoring.consecutive_failures("2026-03", {"2026-03": "fail"}) == 1
    assert scoring.consequences(2) == {"streak": 2, "rectification": True, "termination": False}
    assert scoring.consequences(5)["termination"] and not scoring.consequences(1)["rectification"]
