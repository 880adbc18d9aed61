"""Two replays of one action racing each other are stored once (on SQLite and on PostgreSQL)."""
from __future__ import annotations

import threading

import pytest

from tests.sync import helpers
from tests.sync.helpers import count, new_key
from wuye_field.photos.models import Photo
from wuye_field.extensions import db
from wuye_field.patrol.models import Scan
from wuye_field.sync.models import IdempotencyKey

ROUNDS = 8


def _signed_in_clients(app, n: int = 2):
    clients = []
    for _ in range(n):
        client = app.test_client()
        assert client.post("/login", data={"username": "guard01", "password": "wuye-demo"}).status_code == 302
        clients.append(client)
    db.session.commit()  # the test's session must hold no transaction (SQLite write lock) while threads run
    return clients


def _race(clients, send):
    """Release `send(client)` in every thread at once; return the responses."""
    barrier = threading.Barrier(len(clients))
    responses: list = [None] * len(clients)
    errors: list = []

    def run(i, client):
        try:
            barrier.wait(timeout=10)
            responses[i] = send(client)
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    return responses


def test_parallel_replays_of_one_scan_store_exactly_once(app, demo):
    """R3: the same replay from two threads at once → one Scan, one key row, both 2xx, same body."""
    token = helpers.place(demo).tag_token
    clients = _signed_in_clients(app)
    for _ in range(ROUNDS):
        key, sent = new_key(), helpers.headers()
        sent_key = sent | {"Idempotency-Key": key}
        responses = _race(clients, lambda c, sent_key=sent_key: c.post(
            "/patrol/scans", data={"place": token, "via": "link", "note": "并发"}, headers=sent_key))
        statuses = sorted(r.status_code for r in responses)
        assert statuses in ([200, 201], [201, 201]) or all(200 <= s < 300 for s in statuses), statuses
        assert 201 in statuses
        assert responses[0].get_data() == responses[1].get_data()
        assert sum(r.headers.get("Idempotent-Replayed") == "true" for r in responses) == 1
        assert count(Scan, Scan.client_uuid == key) == 1
        assert count(IdempotencyKey, IdempotencyKey.key == key) == 1
        db.session.commit()


def test_parallel_uploads_of_one_photo_store_exactly_once(app, demo):
    """R3: a photo sent twice at once (lost response + timer) → one Photo row."""
    data = helpers.jpeg(1200, 900)
    clients = _signed_in_clients(app)
    for _ in range(3):
        key = new_key()
        responses = _race(clients, lambda c, key=key: helpers.post_photo(c, data, key))
        assert sorted(r.status_code for r in responses) == [200, 201]
        assert responses[0].get_json() == responses[1].get_json()
        assert count(Photo, Photo.client_uuid == key) == 1
        db.session.commit()


@pytest.mark.parametrize("n", [4])
def test_many_phones_racing_on_different_keys_all_store(app, demo, n):
    """Different actions racing each other all get stored (writers wait; none fails with 'database is locked')."""
    token = helpers.place(demo).tag_token
    clients = _signed_in_clients(app, n)
    responses = _race(clients, lambda c: helpers.post_scan(c, token))
    assert [r.status_code for r in responses] == [201] * n
    assert count(Scan) == n
