"""Out of the basement: when the network comes back the outbox goes at once. A back-off earned while the
network was away is dropped, and a first try that finds the network not through yet (the `online` event a
moment early) is repeated within seconds, not after the 30-second timer."""
from __future__ import annotations

import time

import pytest

from tests.e2e.conftest import poll
from tests.e2e.test_offline import only_item, submit_scan, wait_result

pytestmark = pytest.mark.e2e

ITEM = "() => WuyeOutbox.list().then(items => items[0])"


def test_online_drops_the_back_off_and_sends_as_soon_as_the_network_is_through(phone):
    server = phone.server
    _name, token, _url = server.place("CP05")
    phone.login("guard01")
    phone.wait_offline_ready(f"/t/{token}")

    phone.go_offline()
    phone.goto(f"/t/{token}")
    submit_scan(phone, note="地下车库出口")
    wait_result(phone, "已保存在手机，联网后自动上传")
    item = only_item(phone)
    # As if earlier tries had failed in a weak signal: the next one due in ten minutes.
    phone.page.evaluate("""() => WuyeOutbox.list().then(items => {
        const item = items[0]; item.attempts = 7; item.next_try = Date.now() + 600000;
        return WuyeOutbox.core.save(item); })""")

    # The phone says it is online a moment before the server can be reached.
    phone.offline = False
    phone.context.set_offline(False)
    phone.page.wait_for_function(f"{ITEM}.then(i => i.next_try === 0)")  # the back-off is gone
    time.sleep(1.5)
    assert server.scans(item["id"]) == []
    started = time.monotonic()
    server.start()
    phone.wait_badge("已全部上传", timeout=12000)
    assert time.monotonic() - started < 12  # the retries after `online`, not the 30-second timer
    poll(lambda: len(server.scans(item["id"])) == 1)
    assert phone.outbox_items() == []
