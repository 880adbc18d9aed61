"""A batch replay is one transaction with one savepoint per action (issue 13): an action that fails after
writing undoes only itself, a batch that dies half-way stores nothing and is stored once when sent again,
and the site's chain stays whole (SQLite and PostgreSQL)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.sync import helpers
from tests.sync.helpers import count
from tests.sync.test_batch import action, send, single
from wuye_field.audit import chain
from wuye_field.audit.models import ChainEntry, ChainHead
from wuye_field.extensions import db
from wuye_field.patrol import services
from wuye_field.patrol.models import Scan
from wuye_field.sync.models import IdempotencyKey


class WorkerDied(BaseException):
    """Stands for the worker process being killed half-way through a batch (not an error the app handles)."""


@pytest.fixture
def token(demo):
    return helpers.place(demo).tag_token


@pytest.fixture
def guard(client, auth, demo):
    auth.login("guard01")
    return client


@pytest.fixture
def fail_on(monkeypatch):
    """Make the scan whose note is in `notes` fail after it was written and chained (an exception of
    `error`), as a bug or a lost database connection in the middle of a batch would."""
    original = services.record_scan

    def arm(error: type[BaseException], *notes: str):
        def record_scan(*args, **kwargs):
            view = original(*args, **kwargs)
            if kwargs.get("note") in notes:
                raise error("half-way")
            return view

        monkeypatch.setattr(services, "record_scan", record_scan)

    return arm


def test_an_action_failing_after_its_writes_undoes_only_itself(guard, token, demo, fail_on):
    fail_on(RuntimeError, "第 4 条")
    batch = [action(token, note=f"第 {i} 条") for i in range(8)]
    results = send(guard, batch)
    assert [r["status"] for r in results] == [201] * 4 + [500] + [201] * 3
    assert results[4]["body"]["error"] == "server_error"
    assert count(Scan) == 7 and count(IdempotencyKey) == 7
    assert count(Scan, Scan.client_uuid == batch[4]["key"]) == 0
    # The chain has the 7 scans, no gap where the failed one was linked and rolled back, and one head.
    result = chain.verify(demo.id)
    assert result.ok, result.problem
    head = db.session.get(ChainHead, demo.id)
    assert head.seq == result.head_seq and count(ChainEntry, ChainEntry.site_id == demo.id) == head.seq
    # The failed action was not claimed: sent again (the fault gone) it is stored, the others replayed.
    fail_on(RuntimeError)
    assert [r["status"] for r in send(guard, batch)] == [200] * 4 + [201] + [200] * 3
    assert count(Scan) == 8 and chain.verify(demo.id).ok


def test_a_batch_that_dies_half_way_stores_nothing_and_is_stored_once_when_sent_again(guard, token, demo, fail_on):
    earlier = action(token, note="之前单独上传")
    assert single(guard, earlier).status_code == 201
    head_before = db.session.get(ChainHead, demo.id).seq
    batch = [action(token, note=f"第 {i} 条") for i in range(10)]
    fail_on(WorkerDied, "第 5 条")
    with pytest.raises(WorkerDied):
        guard.post("/sync/batch", json={"actions": batch}, headers={"Accept": "application/json"})
    db.session.rollback()
    assert count(Scan) == 1 and count(IdempotencyKey) == 1  # the first five were never committed
    assert db.session.scalar(select(ChainHead.seq).where(ChainHead.site_id == demo.id)) == head_before
    fail_on(WorkerDied)
    results = send(guard, [earlier, *batch, batch[0]])
    assert [r["status"] for r in results] == [200] + [201] * 10 + [200]
    assert count(Scan) == 11 and count(IdempotencyKey) == 11
    for item in batch:
        assert count(Scan, Scan.client_uuid == item["key"]) == 1
    assert chain.verify(demo.id).ok


def test_a_key_twice_in_one_batch_is_stored_once(guard, token):
    item = action(token, note="同一条发了两次")
    other = action(token, item["key"], note="同一个键，不同内容")
    results = send(guard, [item, item, other])
    assert [r["status"] for r in results] == [201, 200, 409]
    assert results[1]["body"] == results[0]["body"]
    assert count(Scan, Scan.client_uuid == item["key"]) == 1
