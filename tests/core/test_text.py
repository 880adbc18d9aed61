"""Text that stays where it is put (R29 in docs/standards.md): control and direction characters never reach a stored
name or note, forms say so in Chinese, and whatever is printed is isolated — pages and CSV alike."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from tests.defects.test_defects import photo, post_defect
from tests.sync import helpers
from wuye_field.accounts.models import User
from wuye_field.core.csv_export import csv_text
from wuye_field.core.text import clean_text, isolate, text_problem
from wuye_field.extensions import db
from wuye_field.patrol.models import Scan

RLO, PDF, LRI, ESC = "\u202e", "\u202c", "\u2066", "\x1b"
HX = {"HX-Request": "true"}


@pytest.mark.parametrize(("raw", "single", "multi"), [
    ("王\u202e伟", "王伟", "王伟"),
    ("a\r\nb\rc", "a b c", "a\nb\nc"),
    (f"  {ESC}[31m红{ESC}[0m\x00\x07 ", "[31m红[0m", "[31m红[0m"),
    ("x\u200by\ufeffz\u2066w\u2069", "xyzw", "xyzw"),
    ("第一行\u2028第二行\t!", "第一行 第二行 !", "第一行\n第二行\t!"),
    (None, "", ""),
])
def test_clean_text(raw, single, multi):
    assert clean_text(raw) == single
    assert clean_text(raw, multiline=True) == multi


def test_text_problem_names_the_invisible_characters_in_chinese():
    assert text_problem("张伟") is None and text_problem("第一行\n第二行", multiline=True) is None
    assert "控制字符" in text_problem(f"张{RLO}伟")
    assert text_problem("a\nb") is not None  # a name is one line


def test_isolate_escapes_and_wraps():
    assert str(isolate(f"<b>{RLO}x</b>")) == "<bdi>&lt;b&gt;x&lt;/b&gt;</bdi>"


def test_admin_form_refuses_a_name_with_direction_overrides(client, auth, demo):
    auth.login("admin01")
    response = client.post("/admin/users", headers=HX, data={
        "staff_no": "guard77", "name": f"张伟{RLO}人管理员", "password": "secret-123", "roles": [f"{demo.id}:guard"]})
    assert response.status_code == 200
    assert "看不见的控制字符" in response.text
    assert db.session.scalar(select(User).where(User.staff_no == "guard77")) is None


def test_a_stored_name_with_overrides_renders_isolated_without_them(client, auth, demo):
    """A name stored before this cleaning (or by another path) cannot reverse the admin's user list."""
    guard = db.session.scalar(select(User).where(User.staff_no == "guard02"))
    guard.name = f"李{RLO}强{PDF}"
    db.session.commit()
    auth.login("admin01")
    html = client.get("/admin/users").text
    assert RLO not in html and PDF not in html
    assert "<strong><bdi>李强</bdi></strong>" in html


def test_the_tag_page_isolates_the_place_name(client, auth, demo):
    place = helpers.place(demo)
    place.name = f"{LRI}东门岗{RLO}"
    db.session.commit()
    auth.login("guard01")
    html = client.get(f"/t/{place.tag_token}").text
    assert RLO not in html and LRI not in html
    assert '<h1 class="place-name"><bdi>东门岗</bdi></h1>' in html


def test_a_field_note_is_stored_clean_not_refused(client, auth, demo):
    """A record made offline is kept: the invisible characters go, the note stays."""
    auth.login("guard01")
    response = helpers.post_scan(client, helpers.place(demo).tag_token, note=f"灯坏了{RLO}\r\n{ESC}[2J第二行")
    assert response.status_code == 201
    assert db.session.scalar(select(Scan.note)) == "灯坏了\n[2J第二行"


def test_csv_cells_lose_control_and_direction_characters():
    text = csv_text(["note"], [[f"=1+1{RLO}"], [f"门{RLO}口\r\n二楼{ESC}"], [-5]])
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[1:] == [["'=1+1"], ["门口\n二楼"], ["-5"]]


def test_defect_export_is_clean(client, auth, demo):
    auth.login("guard01")
    when = datetime(2026, 11, 26, 3, 0, tzinfo=timezone.utc)
    assert post_defect(client, place_id=str(helpers.place(demo).id), photo_ids=photo(client), device_time=when,
                       note=f"消防栓{RLO}漏水").status_code == 201
    auth.logout()
    auth.login("supervisor01")
    response = client.get("/export/defects.csv", query_string={"site": "DEMO", "date_from": "2026-11-26",
                                                               "date_to": "2026-11-26"})
    body = response.get_data().decode("utf-8")
    assert "消防栓漏水" in body and RLO not in body
