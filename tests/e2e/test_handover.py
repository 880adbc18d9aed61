"""Issue 7 proof: a shift handover between two phones, one of them offline, reaches the server once and
the post's timeline shows it once, complete (H2–H4, P8–P9)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.e2e.conftest import poll

pytestmark = pytest.mark.e2e

SUBMIT = "form[data-outbox][data-action=handover-submit]"
ACCEPT = "form[data-outbox][data-action=handover-accept]"


def gate_post_id(server) -> int:
    from wuye_field.handover.models import HandoverPost

    return server.query(select(HandoverPost.id).where(HandoverPost.code == "GATE"))[0][0]


def wait_result(phone, text: str) -> None:
    phone.page.wait_for_function(
        "t => [...document.querySelectorAll('[data-outbox-result]')].some(n => n.textContent.includes(t))", arg=text)


def test_guard01_hands_over_with_a_radio_missing_guard02_accepts_offline(phone_factory):
    from wuye_field.handover.models import Handover, HandoverAcceptance, HandoverAcceptanceItem

    outgoing = phone_factory("guard01")
    incoming = phone_factory("guard02")
    server = outgoing.server
    url = f"/handover/posts/{gate_post_id(server)}"

    # guard01, online: one radio of two is missing, explained (H2), with an important matter (H4).
    outgoing.login("guard01")
    outgoing.goto(url)
    form = outgoing.page.locator(SUBMIT)
    assert form.locator("[name=item-0-name]").input_value() == "对讲机"
    assert form.locator("[name=item-0-counted]").input_value() == "2"  # prefilled (P9)
    form.locator("[name=item-0-counted]").fill("1")
    form.locator("[name=item-0-state]").select_option("missing")
    form.locator("[name=item-0-note]").fill("一台对讲机在维修部未取回")
    form.locator("[name=matter-0-text]").fill("2栋302漏水，已通知业主，维修明早到")
    form.locator("[name=matter-0-important]").check()
    form.locator("button[type=submit]").click()
    wait_result(outgoing, "已交班：东门岗")

    # guard02 reads the handover online (H3), then loses the network and accepts on their own phone.
    incoming.login("guard02")
    incoming.goto(url)
    awaiting = incoming.page.locator("#ho-awaiting")
    assert "一台对讲机在维修部未取回" in awaiting.inner_text() and "重要" in awaiting.inner_text()
    incoming.go_offline()
    accept = incoming.page.locator(ACCEPT)
    radio = accept.locator("input[type=number]").first
    assert radio.input_value() == "1"
    accept.locator("input[aria-label='对讲机 差异说明']").fill("确认只有1台，已报主管")
    accept.locator("input[name=takeover]").check()  # without it the browser (and the server) refuse
    accept.locator("button[type=submit]").click()
    wait_result(incoming, "已保存在手机，联网后自动上传")
    incoming.wait_badge("1 条待上传")
    assert server.query(select(HandoverAcceptance.id)) == []

    incoming.go_online()
    incoming.wait_badge("已全部上传")
    assert incoming.outbox_items() == []

    [(handover,)] = server.query(select(Handover))
    [(acceptance,)] = server.query(select(HandoverAcceptance))
    assert acceptance.handover_id == handover.id and acceptance.user_id == server.user_id("guard02")
    assert acceptance.recorded_by_id == server.user_id("guard02") and not acceptance.cosigned
    notes = {name: (handed, counted, note) for name, handed, counted, note in server.query(
        select(HandoverAcceptanceItem.name, HandoverAcceptanceItem.handed, HandoverAcceptanceItem.counted,
               HandoverAcceptanceItem.note))}
    assert notes["对讲机"] == (1, 1, "确认只有1台，已报主管")

    # The timeline, on guard01's phone, shows the handover once and complete.
    outgoing.goto(url)
    timeline = outgoing.page.locator("#ho-timeline")
    entries = timeline.locator("[data-entry]")
    poll(lambda: entries.count() == 1)
    entry = entries.first
    assert entry.get_attribute("data-state") == "accepted"
    text = entry.inner_text()
    for expected in ("张伟", "李强", "缺失", "一台对讲机在维修部未取回", "2栋302漏水", "确认只有1台，已报主管"):
        assert expected in text, expected
    assert outgoing.page.locator("#ho-awaiting").count() == 0
