"""Supervisor pages on a phone (issue 19): a day with no ended window says so in the board's words
instead of 「— 0 / 0」, the pager is one row, tables scroll in their own box; the desk's lines never
start with 「·」; the desk's home offers no 扫码打卡."""
from __future__ import annotations

import re

from tests.sync.helpers import receipt
from wuye_field.accounts.services import find_user_by_login
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.workorders import services


def test_compliance_day_without_ended_windows_reads_like_the_board(client, auth, demo):
    auth.login("supervisor01")
    page = client.get("/patrol/compliance").get_data(as_text=True)
    board = client.get("/patrol/board").get_data(as_text=True)
    overdue = re.search(r'data-overdue="(\d+)"', board).group(1)
    assert "0 / 0 个时段" not in page
    assert "这段时间还没有结束的巡查时段" in page
    assert f"超时 {overdue}" in page and f"超时 {overdue}" in board
    assert 'class="pager"' in page and page.count('class="table-wrap"') == 2


def test_desk_lines_never_start_with_a_dot(client, auth, demo):
    desk = find_user_by_login("desk01")
    at = utcnow()
    services.raise_order(desk, site_id=demo.id, category="water", priority="emergency", receipt=receipt(at),
                         source="desk", description="厨房水管漏水", room="1-301",
                         resident_name="王先生", resident_phone="13812341234")
    db.session.commit()
    auth.login("desk01")
    page = client.get("/workorders/desk").get_data(as_text=True)
    lines = re.findall(r'class="[^"]*wo-desk-line[^"]*">\s*([^<]*)', page)
    assert lines, "the desk board lists orders line by line"
    assert not [line for line in lines if line.strip().startswith("·")]


def test_desk_home_has_no_scan_button_but_a_guard_has(client, auth, demo):
    auth.login("desk01")
    assert "扫码打卡" not in client.get("/").get_data(as_text=True)
    auth.logout()
    auth.login("guard01")
    assert "扫码打卡" in client.get("/").get_data(as_text=True)
