"""The place page (issue 19): 「全部正常」 is the one obvious path and counts as the visit; the bare 打卡 is
folded away where a checklist is shown; the exception path is its own red block."""
from __future__ import annotations

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
    assert key in body and "CP06" in body
