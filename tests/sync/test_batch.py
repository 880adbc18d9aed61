"""Batch replay (R28): POST /sync/batch answers each action exactly as its single request would, and every
action stays exactly-once by (user, key) however batches and single requests meet (SQLite and PostgreSQL)."""
from __future__ import annotations

import threading
from datetime import datetime
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from tests.sync import helpers
from tests.sync.helpers import SHANGHAI, count, new_key
from wuye_field.accounts.models import User
from wuye_field.accounts.services import set_roles
from wuye_field.extensions import db
from wuye_field.patrol.models import Scan
from wuye_field.sync.models import IdempotencyKey, QuarantineItem


def action(token: str, key: str | None = None, *, note: str = "", path: str = "/patrol/scans", **extra) -> dict:
    now = datetime.now(SHANGHAI).isoformat()
    fields = [["place", token], ["via", "link"], ["note", note]]
    return {"key": key or new_key(), "device_time": now, "sent_at": now, "path": path, "fields": fields} | extra


def send(client, actions: list) -> list[dict]:
    response = client.post("/sync/batch", json={"actions": actions}, headers={"Accept": "application/json"})
    assert response.status_code == 200, response.get_json()
    results = response.get_json()["results"]
    assert len(results) == len(actions)
    return results


def single(client, item: dict):
    """The same action sent alone, as the outbox would without batches."""
    sent_headers = {"Idempotency-Key": item["key"], "X-Device-Time": item["device_time"],
                    "X-Device-Sent-At": item["sent_at"], "Accept": "application/json"}
    body = urlencode([tuple(pair) for pair in item["fields"]])
    return client.post(item["path"], data=body, content_type="application/x-www-form-urlencoded",
                       headers={k: v for k, v in sent_headers.items() if v})


@pytest.fixture
def token(demo):
    return helpers.place(demo).tag_token


@pytest.fixture
def guard(client, auth, demo):
    auth.login("guard01")
    return client


def test_each_result_is_what_the_single_request_answers(guard, token):
    """New → 201, already sent → 200 with the stored body, same key other body → 409 conflict, a refused
    action → its own 4xx and Chinese message, a malformed one → its own 400; the others are stored."""
    earlier = action(token, note="先单独发过")
    first_answer = single(guard, earlier)
    assert first_answer.status_code == 201
    conflicting = action(token, earlier["key"], note="改过的")
    new = [action(token, note=f"新的 {i}") for i in range(3)]
    refused = action("no-such-tag")
    too_long = action(token, note="长" * 501)
    no_key = action(token) | {"key": ""}
    batch = [new[0], earlier, conflicting, refused, new[1], too_long, no_key,
             {"key": new_key(), "path": "/patrol/scans", "fields": "place=x"},  # malformed
             action(token, path="/login"),  # not a field action
             new[2]]
    results = send(guard, batch)
    assert [r["status"] for r in results] == [201, 200, 409, 404, 201, 400, 400, 400, 400, 201]
    assert results[1]["body"] == first_answer.get_json()
    assert results[2]["body"]["error"] == "conflict"
    assert results[5]["body"]["error"] == "note_too_long" and results[6]["body"]["error"] == "idempotency_key"
    assert results[7]["body"]["error"] == results[8]["body"]["error"] == "malformed_action"
    assert all(r["body"]["message"] for r in results)
    # Sent alone now, each action answers what the batch said (a first receipt is now a replay of it).
    for item, result in zip(batch, results, strict=True):
        if item.get("fields") == "place=x" or item["path"] == "/login":
            continue
        alone = single(guard, item)
        expected = 200 if result["status"] == 201 else result["status"]
        assert alone.status_code == expected, (item, alone.get_json())
        assert alone.get_json() == result["body"]
    assert count(Scan) == 4
    assert count(Scan, Scan.note == "改过的") == 0


def test_a_batch_cut_off_half_way_and_sent_again_stores_each_once(guard, token):
    batch = [action(token, note=f"第 {i} 条") for i in range(10)]
    assert [r["status"] for r in send(guard, batch[:5])] == [201] * 5  # the answer never reached the phone
    results = send(guard, batch)
    assert [r["status"] for r in results] == [200] * 5 + [201] * 5
    assert count(Scan) == 10 and count(IdempotencyKey) == 10
    for item in batch:
        assert count(Scan, Scan.client_uuid == item["key"]) == 1


def test_more_than_the_limit_is_413_and_nothing_is_stored(guard, token):
    response = guard.post("/sync/batch", json={"actions": [action(token) for _ in range(101)]},
                          headers={"Accept": "application/json"})
    assert response.status_code == 413
    assert response.get_json()["message"] == "一次最多上传 100 条记录，请分批上传。"
    assert count(Scan) == 0


@pytest.mark.parametrize("body", [{"actions": "all"}, {"items": []}, [1, 2]])
def test_a_body_that_is_not_a_batch_is_400(guard, body):
    response = guard.post("/sync/batch", json=body, headers={"Accept": "application/json"})
    assert response.status_code == 400 and response.get_json()["error"] == "malformed_batch"


def test_not_signed_in_is_401_and_the_phone_keeps_its_queue(client, token):
    response = client.post("/sync/batch", json={"actions": [action(token)]}, headers={"Accept": "application/json"})
    assert response.status_code == 401
    assert count(Scan) == 0


def test_a_batch_action_for_a_site_the_author_left_is_kept_in_quarantine(guard, token):
    """Quarantine (R12) applies to a batch action as to a single request; its replay answers the same."""
    set_roles(db.session.scalar(select(User).where(User.staff_no == "guard01")), {})
    db.session.commit()
    item = action(token)
    results = send(guard, [item, item])
    assert [r["status"] for r in results] == [409, 409]
    assert {r["body"]["status"] for r in results} == {"quarantined"}
    assert count(QuarantineItem, QuarantineItem.client_uuid == item["key"]) == 1 and count(Scan) == 0


def _signed_in(app, n: int):
    clients = []
    for _ in range(n):
        client = app.test_client()
        assert client.post("/login", data={"username": "guard01", "password": "wuye-demo"}).status_code == 302
        clients.append(client)
    db.session.commit()  # the test's own session holds no transaction (SQLite write lock) while threads run
    return clients


def test_racing_batches_and_a_single_request_with_overlapping_keys_store_each_once(app, demo):
    token = helpers.place(demo).tag_token
    actions = [action(token, note=f"并发 {i}") for i in range(30)]
    clients = _signed_in(app, 3)
    jobs = [lambda c: send(c, actions[:20]), lambda c: send(c, actions[10:]),
            lambda c: [single(c, actions[15]).status_code]]
    barrier = threading.Barrier(len(jobs))
    answers, errors = [None] * len(jobs), []

    def run(i):
        try:
            barrier.wait(timeout=10)
            answers[i] = jobs[i](clients[i])
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors
    statuses = [r["status"] for r in answers[0]] + [r["status"] for r in answers[1]] + answers[2]
    # Every answer is stored (201), a replay (200) or "another request is storing it, retry" (409 in_progress).
    assert set(statuses) <= {200, 201, 409}, statuses
    assert count(Scan) == 30 and count(IdempotencyKey) == 30
    for item in actions:
        assert count(Scan, Scan.client_uuid == item["key"]) == 1
    # What came back 409 in_progress is stored now: sent again, all are replays.
    assert {r["status"] for r in send(clients[0], actions)} == {200}
