"""The place page (issue 19): 「全部正常」 is the one obvious path and counts as the visit; the bare 打卡 is
folded away where a checklist is shown; the exception path is its own red block."""
from __future__ import annotations

import csv
import io
import re

from tests.sync import helpers


def _page(client, site, code):
    return client.get(f"/t/{helpers.place(site, code).tag_token}").get_data(as_text=True)


def test_one_primary_action_on_a_checkpoint_with_a_checklist(client, auth, demo):
    auth.login("guard01")
    page = _page(client, demo, "CP06")
    patrol = page[page.index('id="inspection-panel"'):]
    patrol = patrol[:patrol.index("</section>", patrol.index('id="scan-panel"'))]
    primary = re.findall(r'<button type="submit"[^>]*class="btn btn-primary btn-big"[^>]*>', patrol)
    assert len(primary) == 1 and "data-all-ok" in primary[0]
    assert "即完成本次巡查和打卡" in page  # says that 「全部正常」 is the visit
    # the bare 打卡 form is behind 「只打卡，不做检查」, not a second big card
    scan_only = page[page.index('id="scan-panel"'):]
    assert scan_only.index("<details") < scan_only.index('data-action="scan"')
    assert "只打卡，不做检查" in scan_only
    exception = page[page.index("data-exception-path"):]
    assert exception.index("btn-danger") < exception.index("提交异常")


def test_a_checkpoint_without_checklist_keeps_the_scan_card(client, auth, demo, factories):
    from wuye_field.extensions import db
    place = factories.place(demo, code="CP99")
    db.session.commit()
    auth.login("guard01")
    page = client.get(f"/t/{place.tag_token}").get_data(as_text=True)
    assert "只打卡，不做检查" not in page
    assert re.search(r'class="btn btn-primary btn-big">打卡</button>', page)


def test_all_normal_visit_is_in_the_scans_export(client, auth, demo):
    """「全部正常」 alone is a visit: scans.csv lists it, as the board counts it."""
    auth.login("guard01")
    place = helpers.place(demo, "CP06")
    key = helpers.new_key()
    reading = re.search(r'name="(reading-\d+)"', _page(client, demo, "CP06")).group(1)
    answer = client.post("/patrol/inspections", data={"place": place.tag_token, "result": "ok", reading: "0.3"},
                         headers=helpers.headers(key))
    assert answer.status_code == 201
    auth.login("supervisor01")
    today = helpers.datetime.now(helpers.SHANGHAI).date().isoformat()
    body = client.get(f"/export/scans.csv?site=DEMO&date_from={today}&date_to={today}").get_data(as_text=True)
    (row,) = [r for r in csv.reader(io.StringIO(body.lstrip("\ufeff"))) if key in r]
    assert row[2] == "CP06" and row[8] == "检查：全部正常"  # the visit says it came from 「全部正常」
    inspections = client.get(f"/export/inspections.csv?site=DEMO&date_from={today}&date_to={today}")
    assert key in inspections.get_data(as_text=True)  # the same record in both files


def test_scans_export_names_how_each_visit_was_made(client, auth, demo):
    auth.login("guard01")
    bad = helpers.new_key()
    answer = client.post("/patrol/inspections", headers=helpers.headers(bad), data={
        "place": helpers.place(demo, "CP01").tag_token, "result": "exception", "note": "门禁损坏", "severity": "high"})
    assert answer.status_code == 201, answer.get_json()
    scanned = helpers.new_key()
    assert helpers.post_scan(client, helpers.place(demo, "CP02").tag_token, scanned).status_code == 201
    auth.login("supervisor01")
    today = helpers.datetime.now(helpers.SHANGHAI).date().isoformat()
    body = client.get(f"/export/scans.csv?site=DEMO&date_from={today}&date_to={today}").get_data(as_text=True)
    methods = {r[-1]: r[8] for r in csv.reader(io.StringIO(body.lstrip("\ufeff")))}
    assert methods[bad] == "检查：有异常" and methods[scanned] == "相机链接"
