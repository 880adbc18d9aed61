"""The round's part of the demo's past: last month's round by inspector01, signed by the inspector only."""
from __future__ import annotations

from sqlalchemy import func, select

from tests.assessment.test_round import FIXED
from wuye_field.assessment import entries, proposals
from wuye_field.assessment.demo import assessment_history
from wuye_field.assessment.models import AssessmentEntry
from wuye_field.audit import chain
from wuye_field.core.months import month_of, previous_month, site_today
from wuye_field.core.time import utcnow
from wuye_field.extensions import db


def test_last_months_round_waits_for_the_managers_signature(demo, monkeypatch):
    monkeypatch.setattr(proposals, "propose", lambda site, month, *, now: list(FIXED))
    now = utcnow()
    assessment_history(demo, 35, now)
    assessment_history(demo, 35, now)  # twice: nothing more
    month = previous_month(month_of(site_today(demo.timezone, now)))
    decided = entries.decisions(demo.id, month)
    assert decided.item_scores == {"hygiene": 18, "repairs": 18.5, "security": 23, "greening": 9.5, "equipment": 14,
                                   "complaints": 10}
    assert [d.item for d in decided.onsite] == ["greening"]
    assert decided.accepted == {"P2.missed"} and list(decided.rejected) == ["C3.late"]
    assert [s.role for s in decided.signatures] == ["inspector"]
    assert db.session.scalar(select(func.count(AssessmentEntry.id))) == 10
    assert chain.verify(demo.id).ok
