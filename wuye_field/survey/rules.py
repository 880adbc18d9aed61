"""The survey's arithmetic and form rules, without a database (A2, A4).

Score (A2): the mean of the month's overall scores (0–100) after dropping one highest and one lowest.
With fewer than three responses nothing can be dropped without dropping everything, so the rule is:
  - 0 responses: no score (None) — the site ran no survey that month;
  - 1 or 2 responses: the plain mean, nothing dropped, with the message 「问卷少于3份，未去掉最高分和最低分」;
  - 3 or more: one highest and one lowest dropped (one of each even when several share the value).
Dissatisfaction (A4): the share of 不满意 among every per-question answer of the month; over 40 % vetoes
the month (the assessment reads it).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence

from flask_babel import gettext as _

from wuye_field.survey.summary import SurveySummary

MIN_TO_DROP = 3
DISSATISFACTION_VETO = 0.40  # A4: 不满意率大于40% fails the month
TARGET = {"staff": 10, "resident": 20}  # A2: about 30 people, 10 staff and 20 residents
PHONE_DIGITS = 11


def trimmed_score(overalls: Sequence[float]) -> tuple[float | None, tuple[float, ...], str]:
    """(score, dropped, message) of a month's overall scores under the rule above; the score is rounded to
    two decimals."""
    values = sorted(float(v) for v in overalls)
    if not values:
        return None, (), _("本月没有问卷，无满意度得分。")
    if len(values) < MIN_TO_DROP:
        return round(sum(values) / len(values), 2), (), _("问卷少于3份，未去掉最高分和最低分。")
    kept = values[1:-1]
    return round(sum(kept) / len(kept), 2), (values[-1], values[0]), ""


def summarize(responses: Iterable[tuple[float, Sequence[str]]]) -> SurveySummary:
    """The summary of (overall score, per-question answer codes) pairs."""
    rows = list(responses)
    score, dropped, message = trimmed_score([overall for overall, _answers in rows])
    answers = [a for _overall, codes in rows for a in codes]
    return SurveySummary(responses=len(rows), score=score, dropped=dropped, answers=len(answers),
                         dissatisfied=sum(1 for a in answers if a == "dissatisfied"), message=message)


def vetoed(summary: SurveySummary | None) -> bool:
    """A4 (4): dissatisfaction strictly over 40 %."""
    rate = summary.dissatisfaction_rate if summary else None
    return rate is not None and rate > DISSATISFACTION_VETO


def clean_phone(raw) -> str | None:
    """An 11-digit mobile number (spaces and dashes dropped), or None."""
    phone = "".join(ch for ch in str(raw or "") if ch not in " -")
    if phone.isascii() and phone.isdigit() and len(phone) == PHONE_DIGITS and phone.startswith("1"):
        return phone
    return None


def clean_overall(raw) -> int | None:
    """A whole score 0–100, or None."""
    text = str(raw or "").strip()
    if not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if 0 <= value <= 100 else None
