"""Browser tests: the real app served by werkzeug in a thread, driven by the system Chromium on a phone viewport.

"Offline" is made real by stopping the server *and* `context.set_offline(True)`: the page sees the browser's
offline state, and the service worker's own fetches find nothing listening either.
"""
from __future__ import annotations

import io
import json
import os
import socket
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select
from werkzeug.serving import WSGIRequestHandler, make_server

from wuye_field import create_app
from wuye_field.config import TestConfig
from wuye_field.extensions import db


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "locale": "zh-CN"}
PASSWORD = "wuye-demo"


class _OneRequestPerConnection(WSGIRequestHandler):
    """HTTP/1.0: no keep-alive connection outlives `stop()`, so a stopped server is really gone."""

    protocol_version = "HTTP/1.0"

    def log_request(self, *args, **kwargs):  # quiet test output
        pass


class Recorder:
    """WSGI middleware: logs (method, path, Idempotency-Key, status) of every request the server answered,
    whoever sent it (page or service worker), and can answer a path itself (`overrides[path]() -> (status, json)`)."""

    def __init__(self, app):
        self.app = app
        self.log: list[tuple[str, str, str | None, int]] = []
        self.overrides: dict = {}

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        override = self.overrides.get(path)
        answer = override() if override else None
        if answer is not None:
            status, body = answer
            # Read the request body first: the development server drains an unread body after answering and
            # would wait on the open connection for ever.
            environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            start_response(status, [("Content-Type", "application/json"), ("Cache-Control", "no-store")])
            self.log.append((environ["REQUEST_METHOD"], path, environ.get("HTTP_IDEMPOTENCY_KEY"), int(status[:3])))
            return [json.dumps(body).encode()]
        seen = {}

        def recording_start_response(status, headers, exc_info=None):
            seen["status"] = int(status[:3])
            return start_response(status, headers, exc_info)

        actions = self._batch_actions(environ) if path == "/sync/batch" else None
        result = self.app(environ, recording_start_response)
        self.log.append((environ["REQUEST_METHOD"], path, environ.get("HTTP_IDEMPOTENCY_KEY"), seen.get("status")))
        if actions is not None:
            result = self._log_batch_results(actions, result)
        return result

    @staticmethod
    def _batch_actions(environ) -> dict:
        """{key: path} of the actions in a POST /sync/batch (the body is put back for the app)."""
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)
        environ.pop("HTTP_ACCEPT_ENCODING", None)  # an answer the recorder can read
        try:
            return {a.get("key"): a.get("path") for a in json.loads(body or b"{}").get("actions", [])
                    if isinstance(a, dict)}
        except (ValueError, AttributeError):
            return {}

    def _log_batch_results(self, actions: dict, result) -> list[bytes]:
        """Each action a batch carried is logged as a POST to its own path, with the status it got there."""
        body = b"".join(result)
        if hasattr(result, "close"):
            result.close()
        try:
            results = json.loads(body).get("results", [])
        except (ValueError, AttributeError):
            results = []
        for item in results:
            if item.get("key") in actions:
                self.log.append(("POST", actions[item["key"]], item["key"], item.get("status")))
        return [body]

    def posts(self, path: str, key: str | None = None) -> list[int]:
        """Statuses of the POSTs to `path` (with this Idempotency-Key) the server answered."""
        return [status for method, p, k, status in self.log if method == "POST" and p == path and key in (None, k)]


class LiveServer:
    """The app on 127.0.0.1:<port>; `stop()` / `start()` cut and restore the network on the same port."""

    def __init__(self, app, port: int):
        self.app = app
        self.wsgi = Recorder(app)
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self._server = None
        self._thread = None

    def start(self) -> None:
        if self._server is not None:
            return
        self._server = make_server("127.0.0.1", self.port, self.wsgi, threaded=True,
                                   request_handler=_OneRequestPerConnection)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
        self._server = self._thread = None

    def query(self, statement):
        """Rows for a SQLAlchemy statement, read straight from the server's database."""
        with self.app.app_context():
            try:
                return list(db.session.execute(statement))
            finally:
                db.session.remove()

    def place(self, code: str):
        """(name, tag token, printed tag URL) of a demo place."""
        from wuye_field.places.models import Place

        with self.app.app_context():
            place = db.session.scalar(select(Place).where(Place.code == code))
            result = (place.name, place.tag_token, place.tag_url)
            db.session.remove()
            return result

    def scans(self, client_uuid: str) -> list[dict]:
        """The Scan rows stored for one client UUID, each with its device time and its photos' files."""
        from wuye_field.photos.models import Photo, PhotoLink
        from wuye_field.patrol.models import Scan

        result = []
        for (scan,) in self.query(select(Scan).where(Scan.client_uuid == client_uuid)):
            links = [uuid for (uuid,) in self.query(select(PhotoLink.photo_uuid).where(
                PhotoLink.owner_kind == "scan", PhotoLink.owner_id == scan.id))]
            photos = [photo for (photo,) in self.query(select(Photo).where(
                Photo.client_uuid.in_(links), Photo.user_id == scan.user_id))]
            result.append({
                "user_id": scan.user_id, "device_time": scan.device_time, "note": scan.note,
                "photo_links": links, "photo_paths": [self.photo_file(p.display_key) for p in photos],
            })
        return result

    def scans_by_user(self, user_id: int) -> list:
        from wuye_field.patrol.models import Scan

        return self.query(select(Scan.id).where(Scan.user_id == user_id))

    def photo_file(self, key: str) -> Path:
        return next(Path(self.app.config["WUYE_DATA_DIR"]).rglob(Path(key).name))

    def user_id(self, staff_no: str) -> int:
        from wuye_field.accounts.models import User

        return self.query(select(User.id).where(User.staff_no == staff_no))[0][0]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The app with CSRF on, a SQLite file database and the demo site, served until the session ends."""
    from wuye_field.demo import load_demo

    root = tmp_path_factory.mktemp("live")
    config = {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()} | {
        "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(root / "e2e.db"),
        "WUYE_DATA_DIR": str(root / "data"),
        "WTF_CSRF_ENABLED": True,
        "PUBLIC_BASE_URL": "http://wuye.test",  # printed tags name another host: the app must still open them
    }
    previous = os.environ.get("WUYE_INSTANCE_PATH")
    os.environ["WUYE_INSTANCE_PATH"] = str(root / "instance")
    try:
        app = create_app(config)
    finally:
        if previous is None:
            os.environ.pop("WUYE_INSTANCE_PATH", None)
        else:
            os.environ["WUYE_INSTANCE_PATH"] = previous
    with app.app_context():
        db.create_all()
        load_demo(app.config["PUBLIC_BASE_URL"], app.config["PASSWORD_HASH_METHOD"])
        db.session.commit()
        db.session.remove()
    server = LiveServer(app, _free_port())
    server.start()
    yield server
    server.stop()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def server(live_server):
    """The live server, running at the start of each test and again afterwards."""
    live_server.start()
    live_server.wsgi.overrides.clear()
    yield live_server
    live_server.wsgi.overrides.clear()
    live_server.start()


@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


class Phone:
    """One phone: a persistent Chromium profile that can be closed and reopened (IndexedDB survives)."""

    def __init__(self, playwright, profile: Path, server: LiveServer, args=(), user_agent=None):
        self.playwright = playwright
        self.profile = profile
        self.server = server
        self.args = list(args)
        self.user_agent = user_agent
        self.context = None
        self.page = None
        self.offline = False

    def open(self):
        options = dict(PHONE)
        if self.user_agent:
            options["user_agent"] = self.user_agent
        self.context = self.playwright.chromium.launch_persistent_context(
            user_data_dir=str(self.profile), executable_path=CHROMIUM, headless=True,
            args=CHROMIUM_ARGS + self.args, **options,
        )
        self.context.set_default_timeout(15000)
        self.context.set_offline(self.offline)
        self.page = self.context.pages[0] if self.context.pages else self.context.new_page()
        return self.page

    def close(self):
        if self.context is not None:
            self.context.close()
            self.context = self.page = None

    def go_offline(self):
        self.offline = True
        self.server.stop()
        self.context.set_offline(True)

    def go_online(self):
        self.offline = False
        self.server.start()
        self.context.set_offline(False)

    # ---- what a user does ----

    def goto(self, path: str):
        self.page.goto(self.server.url + path)
        self.wait_ready()

    def wait_ready(self):
        self.page.wait_for_function("() => document.documentElement.dataset.appReady === '1'")

    def login(self, username: str = "guard01", remember: bool = True):
        page = self.page
        page.goto(self.server.url + "/login")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        if remember:
            page.check("input[name=remember]")
        page.click("#login-form button[type=submit]")
        page.wait_for_url(lambda url: "/login" not in url)
        self.wait_ready()

    def wait_offline_ready(self, path: str):
        """The service worker controls the page and this user's pages (including `path`) are cached."""
        page = self.page
        page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
        if not page.evaluate("() => !!navigator.serviceWorker.controller"):
            # The worker activated while this page was loading; the next navigation is controlled.
            page.reload()
            self.wait_ready()
        page.wait_for_function("() => !!navigator.serviceWorker.controller")
        page.wait_for_function("() => document.documentElement.dataset.offlineReady === '1'")
        poll(lambda: page.evaluate(
            "p => caches.open('pages-u' + document.body.dataset.userId).then(c => c.match(p)).then(Boolean)", path))

    def badge(self) -> str:
        return self.page.locator("#sync-badge").inner_text()

    def wait_badge(self, text: str, timeout: float | None = None):
        self.page.wait_for_function(
            "t => (document.getElementById('sync-badge') || {}).textContent.includes(t)", arg=text, timeout=timeout)

    def outbox_items(self) -> list[dict]:
        return self.page.evaluate(
            "() => WuyeOutbox.list().then(items => items.map(i => ({id: i.id, user_id: i.user_id, state: i.state,"
            " error: i.error, attempts: i.attempts, created_at: i.created_at, url: i.url, fields: i.fields,"
            " photos: i.photos.map(p => ({uuid: p.uuid, state: p.state, size: p.size}))})))")

    def replay(self, force: bool = True):
        return self.page.evaluate("f => WuyeOutbox.replay({force: f})", force)


@pytest.fixture
def phone_factory(playwright_instance, server, tmp_path):
    phones = []

    def make(name: str = "phone", **kwargs) -> Phone:
        phone = Phone(playwright_instance, tmp_path / name, server, **kwargs)
        phones.append(phone)
        phone.open()
        return phone

    yield make
    for phone in phones:
        phone.close()


@pytest.fixture
def phone(phone_factory) -> Phone:
    return phone_factory()


def same_instant(stored, device_iso: str) -> bool:
    """A stored device time (UTC, naive on SQLite) is the phone's ISO time with offset, to the millisecond."""
    phone = datetime.fromisoformat(device_iso).astimezone(timezone.utc)
    if stored.tzinfo is None:
        stored = stored.replace(tzinfo=timezone.utc)
    return abs((stored - phone).total_seconds()) < 0.001


def poll(condition, timeout: float = 15.0, interval: float = 0.1, page=None):
    """Wait until `condition()` is truthy; returns its value. With `page`, Playwright keeps dispatching
    events (route handlers, dialogs) while we wait."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met in {timeout:.0f} s")
        if page is not None:
            page.wait_for_timeout(interval * 1000)
        else:
            time.sleep(interval)


def jpeg_bytes(width: int = 3000, height: int = 2000) -> bytes:
    """A phone-sized photo (a gradient, so the JPEG is not trivially small)."""
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()
