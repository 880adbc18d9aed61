"""`/scan`: the code printed under a QR (「CP01」) typed in opens the place, on the user's sites only."""
from __future__ import annotations

import pytest

from tests.sync import helpers
from wuye_field.accounts.models import Membership
from wuye_field.extensions import db


@pytest.mark.parametrize("typed", ["CP01", "cp01", " Cp 01 ", "DEMO-CP01", "CP01 · 巡更点"])
def test_printed_code_opens_the_place(client, auth, demo, typed):
    auth.login("guard01")
    place = helpers.place(demo, "CP01")
    response = client.get("/scan/code", query_string={"code": typed})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/t/{place.tag_token}")


def test_unknown_code_says_so_in_chinese_on_the_scanner(client, auth, demo):
    auth.login("guard01")
    response = client.get("/scan/code", query_string={"code": "XX99"})
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "没有编码为「XX99」的地点" in page and 'value="XX99"' in page and "data-scanner-manual" in page


def test_a_code_on_another_site_is_not_found(client, auth, demo, factories):
    other = factories.site()
    factories.place(other, code="ZZ01")
    db.session.commit()
    auth.login("guard01")
    assert client.get("/scan/code", query_string={"code": "ZZ01"}).status_code == 404


def test_a_code_shared_by_two_of_my_sites_offers_both(client, auth, factories):
    one, two = factories.site(), factories.site()
    a, b = factories.place(one, code="CP01"), factories.place(two, code="CP01")
    user = factories.user(site=one)
    db.session.add(Membership(user_id=user.id, site_id=two.id, role="guard"))
    db.session.commit()
    auth.login(user.staff_no, "password-123")
    response = client.get("/scan/code?code=cp01")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"/t/{a.tag_token}" in page and f"/t/{b.tag_token}" in page
    # the site code picks one
    assert client.get(f"/scan/code?code={two.code}-CP01").headers["Location"].endswith(f"/t/{b.tag_token}")


def test_scanner_form_sends_codes_to_the_server(client, auth, demo):
    auth.login("guard01")
    page = client.get("/scan").get_data(as_text=True)
    assert 'action="/scan/code"' in page
