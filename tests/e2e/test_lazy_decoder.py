"""Issue 19: the QR decoder is fetched by the scanner page on its first open, then kept for offline use."""
from __future__ import annotations

import pytest

from tests.e2e.test_scanner import camera_args

pytestmark = pytest.mark.e2e


def decoder_state(phone) -> str:
    phone.page.wait_for_function("() => document.querySelector('[data-scanner]').dataset.decoder")
    return phone.page.evaluate("() => document.querySelector('[data-scanner]').dataset.decoder")


def test_decoder_is_fetched_on_first_open_and_kept_offline(phone_factory):
    phone = phone_factory("lazy", args=camera_args())
    start = len(phone.server.wsgi.log)  # the server's log is shared by the whole session
    phone.login("guard01", remember=False)
    phone.wait_offline_ready("/scan")
    fetched = lambda: [p for m, p, _k, _s in phone.server.wsgi.log[start:] if m == "GET" and "jsQR" in p]  # noqa: E731
    assert not fetched(), "the offline download holds no decoder"

    # Offline before the scanner was ever opened: it says so, and the typed code is the way.
    phone.go_offline()
    phone.page.goto(phone.server.url + "/scan")
    assert decoder_state(phone) == "none"
    phone.page.wait_for_function(
        "() => document.querySelector('[data-scanner-status]').dataset.message === 'decoder_missing'")
    assert "手动输入" in phone.page.locator("[data-scanner-status]").inner_text()

    # Online, the first open fetches it once; offline afterwards the worker has it.
    phone.go_online()
    phone.page.goto(phone.server.url + "/scan")
    assert decoder_state(phone) == "jsqr"
    assert len(fetched()) == 1
    phone.go_offline()
    phone.page.goto(phone.server.url + "/scan")
    assert decoder_state(phone) == "jsqr"
    phone.go_online()
