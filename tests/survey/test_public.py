"""The public questionnaire: no sign-in, no JavaScript, one response per phone number per site-month (also
when two posts race), the residents' window links to it, closed months refuse."""
from __future__ import annotations

import re
import threading

from sqlalchemy import select

from tests.survey.helpers import form, link, stored
from wuye_field.core.months import month_of, site_today
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.places.models import Building
from wuye_field.reports.close import close_month
from wuye_field.survey import responses
from wuye_field.survey.models import SurveyResponse


def test_the_public_form_works_without_sign_in_or_javascript(client, demo):
    url = link(demo)
    page = client.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<script" not in html and "满意度调查" in html
    assert html.count('value="dissatisfied"') == 6  # the manual's six default questions
    assert 'name="csrf_token"' in html and 'name="phone"' in html and 'name="overall"' in html
    answer = client.post(url, data=form(demo, comment="保安很负责"))
    assert answer.status_code == 201 and "感谢您的评价" in answer.get_data(as_text=True)
    [response] = stored(demo.id)
    assert (response.channel, response.user_id, response.phone, response.overall) == ("link", None, "13912345678", 90)
    assert response.month == month_of(site_today(demo.timezone, utcnow()))
    assert {a["a"] for a in response.answers} == {"satisfied"} and all(a["text"] for a in response.answers)


def test_a_second_response_from_the_same_phone_is_refused_in_chinese(client, demo):
    url = link(demo)
    assert client.post(url, data=form(demo)).status_code == 201
    again = client.post(url, data=form(demo, "139 1234 5678", overall=10))
    assert again.status_code == 409
    assert "本月已经填过问卷" in again.get_data(as_text=True) and "139****5678" in again.get_data(as_text=True)
    assert [r.overall for r in stored(demo.id)] == [90]
    assert client.post(url, data=form(demo, "13800000001")).status_code == 201  # another number is welcome


def test_bad_answers_are_named_field_by_field(client, demo):
    url = link(demo)
    values = form(demo, "123", overall=150)
    values.pop(next(k for k in values if k.startswith("q")))
    page = client.post(url, data=values)
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert "11 位手机号" in html and "0 到 100" in html and "请选择满意、基本满意或不满意" in html
    assert stored(demo.id) == []


def test_two_racing_posts_from_one_phone_store_one(app, demo):
    url = link(demo)
    values = form(demo)
    clients = [app.test_client() for _ in range(2)]
    db.session.commit()
    barrier, statuses = threading.Barrier(2), []

    def run(client):
        barrier.wait(timeout=10)
        statuses.append(client.post(url, data=values).status_code)

    threads = [threading.Thread(target=run, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(statuses) == [201, 409]
    assert len(stored(demo.id)) == 1


def test_unknown_link_says_so(client, demo):
    page = client.get("/s/not-a-real-token")
    assert page.status_code == 404 and "问卷二维码无效" in page.get_data(as_text=True)


def test_the_residents_window_links_to_the_survey_of_its_site(client, demo):
    building = db.session.scalar(select(Building).where(Building.site_id == demo.id, Building.name == "1栋"))
    window = client.get(f"/b/{building.public_token}").get_data(as_text=True)
    href = re.search(r'href="([^"]+)" data-survey', window).group(1)
    assert href == f"/s/b/{building.public_token}"
    assert "<script" not in client.get(href).get_data(as_text=True)
    assert client.post(href, data=form(demo)).status_code == 201
    [response] = stored(demo.id)
    assert response.building_id == building.id and response.channel == "link"


def test_a_closed_month_takes_no_more_responses(app, demo):
    from wuye_field.core.months import previous_month
    from wuye_field.sync.receipt import Receipt

    now = utcnow()
    last = previous_month(month_of(site_today(demo.timezone, now)))
    close_month(demo, last, actor=None, now=now)
    db.session.commit()
    link(demo)
    clean = responses.clean_response(form(demo), [int(k[1:]) for k in form(demo) if k.startswith("q")])
    try:
        responses.store(demo, last, clean, channel="link", receipt=Receipt.server(now))
    except responses.MonthClosed as exc:
        assert "已关账" in exc.message
    else:
        raise AssertionError("a closed month took a response")
    assert db.session.scalar(select(SurveyResponse.id)) is None


def test_the_public_form_is_light(client, demo):
    import gzip

    html = client.get(link(demo)).get_data()
    css = client.get("/static/css/survey.css").get_data()
    assert len(gzip.compress(html)) + len(gzip.compress(css)) <= 20 * 1024


def test_too_many_answers_from_one_address_are_refused_in_chinese(make_app, demo):
    app = make_app(RATELIMIT_ENABLED=True, SURVEY_LIMIT_PER_IP="2 per hour")
    with app.app_context():
        site = db.session.merge(demo)
        url = link(site)
        client = app.test_client()
        assert client.post(url, data=form(site, "13900000001")).status_code == 201
        assert client.post(url, data=form(site, "13900000002")).status_code == 201
        third = client.post(url, data=form(site, "13900000003"))
        assert third.status_code == 429 and "提交太频繁" in third.get_data(as_text=True)
        assert len(stored(site.id)) == 2


def test_a_post_without_the_form_token_is_refused(make_app, demo):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        site = db.session.merge(demo)
        url = link(site)
        refused = app.test_client().post(url, data=form(site))
        assert refused.status_code == 400
        assert stored(site.id) == []
