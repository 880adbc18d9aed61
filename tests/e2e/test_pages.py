"""Signing in and opening tags in Chromium; the WeChat in-app browser stays online-only."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

WECHAT_UA = (
    "Mozilla/5.0 (Linux; Android 13; V2145A Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 MicroMessenger/8.0.47.2560"
)


def test_guard_signs_in_and_opens_a_tag(phone):
    """Issue 2: guard01 signs in through the login form, opens a tag URL and sees the place's Chinese name."""
    name, token, _url = phone.server.place("CP03")
    phone.login("guard01", remember=False)
    phone.goto(f"/t/{token}")
    assert phone.page.locator("h1.place-name").inner_text() == name
    assert phone.page.locator("#sync-badge").is_visible()


def test_wechat_browser_gets_the_notice_and_no_service_worker(phone_factory):
    """DESIGN: inside WeChat the app works online only and says how to open the system browser."""
    phone = phone_factory(user_agent=WECHAT_UA)
    phone.login("guard01", remember=False)
    assert phone.page.locator("#wechat-notice").is_visible()
    assert "在浏览器打开" in phone.page.locator("#wechat-notice").inner_text()
    registrations = phone.page.evaluate("navigator.serviceWorker.getRegistrations().then(r => r.length)")
    assert registrations == 0
    phone.goto("/sync/outbox")
    assert phone.page.locator("[data-diag=sw]").inner_text() == "微信内不可用"


def test_normal_browser_registers_the_service_worker_and_caches_pages(phone):
    """The service worker controls the page after sign-in and this user's pages are stored for offline use."""
    _name, token, _url = phone.server.place("CP01")
    phone.login("guard01", remember=False)
    phone.wait_offline_ready(f"/t/{token}")
    assert phone.page.locator("[data-offline-time]").inner_text() not in ("未下载", "正在下载…")
    shells = phone.page.evaluate("caches.keys().then(k => k.filter(n => n.startsWith('shell-')))")
    assert len(shells) == 1
