"""The survey's arithmetic (A2, A4): dropping the highest and the lowest, the rule under three responses,
the dissatisfaction rate and its 40 % veto line."""
from __future__ import annotations

import pytest

from wuye_field.survey import rules
from wuye_field.survey.summary import SurveySummary


@pytest.fixture(autouse=True)
def _babel(app):  # the messages are translated strings
    yield


def test_no_response_no_score():
    score, dropped, message = rules.trimmed_score([])
    assert score is None and dropped == () and message


@pytest.mark.parametrize("values, expected", [([80], 80.0), ([80, 91], 85.5)])
def test_one_or_two_responses_are_averaged_without_dropping(values, expected):
    score, dropped, message = rules.trimmed_score(values)
    assert score == expected and dropped == ()
    assert "少于3份" in message


def test_three_responses_keep_the_middle_one():
    assert rules.trimmed_score([60, 100, 85]) == (85.0, (100.0, 60.0), "")


def test_one_highest_and_one_lowest_dropped_even_when_tied():
    score, dropped, _message = rules.trimmed_score([100, 100, 90, 80, 40, 40])
    assert dropped == (100.0, 40.0)
    assert score == round((100 + 90 + 80 + 40) / 4, 2)


def test_thirty_responses_score_is_the_trimmed_mean():
    values = list(range(70, 100))  # 70 … 99
    score, dropped, _message = rules.trimmed_score(values)
    assert dropped == (99.0, 70.0)
    assert score == round(sum(range(71, 99)) / 28, 2)


def test_dissatisfaction_is_the_share_of_dissatisfied_answers():
    summary = rules.summarize([(90, ["satisfied", "basic", "dissatisfied"]), (50, ["dissatisfied", "dissatisfied"]),
                               (70, ["satisfied"])])
    assert (summary.responses, summary.answers, summary.dissatisfied) == (3, 6, 3)
    assert summary.dissatisfaction_rate == 0.5
    assert summary.score == 70.0 and summary.dropped == (90.0, 50.0)
    assert rules.vetoed(summary)


def test_the_veto_is_strictly_over_forty_percent():
    at_line = SurveySummary(responses=5, score=80.0, dropped=(), answers=10, dissatisfied=4)
    over = SurveySummary(responses=5, score=80.0, dropped=(), answers=10, dissatisfied=5)
    assert not rules.vetoed(at_line) and rules.vetoed(over)
    assert not rules.vetoed(None)
    assert not rules.vetoed(SurveySummary(responses=0, score=None, dropped=(), answers=0, dissatisfied=0))


@pytest.mark.parametrize("raw, ok", [("13912345678", "13912345678"), ("139 1234 5678", "13912345678"),
                                     ("1391234567", None), ("23912345678", None), ("１３９１２３４５６７８", None)])
def test_phone_numbers(raw, ok):
    assert rules.clean_phone(raw) == ok


@pytest.mark.parametrize("raw, ok", [("0", 0), ("100", 100), ("101", None), ("-1", None), ("8.5", None), ("", None)])
def test_overall_scores(raw, ok):
    assert rules.clean_overall(raw) == ok
