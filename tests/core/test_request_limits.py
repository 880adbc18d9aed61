"""Limits on every body (R25 in docs/standards.md): form-encoded requests are bounded like multipart ones, and a
field action refuses a body over its own limit before reading it — 413 with a Chinese message."""
from __future__ import annotations

import io
from urllib.parse import urlencode

import pytest

from tests.sync import helpers
from tests.sync.helpers import count, headers, jpeg, post_photo
from wuye_field.extensions import db
from wuye_field.patrol.models import Scan

FORM = "application/x-www-form-urlencoded"


class CountingStream(io.BytesIO):
    """A request body that remembers how many bytes the server read from it."""

    def __init__(self, data: bytes):
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk

    def readline(self, size=-1):
        chunk = super().readline(size)
        self.bytes_read += len(chunk)
        return chunk


@pytest.fixture
def guard(client, demo, auth):
    token = helpers.place(demo).tag_token
    db.session.rollback()  # the test's own session must not hold SQLite's write lock
    auth.login("guard01")
    return client, token


def _post_raw(client, path: str, body: bytes, content_type: str, **extra_headers):
    stream = CountingStream(body)
    response = client.post(path, input_stream=stream, content_length=len(body), content_type=content_type,
                           headers=headers(**extra_headers))
    return response, stream


def test_form_encoded_field_action_with_1100_fields_is_refused(guard):
    client, token = guard
    body = urlencode([("place", token), ("via", "link")] + [(f"f{i}", "v") for i in range(1100)]).encode()
    response, _stream = _post_raw(client, "/patrol/scans", body, FORM)
    assert response.status_code == 413
    assert response.get_json()["error"] == "http_413" and "太大" in response.get_json()["message"]
    assert count(Scan) == 0


def test_form_encoded_page_form_with_1100_fields_is_refused(client, demo):
    body = urlencode([("username", "guard01"), ("password", "wuye-demo")] + [(f"f{i}", "") for i in range(1100)])
    response = client.post("/login", data=body, content_type=FORM)
    assert response.status_code == 413
    assert "太大" in response.text


def test_a_5_megabyte_form_encoded_note_is_refused_before_it_is_read(guard):
    client, token = guard
    body = urlencode({"place": token, "via": "link", "note": "长" * 600_000}).encode()
    assert len(body) > 5_000_000
    response, stream = _post_raw(client, "/patrol/scans", body, FORM)
    assert response.status_code == 413 and "太大" in response.get_json()["message"]
    assert stream.bytes_read == 0
    assert count(Scan) == 0


def test_a_field_action_refuses_a_multipart_body_over_its_own_limit_unread(make_app, demo):
    token = helpers.place(demo).tag_token
    db.session.rollback()
    client = make_app(FIELD_ACTION_MAX_BYTES=8 * 1024).test_client()
    client.post("/login", data={"username": "guard01", "password": "wuye-demo"})
    boundary = "XyZ"
    parts = [("place", token), ("via", "link"), ("note", "x" * 20_000)]
    body = "".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
                   for name, value in parts).encode() + f"--{boundary}--\r\n".encode()
    response, stream = _post_raw(client, "/patrol/scans", body, f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 413
    assert stream.bytes_read == 0
    assert count(Scan) == 0


def test_ordinary_field_actions_and_photos_still_pass(guard):
    client, token = guard
    photo = post_photo(client, jpeg(1600, 1200))
    assert photo.status_code == 201
    response = helpers.post_scan(client, token, note="楼道灯不亮" * 100, photo_ids=photo.get_json()["photo"]["id"])
    assert response.status_code == 201
    assert count(Scan) == 1


def test_every_field_action_has_a_body_limit(app):
    """Each view under @idempotent_action names its limit; only the photo upload may take a photo's size, and
    the batch replay up to 100 actions' worth (each action inside it is held to its own limit)."""
    from wuye_field.core.request_limits import view_body_limit

    field_actions = [endpoint for endpoint, view in app.view_functions.items()
                     if getattr(view, "body_limit_key", None)]
    assert len(field_actions) >= 15
    for endpoint in field_actions:
        limit = view_body_limit(endpoint)
        if endpoint == "defects.upload_photo":
            assert limit == app.config["MAX_CONTENT_LENGTH"]
        elif endpoint == "sync.replay_batch":
            assert limit == app.config["SYNC_BATCH_MAX_BYTES"]
        else:
            assert limit == app.config["FIELD_ACTION_MAX_BYTES"], endpoint
