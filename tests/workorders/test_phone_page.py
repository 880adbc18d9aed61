"""The technician's order page on a phone (issue 19): the 完工 form waits for 「已到场」, and a remaining
time never leaves 「分」 alone on a line."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.workorders.helpers import assigned, crew, receipt
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.workorders import services


@pytest.fixture
def team(factories):
    return crew(factories)


def _page(client, auth, team, order) -> str:
    auth.login(team.tech.staff_no, "password-123")
    response = client.get(f"/workorders/{order.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _done_form_tag(html: str) -> str:
    return re.search(r'<form class="stack wo-done-form"[^>]*>', html).group(0)


def test_done_form_is_hidden_until_arrived(client, auth, team):
    order = assigned(team, at=utcnow() - timedelta(minutes=5))
    db.session.commit()
    html = _page(client, auth, team, order)
    assert 'data-action="order-arrive"' in html
    tag = _done_form_tag(html)
    assert " hidden" in tag and "data-after-arrive" in tag  # shown by 「已到场」 (offline too), not before
    services.arrive(team.tech, order.id, receipt=receipt(utcnow()))
    db.session.commit()
    html = client.get(f"/workorders/{order.id}").get_data(as_text=True)
    assert 'data-action="order-arrive"' not in html and " hidden" not in _done_form_tag(html)


def test_remaining_time_keeps_numbers_with_their_units(client, auth, team):
    order = assigned(team, at=utcnow() - timedelta(minutes=5), priority="ordinary")
    db.session.commit()
    html = _page(client, auth, team, order)
    texts = re.findall(r'data-clock-text>\s*(剩 [^<]*)</strong>', html)
    assert texts and all(re.search(r"\d\xa0分$", t.strip()) for t in texts), texts
    assert all(not re.search(r"\d ", t) for t in texts)
    from wuye_field.core.ui import units_together

    assert units_together("已超时 6 小时 37 分") == "已超时 6\xa0小时 37\xa0分"
