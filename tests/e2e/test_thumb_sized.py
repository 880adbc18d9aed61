"""Every role's pages on a 360×780 phone (issue 19 item 4): nothing wider than the screen, every tap
target at least 44×44 px (a radio or checkbox counts by the row that holds it), base text ≥ 17 px, text
at 7 : 1 against its background, nothing to tap under the bottom nav and no emoji icons. Pages are found
by following each role's own links from its home (one page of each kind)."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, PASSWORD

pytestmark = pytest.mark.e2e

SMALL_PHONE = {"viewport": {"width": 360, "height": 780}, "is_mobile": True, "has_touch": True, "locale": "zh-CN",
               "service_workers": "block"}
ROLES = ("guard01", "cleaner01", "tech01", "supervisor01", "desk01", "admin01", "inspector01")
MIN_TAP = 44
MAX_PAGES = 80  # per role: enough for every kind of page its links reach
SKIP = re.compile(r"^/(logout|export/|static/|sync/csrf|lang/|language)|\.(csv|pdf|png|xlsx)$|/tags")
EMOJI = re.compile("[\U0001F300-\U0001FAFF\u2600-\u2604\u2606-\u27BF\u2B00-\u2BFF\u21C5]")  # ★ is a text star

AUDIT = (Path(__file__).parent / "thumb_audit.js").read_text(encoding="utf-8")
OPEN_ALL = "() => { const d = document.querySelectorAll('details:not([open])'); d.forEach(x => x.open = true); " \
           "return d.length; }"


def _audit(page, path: str, problems: list[str]) -> list[str]:
    result = page.evaluate(AUDIT)
    for item in result["small"]:
        problems.append(f"{path}: tap target under {MIN_TAP} px: {item}")
    for item in result["faint"]:
        problems.append(f"{path}: text contrast under 7 : 1 (sunlight): {item}")
    for item in result["under"]:
        problems.append(f"{path}: under the bottom navigation when scrolled to the end: {item}")
    if result["width"] > 360:
        problems.append(f"{path}: page is {result['width']} px wide on a 360 px screen: {'; '.join(result['wide'])}")
    if result["font"] < 17:
        problems.append(f"{path}: base font {result['font']} px")
    if EMOJI.search(result["text"]):
        problems.append(f"{path}: emoji in the page: {''.join(set(EMOJI.findall(result['text'])))}")
    return result["links"]


@pytest.fixture
def small_phone(playwright_instance, server):
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    context = browser.new_context(**SMALL_PHONE)
    context.set_default_timeout(15000)
    # The favicon is not audited; answered here so a quick next page never leaves the server a half-sent file.
    context.route("**/static/icons/**", lambda route: route.fulfill(status=204))
    yield context.new_page()
    context.close()
    browser.close()


def _login(page, url: str, username: str) -> None:
    page.goto(url + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(lambda u: "/login" not in u)


def test_login_page_is_thumb_sized(small_phone, server):
    problems: list[str] = []
    small_phone.goto(server.url + "/login")
    _audit(small_phone, "/login", problems)
    assert not problems, "\n".join(problems)


def test_public_survey_pages_are_thumb_sized(small_phone, server):
    """The public questionnaire (no sign-in, reached by QR): the form, its errors, the answer after sending."""
    from tests.e2e.test_survey import survey_url

    problems: list[str] = []
    page = small_phone
    page.goto(survey_url(server))
    _audit(page, "/s/<token>", problems)
    page.evaluate("document.getElementById('survey-form').noValidate = true")
    with page.expect_navigation():  # the 422 page with its messages, styled: audit it only once loaded
        page.click("#survey-form button[type=submit]")
    page.wait_for_load_state("load")
    _audit(page, "/s/<token> (errors)", problems)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("username, paths", [
    ("supervisor01", ("/survey/", "/survey/questions", "/survey/poster")),
    ("desk01", ("/survey/entry",)),
])
def test_survey_staff_pages_are_thumb_sized(small_phone, server, username, paths):
    """The survey's pages behind links with a query (the crawl follows those from the home page only)."""
    page = small_phone
    _login(page, server.url, username)
    problems: list[str] = []
    for path in paths:
        response = page.goto(server.url + path)
        assert response is not None and response.status == 200, path
        page.wait_for_load_state("load")
        _audit(page, path, problems)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("username", ROLES)
def test_every_page_of_a_role_fits_and_is_thumb_sized(small_phone, server, username):
    page = small_phone
    _login(page, server.url, username)
    problems: list[str] = []
    queue, seen, shapes = ["/"], set(), set()
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        shape = re.sub(r"\d+", "N", path)  # one work order, one tag… of each kind
        if path in seen or shape in shapes:
            continue
        seen.add(path)
        shapes.add(shape)
        response = page.goto(server.url + path)
        if response is None or response.status >= 500 or "text/html" not in response.headers.get("content-type", ""):
            continue
        page.wait_for_load_state("load")
        links = _audit(page, path, problems)
        if page.evaluate(OPEN_ALL):
            _audit(page, path + " (every 「展开」 opened)", problems)
        for href in links:
            parts = urlsplit(href)
            foreign = parts.netloc and parts.netloc != urlsplit(server.url).netloc
            if parts.scheme not in ("", "http", "https") or foreign:
                continue  # tel:, mailto: and other sites are not pages of this app
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if parts.path and not SKIP.search(parts.path) and target not in seen and (path == "/" or "?" not in target):
                queue.append(target)
    assert len(seen) > 3, f"only {sorted(seen)} visited"
    if username in ("inspector01", "supervisor01"):  # the inspector's round, this month and last
        assert sum(p.startswith("/assessment/round/") for p in seen) >= 2, sorted(seen)
    assert not problems, f"{username}: {len(problems)} problems on {len(seen)} pages\n" + "\n".join(problems)


# How many lines an element's text takes (one client rect per line box of its text).
LINES = """el => { const r = document.createRange(); r.selectNodeContents(el);
  return new Set([...r.getClientRects()].filter(b => b.width > 1).map(b => Math.round(b.top))).size; }"""
# Whether some 「分」 of a clock sits on another line than the number before it.
LONE_UNIT = """el => {
  const node = el.firstChild && el.firstChild.nodeType === 3 ? el.firstChild : el.lastChild, text = node.textContent;
  const top = i => { const r = document.createRange(); r.setStart(node, i); r.setEnd(node, i + 1);
                     return Math.round(r.getBoundingClientRect().top); };
  for (let i = 2; i < text.length; i++) {
    if (text[i] === '分' && /\\d/.test(text[i - 2]) && top(i) !== top(i - 2)) return text;
  }
  return null; }"""


def _order_for_tech01(server) -> None:
    """An ordinary order raised 23 minutes ago and assigned to tech01 (clocks in hours and minutes)."""
    from datetime import timedelta

    from tests.workorders.helpers import receipt
    from wuye_field.accounts.services import find_user_by_login
    from wuye_field.core.time import utcnow
    from wuye_field.extensions import db
    from wuye_field.workorders import steps

    with server.app.app_context():
        desk, tech = find_user_by_login("desk01"), find_user_by_login("tech01")
        at = utcnow() - timedelta(minutes=23)
        order = steps.raise_order(desk, site_id=min(desk.site_ids()), category="water", priority="ordinary",
                                     receipt=receipt(at), source="desk",
                                     description="阳台地漏堵塞", room="2-1101", resident_name="李女士",
                                     resident_phone="13900002222")
        steps.assign(desk, order.id, tech.id, receipt=receipt(at))
        db.session.commit()
        db.session.remove()


# Pages reached only through links with a query (the month page's), so the crawl above never opens them.
ASSESSMENT_PAGES = ("/assessment/month", "/assessment/evidence?key=P2.missed", "/assessment/sheet",
                    "/assessment/rectification")


def test_assessment_pages_are_thumb_sized(small_phone, server):
    _login(small_phone, server.url, "supervisor01")
    problems: list[str] = []
    for path in ASSESSMENT_PAGES:
        response = small_phone.goto(server.url + path)
        assert response is not None and response.status == 200, path
        _audit(small_phone, path, problems)
    assert not problems, "\n".join(problems)


def test_words_and_rows_stay_whole_on_a_small_phone(small_phone, server):
    """Compliance headers one line each, 上一个 / 下一个 side by side, the board's 「从未巡查」 whole, and no
    clock of the order page leaving 「分」 alone on a line."""
    page = small_phone
    _login(page, server.url, "supervisor01")
    page.goto(server.url + "/patrol/compliance")
    broken = [h.inner_text() for h in page.locator("#compliance-report th").all() if h.evaluate(LINES) > 1]
    assert not broken, f"compliance headers broken over lines: {broken}"
    prev, nxt = page.locator(".pager a.btn").all()
    assert prev.bounding_box()["y"] == nxt.bounding_box()["y"], "上一个 / 下一个 on two rows"
    page.goto(server.url + "/patrol/board")
    rows = page.locator("#board-rows .board-row .small").all()
    assert rows and not [r.inner_text() for r in rows if r.evaluate(LINES) > 1]
    page.context.clear_cookies()
    _order_for_tech01(server)
    _login(page, server.url, "tech01")
    page.goto(server.url + "/workorders/")
    links = [a.get_attribute("href") for a in page.locator("#wo-index a[href^='/workorders/']").all()]
    assert links, page.url + page.inner_text("main")
    for href in links:
        page.goto(server.url + href)
        for clock in page.locator("[data-clock-text]").all():
            assert clock.evaluate(LONE_UNIT) is None, f"{href}: 「分」 alone on a line in {clock.inner_text()!r}"


def test_one_obvious_path_at_a_checkpoint_and_codes_typed_on_the_scanner(small_phone, server):
    """「有异常」 opened hides 「全部正常」 (only 「提交异常」 submits then); 「cp01」 typed on the scanner
    opens CP01, an unknown code says so."""
    page = small_phone
    _login(page, server.url, "guard01")
    name, token, _url = server.place("CP06")
    page.goto(server.url + f"/t/{token}")
    form = page.locator("[data-inspection-form]")
    assert form.locator("[data-all-ok]").is_visible()
    assert not page.locator("#scan-panel form[data-action=scan]").is_visible()  # folded: 「只打卡，不做检查」
    form.locator("[data-exception-path] > summary").click()
    assert form.locator("[data-all-ok]").is_hidden() and form.locator("[data-exception]").is_visible()
    form.locator("[data-exception-path] > summary").click()
    assert form.locator("[data-all-ok]").is_visible()
    page.goto(server.url + "/scan")
    page.fill("[data-scanner-manual] input[name=code]", " cp 01 ")
    page.click("[data-scanner-manual] button[type=submit]")
    page.wait_for_url(lambda url: "/t/" in url)
    assert page.locator("h1.place-name").inner_text() == server.place("CP01")[0]
    page.goto(server.url + "/scan")
    page.fill("[data-scanner-manual] input[name=code]", "XX99")
    page.click("[data-scanner-manual] button[type=submit]")
    assert "没有编码为「XX99」的地点" in page.locator("[data-code-error]").inner_text()


def test_a_residents_complaint_on_the_desk_is_thumb_sized(small_phone, server):
    """A resident's complaint from a building's window, on 住户来件 and on its own page before and after the
    desk takes it: fits, thumb-sized, readable."""
    from sqlalchemy import select

    from wuye_field.core.time import utcnow
    from wuye_field.extensions import db
    from wuye_field.places.models import Building
    from wuye_field.residents import requests

    with server.app.app_context():
        building = db.session.scalar(select(Building).where(Building.name == "2栋"))
        complaint = requests.submit(building, "complaint", {"phone": "13900007777", "category": "other",
                                                            "description": "电梯里广告屏声音太大，晚上也响"},
                                    photo_key=None, now=utcnow())
        db.session.commit()
        complaint_id = complaint.id
        db.session.remove()
    page = small_phone
    _login(page, server.url, "desk01")
    problems: list[str] = []
    for path in ("/residents/desk", f"/incidents/complaints/{complaint_id}"):
        page.goto(server.url + path)
        _audit(page, path, problems)
    page.goto(server.url + "/residents/desk")
    page.click(f"[data-complaint='{complaint_id}'] button[type=submit]")
    page.wait_for_url(lambda url: f"/incidents/complaints/{complaint_id}" in url)
    _audit(page, "taken", problems)
    assert "我来接手" not in page.inner_text("main")
    with server.app.app_context():  # the desk's amber alert of this complaint answered: later tests start clean
        from wuye_field.accounts.services import find_user_by_login
        from wuye_field.alerts import services as alerts

        alerts.acknowledge(find_user_by_login("desk01"), alerts.alert_for("complaint", complaint_id).id, now=utcnow())
        db.session.commit()
        db.session.remove()


def test_the_gate_page_and_a_residents_pass_are_thumb_sized(small_phone, server):
    """The gate guard's page (with 「扫码填入」 and the camera panel opened) and the residents' pass pages:
    the form, a refusal, and the pass with its QR (the demo's 1单元101 and its registered phone)."""
    from wuye_field.places.models import Building, Site

    page = small_phone
    problems: list[str] = []
    ((token,),) = server.query(select(Building.public_token).join(Site).where(Site.code == "DEMO")
                               .order_by(Building.id).limit(1))
    page.goto(server.url + f"/b/{token}/pass")
    _audit(page, "/b/<code>/pass", problems)
    form = {"unit": "1单元101", "resident_phone": "13700009999", "visitor_name": "李娜"}
    for name, value in form.items():
        page.fill(f"input[name={name}]", value)
    page.click("button[type=submit]")
    page.locator("p.err").first.wait_for()
    page.wait_for_load_state("load")
    _audit(page, "/b/<code>/pass (refused)", problems)
    page.fill("input[name=resident_phone]", "13700000101")
    page.click("button[type=submit]")
    page.locator("[data-pass-number]").wait_for()
    page.wait_for_load_state("load")
    _audit(page, "/b/<code>/pass (issued)", problems)
    _login(page, server.url, "gate01")
    page.goto(server.url + "/")
    page.evaluate("() => document.querySelectorAll('[data-scan-panel]').forEach(p => p.hidden = false)")
    _audit(page, "/ (gate01, camera panels open)", problems)
    assert not problems, "\n".join(problems)
