"""Issue 16 proof in the browser, two phones: guard01 holds SOS for 2 s; desk01's open desk page shows the red
alert within 5 s; desk01 acknowledges; guard01's phone shows who did. Then the same with guard01 cut off
first: the phone says plainly it was not delivered (with the tel: link), and sends it once on reconnect."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from tests.e2e.conftest import poll
from wuye_field.incidents.models import SosCall

pytestmark = pytest.mark.e2e

LIVE = "#alert-live"


def _hold_sos(phone, seconds: float = 2.3):
    button = phone.page.locator("[data-sos-hold]:visible").first
    box = button.bounding_box()
    phone.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    phone.page.mouse.down()
    phone.page.wait_for_timeout(seconds * 1000)
    phone.page.mouse.up()


def _sos_state(phone) -> str:
    return phone.page.locator("[data-sos-state]").inner_text()


def _desk_sees_sos(desk, timeout: float):
    desk.page.wait_for_selector(f"{LIVE}[data-level='red'] [data-alert-kind='sos']", timeout=timeout * 1000)


def _acknowledge(desk):
    desk.page.locator(f"{LIVE} [data-alert-ack]").first.click()
    desk.page.wait_for_selector(LIVE, state="hidden")


def test_sos_reaches_the_desk_within_5_seconds_and_the_guard_sees_who_acknowledged(phone_factory):
    guard, desk = phone_factory("guard"), phone_factory("desk")
    server = guard.server
    guard.context.grant_permissions(["geolocation"], origin=server.url)
    guard.context.set_geolocation({"latitude": 31.2304, "longitude": 121.4737, "accuracy": 12})
    guard.login("guard01")
    desk.login("desk01")
    desk.goto("/workorders/desk")

    posts_before = len(server.wsgi.posts("/incidents/sos"))
    guard.page.locator(".sos-button").click()  # a tap (a pocket) sends nothing: it opens the panel
    guard.page.wait_for_timeout(300)
    assert "按住 2 秒发送求助" in _sos_state(guard)
    assert len(server.wsgi.posts("/incidents/sos")) == posts_before

    _hold_sos(guard)
    pressed = time.monotonic()
    guard.page.wait_for_function(
        "() => ['delivered', 'acknowledged'].includes(document.querySelector('[data-sos-panel]').dataset.sosStatus)")
    _desk_sees_sos(desk, timeout=5)
    assert time.monotonic() - pressed < 5.5
    alert = desk.page.locator(f"{LIVE} [data-alert-kind='sos']").inner_text()
    assert "紧急求助：张伟" in alert and "31.2304" in alert
    _acknowledge(desk)
    guard.page.wait_for_function(
        "() => document.querySelector('[data-sos-panel]').dataset.sosStatus === 'acknowledged'", timeout=10000)
    assert "已确认：杨丽" in _sos_state(guard)
    assert server.wsgi.posts("/incidents/sos")[posts_before:] == [201]


def test_sos_made_offline_is_queued_said_plainly_and_delivered_once_on_reconnect(phone_factory):
    guard, desk = phone_factory("guard"), phone_factory("desk")
    server = guard.server
    guard.login("guard01")
    desk.login("desk01")
    desk.goto("/workorders/desk")
    before = len(server.query(select(SosCall.id)))
    posts_before = len(server.wsgi.posts("/incidents/sos"))

    guard.wait_offline_ready("/")  # a phone that has synced once holds the SOS script for offline use
    # guard01's phone loses the network (the desk's does not)
    guard.context.set_offline(True)
    server.wsgi.overrides["/sync/csrf"] = lambda: ("503 Service Unavailable", {"error": "offline"})
    try:
        _hold_sos(guard)
        guard.page.wait_for_function(
            "() => document.querySelector('[data-sos-panel]').dataset.sosStatus === 'queued'")
        assert "未送达，请打电话" in _sos_state(guard)
        assert guard.page.locator("[data-sos-call]").get_attribute("href").startswith("tel:")
        guard.page.wait_for_timeout(4000)  # a retry or two, all failing
        assert len(server.wsgi.posts("/incidents/sos")) == posts_before
        assert desk.page.locator(LIVE).is_hidden()
    finally:
        server.wsgi.overrides.clear()
        guard.context.set_offline(False)

    _desk_sees_sos(desk, timeout=15)
    _acknowledge(desk)
    guard.page.wait_for_function(
        "() => document.querySelector('[data-sos-panel]').dataset.sosStatus === 'acknowledged'", timeout=15000)
    poll(lambda: guard.outbox_items() == [], page=guard.page)
    assert server.wsgi.posts("/incidents/sos")[posts_before:] == [201]
    assert len(server.query(select(SosCall.id))) == before + 1
