"""The public questionnaire on a phone with JavaScript off (as a QR scanned in a lobby may open it): answer
every question, send, and a second answer from the same number gets the Chinese refusal."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.places.models import Site
from wuye_field.survey import questionnaire
from wuye_field.survey.models import SurveyResponse

pytestmark = pytest.mark.e2e


def survey_url(server) -> str:
    """The DEMO site's public questionnaire address (made on first use)."""
    with server.app.app_context():
        site = db.session.scalar(select(Site).where(Site.code == "DEMO"))
        token = questionnaire.site_link(site, now=utcnow()).token
        db.session.commit()
        db.session.remove()
    return f"{server.url}/s/{token}"


def _count(server, phone: str) -> int:
    with server.app.app_context():
        n = db.session.scalar(select(func.count(SurveyResponse.id)).where(SurveyResponse.phone == phone))
        db.session.remove()
        return n


def _fill(page, phone: str, overall: str) -> None:
    page.check("input[name=respondent][value=resident]")
    for fieldset in page.locator("fieldset[data-question]").all():
        fieldset.locator("input[value=basic]").check()
    page.fill("input[name=overall]", overall)
    page.fill("textarea[name=comment]", "电梯维修再快一点")
    page.fill("input[name=phone]", phone)
    page.click("#survey-form button[type=submit]")


def test_a_resident_answers_the_survey_on_a_phone_without_javascript(playwright_instance, server):
    url = survey_url(server)
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    context = browser.new_context(**PHONE, java_script_enabled=False)
    context.set_default_timeout(15000)
    page = context.new_page()
    try:
        page.goto(url)
        assert page.locator("fieldset[data-question]").count() == 6
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["viewport"]["width"]
        _fill(page, "13711112222", "88")
        assert "感谢您的评价" in page.locator("#survey-thanks").inner_text()
        assert _count(server, "13711112222") == 1
        page.goto(url)
        _fill(page, "137 1111 2222", "20")
        assert "本月已经填过问卷" in page.locator("#survey-message").inner_text()
        assert _count(server, "13711112222") == 1
    finally:
        context.close()
        browser.close()


def test_the_desk_types_two_paper_forms_and_a_duplicate_is_refused(playwright_instance, server):
    """The entry form goes through the outbox: stored, cleared for the next form; the same number again
    comes back with the Chinese refusal."""
    from tests.e2e.conftest import PASSWORD

    survey_url(server)  # the questionnaire exists
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    context = browser.new_context(**PHONE, service_workers="block")
    context.set_default_timeout(20000)
    page = context.new_page()
    try:
        page.goto(server.url + "/login")
        page.fill("input[name=username]", "desk01")
        page.fill("input[name=password]", PASSWORD)
        page.click("#login-form button[type=submit]")
        page.wait_for_url(lambda u: "/login" not in u)
        page.goto(server.url + "/survey/entry")
        result = page.locator("#survey-entry-form [data-outbox-result]")
        sent = (("13622223333", "已录入问卷"), ("13622224444", "已录入问卷"), ("13622223333", "本月已经填过问卷"))
        for phone, expected in sent:
            page.fill("input[name=phone]", phone)
            page.fill("input[name=overall]", "90")
            page.click("#survey-entry-form button[type=submit]")
            page.wait_for_function("el => el.dataset.state === 'ok' || el.dataset.state === 'error'",
                                   arg=result.element_handle())
            assert expected in result.inner_text()
            assert page.input_value("input[name=phone]") == ""  # cleared for the next paper form
        assert _count(server, "13622223333") == 1 and _count(server, "13622224444") == 1
    finally:
        context.close()
        browser.close()
