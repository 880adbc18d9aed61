"""The desk's paper forms (outbox action), the month page with masked phones, the CSV that reproduces the
score, the questionnaire's edits, the month close freezing survey.csv, and month_survey for the assessment."""
from __future__ import annotations

import csv
import io

from sqlalchemy import select

from tests.survey.helpers import enter, form, link, stored
from tests.sync.helpers import headers
from wuye_field.core.months import month_of, previous_month, site_today
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.reports.close import close_month
from wuye_field.survey import rules
from wuye_field.survey.models import SurveyAccess, SurveyQuestion
from wuye_field.survey.results import month_survey

SCORES = [100, 95, 90, 85, 80, 40]


def _this(site) -> str:
    return month_of(site_today(site.timezone, utcnow()))


def _six(client, site, month):
    for i, score in enumerate(SCORES):
        answer = "dissatisfied" if score == 40 else "satisfied"
        assert enter(client, site, month, f"1390000000{i}", overall=score, answer=answer,
                     respondent="staff" if i < 2 else "resident").status_code == 201


def test_the_desk_types_paper_forms_once_each(client, auth, demo):
    link(demo)
    auth.login("desk01")
    month = _this(demo)
    sent = headers()
    data = form(demo, "13900000001") | {"site": str(demo.id), "month": month}
    first = client.post("/survey/responses", data=data, headers=sent)
    assert first.status_code == 201 and "已录入问卷" in first.get_json()["message"]
    replay = client.post("/survey/responses", data=data, headers=sent)
    assert replay.status_code == 200 and replay.headers["Idempotent-Replayed"] == "true"
    again = enter(client, demo, month, "13900000001", overall=20)  # the same paper form typed twice
    assert again.status_code == 409 and "本月已经填过问卷" in again.get_json()["message"]
    no_phone = enter(client, demo, month, "")
    assert no_phone.status_code == 422, no_phone.get_data(as_text=True)[:500]
    [response] = stored(demo.id)
    assert response.channel == "desk" and response.user_id is not None
    assert response.client_uuid == sent["Idempotency-Key"]


def test_a_guard_cannot_enter_forms(client, auth, demo):
    link(demo)
    auth.login("guard01")
    assert enter(client, demo, _this(demo), "13900000001").status_code == 404
    assert stored(demo.id) == []


def test_month_page_masks_phones_for_supervisors_and_logs_admins(client, auth, demo):
    link(demo)
    auth.login("desk01")
    _six(client, demo, _this(demo))
    desk_page = client.get(f"/survey/?site={demo.id}").get_data(as_text=True)
    assert "13900000001" in desk_page
    auth.logout()
    auth.login("supervisor01")
    page = client.get(f"/survey/?site={demo.id}").get_data(as_text=True)
    assert "13900000001" not in page and "139****0001" in page
    assert db.session.scalar(select(SurveyAccess.id)) is None
    assert 'data-figure="score"' in page and "87.50" in page  # (95 + 90 + 85 + 80) / 4
    assert 'data-figure="responses">6<' in page
    auth.logout()
    auth.login("admin01")
    assert "13900000001" in client.get(f"/survey/?site={demo.id}").get_data(as_text=True)
    db.session.expire_all()
    [logged] = db.session.scalars(select(SurveyAccess)).all()
    assert logged.month == _this(demo)
    auth.logout()
    auth.login("supervisor01")
    page = client.get(f"/survey/?site={demo.id}").get_data(as_text=True)
    assert 'id="survey-access"' in page and "admin01" in page


def test_the_csv_reproduces_the_page_score_with_phones_masked(client, auth, demo):
    link(demo)
    auth.login("desk01")
    month = _this(demo)
    _six(client, demo, month)
    auth.logout()
    auth.login("supervisor01")
    text = client.get(f"/export/survey.csv?site={demo.code}&month={month}").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == 6 and all("****" in row["手机号"] for row in rows)
    score, dropped, _message = rules.trimmed_score([int(row["总体评分"]) for row in rows])
    summary = month_survey(demo.id, month)
    assert score == summary.score == 87.5 and dropped == summary.dropped == (100.0, 40.0)
    dissatisfied = sum(int(row["不满意"]) for row in rows)
    answers = sum(int(row["满意"]) + int(row["基本满意"]) + int(row["不满意"]) for row in rows)
    assert dissatisfied / answers == summary.dissatisfaction_rate == 6 / 36


def test_month_survey_is_none_without_responses(demo):
    assert month_survey(demo.id, "2026-01") is None


def test_renamed_and_retired_questions_keep_what_was_answered(client, auth, demo):
    link(demo)
    auth.login("desk01")
    month = _this(demo)
    assert enter(client, demo, month, "13900000001").status_code == 201
    auth.logout()
    auth.login("supervisor01")
    first, second = db.session.scalars(select(SurveyQuestion).order_by(SurveyQuestion.position)).all()[:2]
    old = first.text
    assert client.post(f"/survey/questions/{first.id}/rename", data={"text": "楼道保洁"}).status_code == 303
    assert client.post(f"/survey/questions/{second.id}/retire").status_code == 303
    assert client.post(f"/survey/questions?site={demo.id}", data={"text": "停车管理"}).status_code == 303
    db.session.expire_all()
    [response] = stored(demo.id)
    assert response.answers[0]["text"] == old and len(response.answers) == 6
    public = client.get(link(demo)).get_data(as_text=True)
    assert "楼道保洁" in public and second.text not in public and "停车管理" in public
    assert public.count('value="dissatisfied"') == 6


def test_a_closed_month_freezes_survey_csv_and_refuses_the_desk(client, auth, demo):
    link(demo)
    auth.login("desk01")
    last = previous_month(_this(demo))
    _six(client, demo, last)
    close_month(demo, last, actor=None, now=utcnow())
    db.session.commit()
    refused = enter(client, demo, last, "13900000099")
    assert refused.status_code == 409 and "已关账" in refused.get_json()["message"]
    frozen = client.get(f"/export/survey.csv?site={demo.code}&month={last}").get_data(as_text=True)
    assert frozen.count("\n") == 7
    page = client.get(f"/survey/?site={demo.id}&month={last}").get_data(as_text=True)
    assert 'id="survey-closed"' in page


def test_home_card_and_poster(client, auth, demo):
    auth.login("supervisor01")
    home = client.get("/").get_data(as_text=True)
    assert 'id="home-survey"' in home
    poster = client.get(f"/survey/poster?site={demo.id}").get_data(as_text=True)
    assert "<svg" in poster and f"{demo.public_base_url.rstrip('/')}/s/" in poster


def test_demo_history_has_last_month_and_this_month(demo):
    from wuye_field.audit.chain import verify
    from wuye_field.survey.demo import survey_history

    now = utcnow()
    survey_history(demo, 35, now)
    survey_history(demo, 35, now)  # twice changes nothing
    this = _this(demo)
    last = month_survey(demo.id, previous_month(this))
    assert last.responses == 30 and last.dropped == (100.0, 45.0) and last.score is not None
    assert last.dissatisfied > 0 and last.dissatisfaction_rate < rules.DISSATISFACTION_VETO
    kinds = [r.respondent for r in stored(demo.id) if r.month == previous_month(this)]
    assert kinds.count("staff") == 10 and kinds.count("resident") == 20
    assert {r.channel for r in stored(demo.id)} == {"desk", "link"}
    assert month_survey(demo.id, this).responses >= 3
    assert verify(demo.id).ok


def test_the_desk_keeps_the_entry_form_offline(client, auth, demo):
    auth.login("desk01")
    manifest = client.get("/sync/manifest").get_json()
    assert f"/survey/entry?site={demo.id}" in manifest["pages"]
