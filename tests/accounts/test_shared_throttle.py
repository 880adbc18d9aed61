"""Throttles that hold across servers (R14, R32 in docs/standards.md): failed logins count on the account whatever
name or phone was typed, shared through Redis by every worker, and production will not run several
workers on per-process counts."""
from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.serving import answered_by, gunicorn, login_form, prepare_database
from wuye_field import create_app
from wuye_field.extensions import limiter

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/1")


@pytest.fixture
def throttled(make_app):
    application = make_app(RATELIMIT_ENABLED=True)
    with application.app_context():
        limiter.reset()
    return application.test_client()


def _fail(client, login: str) -> int:
    return client.post("/login", data={"username": login, "password": "nope-nope"}).status_code


def test_phone_and_staff_number_share_one_count(throttled, demo):
    """guard01's phone number is the same account: 3 + 2 failures use up its 5."""
    assert [_fail(throttled, "guard01") for _ in range(3)] == [200] * 3
    assert [_fail(throttled, "13800000001") for _ in range(2)] == [200] * 2
    assert _fail(throttled, "GUARD01") == 429
    assert _fail(throttled, "13800000001") == 429
    response = throttled.post("/login", data={"username": "guard01", "password": "wuye-demo"})
    assert response.status_code == 429  # even the right password waits out the window


def test_a_success_gives_back_its_count(throttled, demo):
    for _round in range(3):
        assert [_fail(throttled, "guard01") for _ in range(4)] == [200] * 4
        assert throttled.post("/login", data={"username": "guard01", "password": "wuye-demo"}).status_code == 302
        throttled.post("/logout")
        limiter.reset()  # a new window for the next round
    assert _fail(throttled, "guard01") == 200


def test_an_unknown_name_is_counted_on_its_own(throttled, demo):
    assert [_fail(throttled, "nobody") for _ in range(5)] == [200] * 5
    assert _fail(throttled, "nobody") == 429
    assert throttled.post("/login", data={"username": "guard01", "password": "wuye-demo"}).status_code == 302


def _production(**overrides) -> dict:
    return {"WUYE_ENV": "production", "SECRET_KEY": "k" * 32, "SQLALCHEMY_DATABASE_URI": "sqlite://"} | overrides


def test_production_refuses_several_workers_on_memory_storage(tmp_path, monkeypatch):
    monkeypatch.setenv("WUYE_INSTANCE_PATH", str(tmp_path))
    with pytest.raises(RuntimeError, match="WEB_CONCURRENCY=2.*RATELIMIT_STORAGE_URI"):
        create_app(_production(WEB_CONCURRENCY=2, RATELIMIT_STORAGE_URI="memory://"))
    assert create_app(_production(WEB_CONCURRENCY=1, RATELIMIT_STORAGE_URI="memory://"))
    assert create_app(_production(WEB_CONCURRENCY=2, RATELIMIT_STORAGE_URI=REDIS_URL))


@pytest.fixture
def redis_db():
    """The Redis database the throttle test may use, emptied of throttle counts before and after."""
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
    yield client
    clear()
    client.close()


def test_sixth_wrong_password_is_refused_by_whichever_worker_answers(tmp_path, redis_db):
    """gunicorn, 2 workers, production settings, counts in Redis: a burst of 10 wrong passwords from 10
    phones at once lets exactly 5 through; the phone alias of the same account is refused too."""
    database = f"sqlite:///{tmp_path / 'wuye.db'}"
    prepare_database(database, tmp_path / "data")
    env = {"DATABASE_URL": database, "WUYE_ENV": "production", "RATELIMIT_STORAGE_URI": REDIS_URL}
    with gunicorn(tmp_path / "instance", env, workers=2) as (base, log):
        phones = [login_form(base) for _ in range(10)]

        def attempt(phone):
            session, token = phone
            data = {"username": "guard01", "password": "nope-nope", "csrf_token": token}
            return session.post(base + "/login", data=data, timeout=30).status_code

        with ThreadPoolExecutor(10) as pool:
            statuses = list(pool.map(attempt, phones))
        session, token = login_form(base)
        alias = session.post(base + "/login", timeout=30,
                             data={"username": "13800000001", "password": "wuye-demo", "csrf_token": token})
        # On a busy machine one worker may take the whole burst: knock again until the other has answered
        # too; every answer, whichever worker gives it, is a refusal.
        later = []
        for _ in range(60):
            if len({pid for pid, _status in answered_by(log, "POST", "/login")}) == 2:
                break
            later.append(attempt(login_form(base)))
            time.sleep(0.2)
        answers = answered_by(log, "POST", "/login")
    assert sorted(statuses) == [200] * 5 + [429] * 5, statuses
    assert alias.status_code == 429 and "分钟后再试" in alias.text
    assert set(later) <= {429}, later
    workers = {pid for pid, _status in answers}
    assert len(workers) == 2, answers  # both workers answered, and together they refused past the 5th
    assert {pid for pid, status in answers if status == 429}, answers
