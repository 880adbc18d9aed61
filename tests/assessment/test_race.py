"""A score racing the site manager's signature (the inspector has signed): stored before the signature on
the site's chain, or refused — never stored after both signatures (on SQLite and on PostgreSQL)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.assessment.test_round import post
from tests.sync.test_concurrency import _race
from wuye_field.assessment import proposals
from wuye_field.assessment.models import AssessmentEntry
from wuye_field.audit.models import ChainEntry
from wuye_field.core.months import month_of, previous_month, site_today
from wuye_field.core.time import utcnow
from wuye_field.extensions import db

ROUNDS = 5


@pytest.fixture(autouse=True)
def no_proposals(monkeypatch):
    monkeypatch.setattr(proposals, "propose", lambda site, month, *, now: [])


def _client(app, username):
    client = app.test_client()
    assert client.post("/login", data={"username": username, "password": "wuye-demo"}).status_code == 302
    return client


def _chain_order(site_id: int, month: str) -> list[str]:
    """The month's entries in the order the site's chain linked them: kind (and role of a signature)."""
    rows = db.session.execute(select(AssessmentEntry.kind, AssessmentEntry.signer_role).join(
        ChainEntry, (ChainEntry.kind == "assessment_entry") & (ChainEntry.record_id == AssessmentEntry.id))
        .where(AssessmentEntry.site_id == site_id, AssessmentEntry.month == month).order_by(ChainEntry.seq))
    return [f"{kind}:{role}" if role else kind for kind, role in rows]


def test_a_score_racing_the_last_signature_never_lands_after_it(app, demo):
    inspector, manager = _client(app, "inspector01"), _client(app, "supervisor01")
    month, site_id = month_of(site_today(demo.timezone, utcnow())), demo.id  # the threads have no session
    db.session.commit()
    for _ in range(ROUNDS):
        month = previous_month(month)
        assert post(inspector, site_id, month, kind="sign", signer_role="inspector").status_code == 201
        db.session.commit()
        score, sign = _race([inspector, manager], lambda c, month=month: post(
            c, site_id, month, **({"kind": "score", "item": "hygiene", "points": "18"} if c is inspector
                                   else {"kind": "sign", "signer_role": "manager"})))
        assert sign.status_code == 201
        order = _chain_order(site_id, month)
        if score.status_code == 201:
            assert order == ["sign:inspector", "score", "sign:manager"]
        else:
            assert score.status_code == 409 and order == ["sign:inspector", "sign:manager"]
        db.session.commit()
