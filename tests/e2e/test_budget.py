"""Issue 19: a budget that fails the build. Each role's home and each field page, opened cold (empty cache, no
service worker yet) in Chromium at 360×780, must stay within its compressed transfer and request budget; a
guard's whole offline bundle (scanner included) within 150 KB; desk and admin never download the decoder.

The sizes are what went over the wire (Brotli/gzip bodies plus headers) as Chromium reports them. The
numbers measured are written to BUDGET_REPORT (a JSON file) when that variable is set.
"""
from __future__ import annotations

import json
import os
import re

import pytest

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, PASSWORD

pytestmark = pytest.mark.e2e

KB = 1024
PAGE_BUDGET = 40 * KB
PAGE_REQUESTS = 8
LOGIN_BUDGET = 25 * KB
GUARD_BUNDLE_BUDGET = 150 * KB
MIN_TAP = 44
SMALL_PHONE = {"viewport": {"width": 360, "height": 780}, "is_mobile": True, "has_touch": True, "locale": "zh-CN"}

# (role, page): each role's home and the field pages that role works with.
PAGES = [
    ("guard01", "/"), ("guard01", "place"), ("guard01", "/scan"), ("guard01", "round"), ("guard01", "/handover/"),
    ("guard01", "/defects/new"), ("guard01", "/sync/outbox"),
    ("cleaner01", "/"), ("cleaner01", "/cleaning/"),
    ("tech01", "/"), ("tech01", "/workorders/"), ("tech01", "order"),
    ("supervisor01", "/"), ("desk01", "/"), ("admin01", "/"),
    ("inspector01", "/"), ("inspector01", "/assessment/round"),
]

measured: dict[str, dict] = {}


@pytest.fixture(scope="module")
def browser(playwright_instance):
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()
    if os.environ.get("BUDGET_REPORT"):
        with open(os.environ["BUDGET_REPORT"], "w") as out:
            json.dump(measured, out, ensure_ascii=False, indent=1)


@pytest.fixture(scope="module")
def sessions(browser, live_server):
    """Signed-in cookies per user (the sign-in itself is not part of any measured load)."""
    states = {}
    for user in {role for role, _ in PAGES}:
        context = browser.new_context(**SMALL_PHONE, service_workers="block")
        page = context.new_page()
        page.goto(live_server.url + "/login")
        page.fill("input[name=username]", user)
        page.fill("input[name=password]", PASSWORD)
        page.click("#login-form button[type=submit]")
        page.wait_for_url(lambda url: "/login" not in url)
        states[user] = context.storage_state()
        context.close()
    return states


def _resolve(server, user: str, page: str) -> str:
    """A concrete URL for a page kind: a place, a patrol round, a work order of this user."""
    if page.startswith("/"):
        return page
    from wuye_field.accounts.models import User
    from wuye_field.extensions import db

    with server.app.test_request_context():
        from wuye_field.sync.offline import offline_pages

        user_row = db.session.scalar(db.select(User).where(User.staff_no == user))
        pages = offline_pages(user_row)
        db.session.remove()
    if page == "place":
        return "/t/" + server.place("CP01")[1]
    if page == "order":
        return f"/workorders/{_order_for(server, user)}"
    found = [p for p in pages if re.search(r"/patrol/routes/\d+/round$", p)]
    assert found, f"{user} has no patrol round in the demo"
    return found[0]


def _order_for(server, staff_no: str) -> int:
    """An open emergency order with resident details, raised by desk01 and assigned to `staff_no` (once)."""

    from wuye_field.accounts.models import User
    from wuye_field.core.time import utcnow
    from wuye_field.extensions import db
    from wuye_field.sync.receipt import Receipt
    from wuye_field.workorders import steps
    from wuye_field.workorders.models import WorkOrder

    with server.app.app_context():
        try:
            tech = db.session.scalar(db.select(User).where(User.staff_no == staff_no))
            mine = db.session.scalar(db.select(WorkOrder.id).where(WorkOrder.assignee_id == tech.id))
            if mine:
                return mine
            desk = db.session.scalar(db.select(User).where(User.staff_no == "desk01"))
            now = utcnow()
            order = steps.raise_order(
                desk, site_id=next(iter(desk.site_ids("desk"))), source="desk", category="water", priority="emergency",
                description="厨房水管漏水", room="1-301", resident_name="王先生", resident_phone="13812341234",
                receipt=Receipt.server(now))
            steps.assign(desk, order.id, tech.id, receipt=Receipt.server(now))
            db.session.commit()
            return order.id
        finally:
            db.session.remove()


class Load:
    """One cold load: every request the page made, its bytes on the wire, whatever the service worker fetched."""

    def __init__(self, context):
        self.page_requests: list = []
        self.worker_requests: list = []
        context.on("requestfinished", self._finished)

    def _finished(self, request):
        try:
            sizes = request.sizes()
            size = sizes["responseBodySize"] + sizes["responseHeadersSize"]
        except Exception:  # noqa: BLE001 - a request without a response (aborted) costs nothing here
            size = 0
        kind = self.worker_requests if request.service_worker is not None else self.page_requests
        kind.append((request.url, size))

    def total(self, requests) -> int:
        return sum(size for _url, size in requests)


def _cold_load(browser, state, url: str, *, worker: bool = False, width: int = 360):
    context = browser.new_context(**(SMALL_PHONE | {"viewport": {"width": width, "height": 780}}),
                                  storage_state=state, service_workers="allow" if worker else "block")
    load = Load(context)
    page = context.new_page()
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return context, page, load


TAPS_JS = """(min) => {
  const bad = [];
  const nodes = document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, label, summary, [role=button]');
  for (const n of nodes) {
    const r = n.getBoundingClientRect();
    if (!r.width || !r.height || getComputedStyle(n).visibility === 'hidden') continue;
    // A radio or checkbox inside its label: the label is the target.
    if (n.matches('input[type=radio], input[type=checkbox]') && n.closest('label')) continue;
    const name = (n.textContent || n.name || n.tagName).trim().slice(0, 20);
    if (r.width < min || r.height < min) bad.push(name + ' ' + Math.round(r.width) + '×' + Math.round(r.height));
  }
  return bad;
}"""


@pytest.mark.parametrize("user, kind", PAGES, ids=[f"{u}:{p}" for u, p in PAGES])
def test_field_page_cold_load_is_within_budget(browser, sessions, live_server, user, kind):
    """≤ 40 KB compressed and ≤ 8 requests from the page itself (the service worker is not installed yet)."""
    url = _resolve(live_server, user, kind)
    context, _page, load = _cold_load(browser, sessions[user], live_server.url + url)
    try:
        total = load.total(load.page_requests)
        measured[f"{user} {url}"] = {"kb": round(total / KB, 1), "requests": len(load.page_requests),
                                     "files": [(u.replace(live_server.url, ""), s) for u, s in load.page_requests]}
        assert len(load.page_requests) <= PAGE_REQUESTS, load.page_requests
        assert total <= PAGE_BUDGET, (total, load.page_requests)
    finally:
        context.close()


def test_login_page_is_within_25_kb(browser, live_server):
    context, _page, load = _cold_load(browser, None, live_server.url + "/login")
    try:
        total = load.total(load.page_requests)
        measured["login"] = {"kb": round(total / KB, 1), "requests": len(load.page_requests),
                             "files": [(u.replace(live_server.url, ""), s) for u, s in load.page_requests]}
        assert total <= LOGIN_BUDGET, (total, load.page_requests)
        assert len(load.page_requests) <= PAGE_REQUESTS
    finally:
        context.close()


def test_responses_are_compressed(browser, live_server):
    """What the browser got was Brotli (or gzip): every text response of the login page."""
    context = browser.new_context(**SMALL_PHONE, service_workers="block")
    page = context.new_page()
    encodings = {}
    page.on("response", lambda r: encodings.__setitem__(r.url, (r.headers.get("content-type", ""),
                                                                r.headers.get("content-encoding"))))
    page.goto(live_server.url + "/login")
    page.wait_for_load_state("networkidle")
    context.close()
    text = re.compile(r"text/|application/(json|javascript|manifest)")
    texts = {url: enc for url, (ctype, enc) in encodings.items() if text.match(ctype)}
    assert texts and all(enc in ("br", "gzip") for enc in texts.values()), texts


def _offline_bundle(browser, state, server, *, open_scanner: bool):
    """Sign-in state → home with the service worker → first sync finished (→ the scanner opened once).
    Returns (bytes, urls) of everything the page and the worker fetched."""
    context, page, load = _cold_load(browser, state, server.url + "/", worker=True)
    page.wait_for_function("() => document.documentElement.dataset.offlineReady === '1'", timeout=60000)
    if open_scanner:
        context.grant_permissions(["camera"])
        page.goto(server.url + "/scan")
        page.wait_for_function("() => document.querySelector('[data-scanner]').dataset.decoder", timeout=30000)
        page.wait_for_load_state("networkidle")
    requests = load.page_requests + load.worker_requests
    code = [(u, s) for u, s in requests if re.search(r"/static/|/sw\.js$|/manifest\.webmanifest$|/offline$", u)]
    return context, page, load.total(requests), [u for u, _ in requests], load.total(code)


def test_guard_offline_bundle_with_the_scanner_is_within_150_kb(playwright_instance, live_server, sessions, tmp_path):
    """Everything a guard's phone downloads to work offline — the home page, the shell, the role's scripts, the
    worker, every offline page (places, rounds, handover, the scanner page) and, on the first open of the
    scanner, the decoder (desktop Chromium has no BarcodeDetector) — stays within 150 KB compressed. The pages
    come in one download (sync.pages), so the shell they all repeat is sent once."""
    browser = playwright_instance.chromium.launch(
        executable_path=CHROMIUM, headless=True,
        args=CHROMIUM_ARGS + ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"])
    try:
        context, page, total, urls, code = _offline_bundle(browser, sessions["guard01"], live_server, open_scanner=True)
        measured["guard offline bundle"] = {"kb": round(total / KB, 1), "requests": len(urls),
                                            "code_kb": round(code / KB, 1)}
        assert any("jsQR" in u for u in urls), "the scanner fetched the decoder"
        cached = page.evaluate("() => caches.open('assets').then(c => c.keys()).then(k => k.map(r => r.url))")
        assert any("jsQR" in u for u in cached), "the worker keeps the decoder for offline use"
        with live_server.app.test_request_context():
            from wuye_field.accounts.models import User
            from wuye_field.extensions import db
            from wuye_field.sync.offline import offline_pages

            wanted = len(offline_pages(db.session.scalar(db.select(User).where(User.staff_no == "guard01"))))
            db.session.remove()
        kept = page.evaluate("() => caches.keys().then(names => Promise.all(names.filter(n => n.startsWith('pages-u'))"
                             ".map(n => caches.open(n).then(c => c.keys())))).then(all => all.flat().length)")
        assert wanted > 30 and kept >= wanted, (kept, wanted)
        assert total <= GUARD_BUNDLE_BUDGET, (total, urls)
        context.close()
    finally:
        browser.close()


@pytest.mark.parametrize("user", ["desk01", "admin01"])
def test_desk_and_admin_never_download_the_decoder(browser, live_server, sessions, user):
    context, page, total, urls, code = _offline_bundle(browser, sessions[user], live_server, open_scanner=False)
    try:
        measured[f"{user} offline bundle"] = {"kb": round(total / KB, 1), "requests": len(urls),
                                              "code_kb": round(code / KB, 1)}
        assert not [u for u in urls if "jsQR" in u or "scanner" in u]
        cached = page.evaluate("() => caches.keys().then(names => Promise.all(names.map(n => caches.open(n)"
                               ".then(c => c.keys())))).then(all => all.flat().map(r => r.url))")
        assert cached and not [u for u in cached if "jsQR" in u or "/scan" in u]
    finally:
        context.close()


@pytest.mark.parametrize("user, kind", PAGES, ids=[f"{u}:{p}" for u, p in PAGES])
def test_no_horizontal_overflow_at_360(browser, sessions, live_server, user, kind):
    url = _resolve(live_server, user, kind)
    context, page, _load = _cold_load(browser, sessions[user], live_server.url + url)
    try:
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 360, width
    finally:
        context.close()


@pytest.mark.parametrize("user, kind", PAGES, ids=[f"{u}:{p}" for u, p in PAGES])
def test_tap_targets_are_at_least_44_px(browser, sessions, live_server, user, kind):
    url = _resolve(live_server, user, kind)
    context, page, _load = _cold_load(browser, sessions[user], live_server.url + url)
    try:
        small = page.evaluate(TAPS_JS, MIN_TAP)
        assert not small, small
    finally:
        context.close()
