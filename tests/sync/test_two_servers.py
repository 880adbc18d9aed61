"""Two app servers behind one address behave as one (issue 13, docs/deploy.md "Several app servers"): two
gunicorn processes with their own instance folders on one PostgreSQL, one Redis and one shared data folder.
A session made on one is valid on the other, a replay on the second of an action stored by the first answers
200, login throttles count across both, a photo uploaded through one is served by the other."""
from __future__ import annotations

import hashlib
import os
import uuid
from contextlib import ExitStack
from datetime import datetime

import psycopg
import pytest

from tests.serving import gunicorn, login_form, prepare_database, sign_in
from tests.sync import helpers

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/1")


@pytest.fixture
def shared_postgres(postgres_admin_url):
    if postgres_admin_url is None:
        pytest.skip("no PostgreSQL")
    admin = postgres_admin_url.replace("postgresql+psycopg://", "postgresql://")
    name = f"wuye_two_servers_{os.getpid()}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"{postgres_admin_url.rpartition('/')[0]}/{name}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def shared_redis():
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"no Redis at {REDIS_URL}: {exc}")

    def clear():
        for key in client.scan_iter("LIMITS*"):
            client.delete(key)

    clear()
    yield
    clear()
    client.close()


def _protocol(key: str, csrf: str) -> dict:
    return helpers.headers(key) | {"X-CSRFToken": csrf}


def test_two_app_servers_behave_as_one(tmp_path, shared_postgres, shared_redis):
    data = tmp_path / "shared-data"
    prepare_database(shared_postgres, data)
    env = {"DATABASE_URL": shared_postgres, "WUYE_ENV": "production", "RATELIMIT_STORAGE_URI": REDIS_URL,
           "WUYE_DATA_DIR": str(data), "SECRET_KEY": "shared-" + uuid.uuid4().hex}
    with ExitStack() as stack:
        (a, _log_a), (b, _log_b) = [stack.enter_context(gunicorn(tmp_path / name, env, workers=2))
                                    for name in ("instance-a", "instance-b")]

        # A session made on A is valid on B (signed cookies, one SECRET_KEY).
        phone = sign_in(a, "guard01")
        on_b = phone.get(b + "/sync/csrf", headers={"Accept": "application/json"}, timeout=10)
        assert on_b.status_code == 200 and on_b.json()["user_name"]
        csrf = on_b.json()["csrf_token"]

        # A scan stored through A, replayed through B: 200 with A's answer, one row.
        token = _place_token(shared_postgres, "CP05")
        key = str(uuid.uuid4())
        fields = {"place": token, "via": "link", "note": "两台服务器"}
        first = phone.post(a + "/patrol/scans", data=fields, headers=_protocol(key, csrf), timeout=30)
        again = phone.post(b + "/patrol/scans", data=fields, headers=_protocol(key, csrf), timeout=30)
        assert first.status_code == 201, first.text
        assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
        assert again.json() == first.json()
        batch = phone.post(b + "/sync/batch", timeout=30, headers={"X-CSRFToken": csrf, "Accept": "application/json"},
                           json={"actions": [
                               {"key": key, "device_time": first.request.headers["X-Device-Time"],
                                "sent_at": datetime.now(helpers.SHANGHAI).isoformat(), "path": "/patrol/scans",
                                "fields": [[k, v] for k, v in fields.items()]}]})
        assert batch.status_code == 200 and batch.json()["results"][0]["status"] == 200
        assert _count(shared_postgres, "SELECT count(*) FROM scan WHERE client_uuid = %s", key) == 1

        # A photo uploaded through A is served by B.
        photo = helpers.jpeg(640, 480)
        photo_key = str(uuid.uuid4())
        checksum = {"X-Content-SHA256": hashlib.sha256(photo).hexdigest()}
        upload = phone.post(a + "/sync/photos", files={"photo": ("p.jpg", photo, "image/jpeg")}, timeout=30,
                            headers=_protocol(photo_key, csrf) | checksum)
        assert upload.status_code == 201, upload.text
        served = phone.get(f"{b}/photos/{photo_key}/display.jpg", timeout=30)
        assert served.status_code == 200 and served.headers["Content-Type"] == "image/jpeg"
        assert served.content[:2] == b"\xff\xd8"

        # Failed logins count across both servers (Redis): 3 on A + 2 on B use up the account's 5.
        def fail(base: str) -> int:
            session, form_token = login_form(base)
            return session.post(base + "/login", timeout=30, data={
                "username": "guard02", "password": "nope-nope", "csrf_token": form_token}).status_code

        assert [fail(a), fail(a), fail(a), fail(b), fail(b)] == [200] * 5
        assert fail(a) == 429 and fail(b) == 429


def _place_token(url: str, code: str) -> str:
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        return conn.execute("SELECT tag_token FROM place WHERE code = %s", (code,)).fetchone()[0]


def _count(url: str, sql: str, *args) -> int:
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        return conn.execute(sql, args).fetchone()[0]
