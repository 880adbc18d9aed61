"""`wuye demo` gives DEMO about 60 pieces of equipment with the default plans and a month of checks."""
from __future__ import annotations

import time

from sqlalchemy import func, select

from wuye_field.checks import board
from wuye_field.checks.demo import checks_history
from wuye_field.checks.models import CheckPlan, CheckRecord, Drill, Equipment
from wuye_field.core.time import utcnow
from wuye_field.extensions import db


def test_demo_equipment_plans_and_a_month_of_history(demo):
    assert 50 <= db.session.scalar(select(func.count(Equipment.id))) <= 70
    assert db.session.scalar(select(func.count(CheckPlan.id))) >= 9
    started = time.process_time()  # CPU time: other work on a shared machine does not count against it
    made = checks_history(demo, 30, utcnow())
    assert time.process_time() - started < 5  # its share of the demo's time budget (about 2 s alone)
    assert made > 150 and db.session.scalar(select(func.count(CheckRecord.id))) == made
    assert db.session.scalar(select(func.count(Drill.id))) == 1
    assert not board.board(demo, now=utcnow()).drill_red
    assert checks_history(demo, 30, utcnow()) == 0  # a second run adds nothing


def test_demo_pieces_with_their_own_tag_are_on_the_tag_sheet_and_open_their_check(app, client, auth, demo):
    from wuye_field.checks.demo import OWN_TAGS
    from wuye_field.demo import load_demo
    from wuye_field.places.models import Place

    assert db.session.scalar(select(func.count(Place.id)).where(Place.kind == "equipment")) == 0  # the bare demo
    load_demo(app.config["PUBLIC_BASE_URL"], app.config["PASSWORD_HASH_METHOD"], sample_orders=True)  # `wuye demo`
    db.session.commit()
    pieces = {e.code: e for e in db.session.scalars(select(Equipment).where(Equipment.code.in_(OWN_TAGS)))}
    assert set(pieces) == set(OWN_TAGS) and all(e.tag_place_id for e in pieces.values())
    tags = {e.code: db.session.get(Place, e.tag_place_id) for e in pieces.values()}
    auth.login("admin01")
    sheet = client.get(f"/admin/sites/{demo.id}/tags.csv").get_data(as_text=True)
    assert all(tag.tag_token in sheet for tag in tags.values())
    auth.logout()
    auth.login("guard01")
    html = client.get(f"/t/{tags['HB101'].tag_token}").get_data(as_text=True)
    assert 'data-equipment-code="HB101"' in html and 'name="count_extinguishers"' in html
    assert 'data-equipment-code="HB102"' not in html  # its own tag reaches that box only
