"""Issue 14: at the gate the in-app scanner fills the pass and slip number fields. The fake camera shows a
pass's QR (its page's URL, printed with the site's base URL) and gate01's 「扫码填入」 puts the pass number into
the field (jsQR, loaded on the first tap) and the page shows whom the pass is for; offline, a slip's QR is read
into its field by the scanner the service worker kept, and the slip's goods show from the phone's cache.
Nothing is submitted: the session's other gate tests count the records they store."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.e2e.test_gate_offline import _ids, _issue_slip
from tests.e2e.test_scanner import camera_args, tag_video

pytestmark = pytest.mark.e2e


def _issue_pass(server, site_id: int) -> str:
    from wuye_field.accounts.models import User
    from wuye_field.core.time import utcnow
    from wuye_field.extensions import db
    from wuye_field.gate import passes
    from wuye_field.places.models import Building

    with server.app.app_context():
        desk = db.session.scalar(select(User).where(User.staff_no == "desk01"))
        building = db.session.scalar(select(Building).where(Building.site_id == site_id))
        issued = passes.issue_pass(desk, site_id, {"visitor_name": "李娜", "visitor_phone": "13912345678",
                                                   "building": str(building.id), "unit": "1单元101", "days": "1"},
                                   now=utcnow())
        db.session.commit()
        number = issued.number
        db.session.remove()
        return number


def test_the_camera_reads_a_pass_into_the_gate_field(phone_factory, server, tmp_path):
    site_id, _post_id = _ids(server)
    number = _issue_pass(server, site_id)
    printed = f"http://wuye.test/gate/passes/{number}"  # what the pass's QR holds
    phone = phone_factory("gatescan", args=camera_args(tag_video(printed, tmp_path / "pass.y4m")))
    phone.login("gate01", remember=False)
    phone.goto("/")
    form = phone.page.locator("form[data-action='visitor-in']")
    form.locator("[data-scan-into=pass]").click()
    phone.page.wait_for_function("() => document.querySelector('[name=pass]').value !== ''", timeout=20000)
    assert form.locator("input[name=pass]").input_value() == number
    assert form.locator("[data-scan-panel]").is_hidden()  # the camera closes once the field is filled
    assert "李**" in form.locator("[data-pass-info]").inner_text()  # whom it is for, from the page's passes
    # Nothing is submitted here: the session's other gate tests count the visitors stored (the pass's one-tap
    # entry is proven in tests/gate/test_passes.py and the outbox's in test_gate_offline.py).


def test_offline_the_scanner_fills_the_slip_number(phone_factory, server):
    site_id, _post_id = _ids(server)
    number = _issue_slip(server, site_id)
    phone = phone_factory("gatescanoff", args=camera_args())
    phone.context.add_init_script("""
      window.BarcodeDetector = class {
        detect() { return Promise.resolve(window.__code ? [{rawValue: window.__code}] : []); }
      };
      window.__code = 'https://example.com/hello';
    """)
    phone.login("gate01")
    phone.wait_offline_ready("/")
    phone.go_offline()
    phone.goto("/")
    page = phone.page
    release = page.locator("form[data-action='release-check']")
    release.locator("[data-scan-into=number]").click()
    page.wait_for_function("() => document.querySelector('#gate-release [data-scanner-status]')"
                           ".dataset.message === 'not_this_code'")
    page.evaluate(f"() => {{ window.__code = {number!r}; }}")
    page.wait_for_function("() => document.querySelector('#gate-release [name=number]').value !== ''")
    assert release.locator("input[name=number]").input_value() == number
    assert "旧沙发" in release.locator("[data-slip-info]").inner_text()
    phone.go_online()
