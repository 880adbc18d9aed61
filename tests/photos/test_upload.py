"""`POST /sync/photos` and the photo files: idempotent by photo UUID, checked, stored once, served to the site."""
from __future__ import annotations

import errno
import hashlib
import io
import os

import pytest
from PIL import Image
from sqlalchemy import select

from tests.sync import helpers
from tests.photos.conftest import photo_files
from tests.sync.helpers import count, new_key, post_photo, post_scan
from wuye_field.photos.models import Photo
from wuye_field.extensions import db
from wuye_field.patrol.models import Scan
from wuye_field.sync import idempotency
from wuye_field.sync.models import IdempotencyKey, SyncConflict


def test_upload_stores_display_and_thumbnail(app, guard):
    data = helpers.jpeg(3000, 2000)
    key = new_key()
    response = post_photo(guard, data, key)
    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "stored" and body["message"] == "照片已上传"
    assert body["photo"] | {} == body["photo"]
    assert body["photo"]["id"] == key and body["photo"]["sha256"] == hashlib.sha256(data).hexdigest()
    assert (body["photo"]["width"], body["photo"]["height"]) == (1600, 1067)
    assert body["photo"]["linked"] is False
    photo = db.session.scalar(select(Photo).where(Photo.client_uuid == key))
    assert photo.bytes_in == len(data) and 0 < photo.bytes_out < len(data)
    assert photo.site_id is None
    files = photo_files(app)
    assert len(files) == 2
    for path in files:  # WUYE_DATA_DIR/photos/ab/cd/<sha>.jpg, named by the content's own SHA-256
        assert path.name == hashlib.sha256(path.read_bytes()).hexdigest() + ".jpg"
        assert path.parent.name == path.name[2:4] and path.parent.parent.name == path.name[:2]


def test_replayed_upload_is_200_and_stored_once(app, guard):
    """R1 for photos: the same photo UUID and bytes again → 200 replay, one row, two files."""
    data, key = helpers.jpeg(), new_key()
    first = post_photo(guard, data, key)
    again = post_photo(guard, data, key)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.headers["Idempotent-Replayed"] == "true" and again.get_data() == first.get_data()
    assert count(Photo) == 1 and len(photo_files(app)) == 2


def test_same_photo_uuid_with_other_bytes_is_409(guard):
    """R2 for photos."""
    key = new_key()
    post_photo(guard, helpers.jpeg(640, 480), key)
    response = post_photo(guard, helpers.jpeg(600, 400), key)
    assert response.status_code == 409 and response.get_json()["error"] == "conflict"
    assert count(Photo) == 1 and count(SyncConflict) == 1


def test_checksum_mismatch_is_400_and_stores_nothing(app, guard):
    """The bytes that arrived are not the bytes the phone hashed → 400 checksum, the phone resends."""
    response = post_photo(guard, helpers.jpeg(), checksum="0" * 64)
    assert response.status_code == 400 and response.get_json()["error"] == "checksum"
    assert count(Photo) == 0 and count(IdempotencyKey) == 0 and photo_files(app) == []


def test_upload_without_checksum_header_is_accepted(guard):
    assert post_photo(guard, helpers.jpeg(), checksum=None).status_code == 201


@pytest.mark.parametrize("data", [helpers.HTML_AS_JPG, helpers.SVG_AS_JPG, helpers.PHP_AS_JPG],
                         ids=["html", "svg", "php"])
def test_non_image_named_jpg_is_415_and_nothing_is_stored(app, guard, data):
    """R19: HTML/SVG/PHP renamed .jpg with Content-Type image/jpeg → 415, nothing stored."""
    response = post_photo(guard, data, filename="IMG_0001.jpg", content_type="image/jpeg")
    assert response.status_code == 415
    assert response.get_json() == {"error": "not_image", "message": "不是照片文件（请上传 JPEG 照片）"}
    assert count(Photo) == 0 and count(IdempotencyKey) == 0 and photo_files(app) == []


def test_real_jpeg_sent_with_a_wrong_name_and_type_is_still_a_photo(guard):
    """R19: only Pillow's detection counts, not the name or Content-Type."""
    response = post_photo(guard, helpers.jpeg(), filename="upload.bin", content_type="application/octet-stream")
    assert response.status_code == 201


@pytest.mark.parametrize("make, status, code", [
    (helpers.truncated_jpeg, 422, "damaged"),
    (helpers.jpeg_bomb, 413, "too_many_pixels"),
    (lambda: helpers.HEIC, 415, "heic"),
], ids=["truncated", "bomb", "heic"])
def test_bad_photos_are_refused_with_json_and_leave_nothing(app, guard, make, status, code):
    """R20, R22, R24: refused with the right status, a Chinese message, no row and no file."""
    response = post_photo(guard, make())
    assert response.status_code == status
    body = response.get_json()
    assert body["error"] == code and body["message"]
    assert count(Photo) == 0 and count(IdempotencyKey) == 0 and photo_files(app) == []


def test_missing_photo_field_is_400(guard):
    response = guard.post("/sync/photos", data={"other": "x"}, headers=helpers.headers(),
                          content_type="multipart/form-data")
    assert response.status_code == 400 and response.get_json()["error"] == "no_photo"


def test_truncated_multipart_upload_is_400_and_stores_nothing(app, guard):
    """R5: the connection drops mid-upload → 400, nothing stored; the same UUID later works."""
    key, data = new_key(), helpers.jpeg(1200, 900)
    boundary = "----wuyeboundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"p.jpg\"\r\n"
            f"Content-Type: image/jpeg\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    cut = body[: len(body) // 2]
    response = guard.post("/sync/photos", input_stream=io.BytesIO(cut), headers=helpers.headers(key) | {
        "Content-Type": f"multipart/form-data; boundary={boundary}", "Content-Length": str(len(body))})
    assert response.status_code == 400
    assert response.get_json()["error"] == "incomplete_upload" and "上传中断" in response.get_json()["message"]
    assert count(Photo) == 0 and count(IdempotencyKey) == 0 and photo_files(app) == []
    assert post_photo(guard, data, key).status_code == 201


def test_upload_cut_before_its_declared_length_is_400(app, guard):
    """R5: the body ends before Content-Length (connection dropped) → 400, nothing stored."""
    data = helpers.jpeg(1200, 900)
    boundary = "----wuyeboundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"p.jpg\"\r\n"
            f"Content-Type: image/jpeg\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    response = guard.post("/sync/photos", input_stream=io.BytesIO(body[:5000]), headers=helpers.headers() | {
        "Content-Type": f"multipart/form-data; boundary={boundary}", "Content-Length": str(len(body) + 10000)})
    assert response.status_code == 400 and response.get_json()["message"]
    assert count(Photo) == 0 and count(IdempotencyKey) == 0 and photo_files(app) == []


def test_disk_full_is_507_and_nothing_is_committed(app, guard, monkeypatch):
    """R26: ENOSPC while saving → 507 JSON, no row, no file; the phone keeps the photo."""
    key, data = new_key(), helpers.jpeg()
    real_replace = os.replace
    calls = []

    def replace(src, dst):
        calls.append(dst)
        if len(calls) == 2:  # the display file is in place, the thumbnail hits a full disk
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    response = post_photo(guard, data, key)
    assert response.status_code == 507
    assert response.get_json()["error"] == "storage_full"
    assert count(Photo) == 0 and count(IdempotencyKey) == 0 and photo_files(app) == []
    monkeypatch.undo()
    assert post_photo(guard, data, key).status_code == 201


def test_crash_before_commit_leaves_no_row_and_no_file(app, guard, monkeypatch):
    """R4: files written, then the worker dies before commit → no row, no orphan file; retry works."""
    key, data = new_key(), helpers.jpeg()

    def crash():
        raise RuntimeError("killed")

    monkeypatch.setattr(idempotency, "_commit", crash)
    assert post_photo(guard, data, key).status_code == 500
    assert count(Photo) == 0 and photo_files(app) == []
    monkeypatch.undo()
    assert post_photo(guard, data, key).status_code == 201
    assert len(photo_files(app)) == 2


def test_rolled_back_upload_keeps_files_a_committed_photo_shares(app, guard, monkeypatch):
    """Content-addressed files are shared: a failed upload of the same bytes must not delete them."""
    data = helpers.jpeg()
    assert post_photo(guard, data).status_code == 201
    monkeypatch.setattr(idempotency, "_commit", lambda: (_ for _ in ()).throw(RuntimeError("killed")))
    assert post_photo(guard, data).status_code == 500
    assert len(photo_files(app)) == 2


def _photo_urls(key):
    return f"/photos/{key}/display.jpg", f"/photos/{key}/thumb.jpg"


def test_photo_files_are_served_to_the_uploader_and_site_users_only(client, auth, demo, factories):
    """Issue 4: photos are served only to signed-in users of that site (or the uploader); others get 404."""
    token = helpers.place(demo).tag_token
    other_site = factories.site()
    outsider = factories.user(role="guard", site=other_site, staff_no="outsider")
    db.session.commit()
    auth.login("guard01")
    key = new_key()
    post_photo(client, helpers.rotated_jpeg(), key)
    display, thumb = _photo_urls(key)
    with client.get(display) as response:
        assert response.status_code == 200 and response.mimetype == "image/jpeg"
        assert "private" in response.headers["Cache-Control"]
        assert Image.open(io.BytesIO(response.data)).size == (200, 400)
    with client.get(thumb) as response:
        assert Image.open(io.BytesIO(response.data)).size == (160, 320)
    auth.logout()

    auth.login("guard02")  # same site, but the photo is not linked to a record yet
    assert client.get(display).status_code == 404
    auth.logout()
    auth.login("guard01")
    post_scan(client, token, photo_ids=key)
    auth.logout()
    auth.login("guard02")
    with client.get(display) as response:
        assert response.status_code == 200
    auth.logout()

    client.post("/login", data={"username": outsider.staff_no, "password": "password-123"})
    assert client.get(display).status_code == 404
    assert client.get(thumb).status_code == 404
    client.post("/logout")
    assert client.get(display).status_code in (302, 401)


def test_unknown_or_malformed_photo_ids_are_404(guard):
    assert guard.get(f"/photos/{new_key()}/display.jpg").status_code == 404
    assert guard.get("/photos/not-a-uuid/display.jpg").status_code == 404
    assert guard.get(f"/photos/{new_key()}/original.jpg").status_code == 404


def test_photo_before_record_is_linked_when_the_record_arrives(guard, demo):
    """R6: photo first → stored unlinked; the scan names it → linked, nothing pending."""
    key = new_key()
    post_photo(guard, helpers.jpeg(), key)
    response = post_scan(guard, helpers.place(demo).tag_token, photo_ids=key)
    assert response.get_json()["scan"]["pending_photos"] == 0
    photo = db.session.scalar(select(Photo).where(Photo.client_uuid == key))
    assert photo.site_id == demo.id


def test_record_before_photo_shows_pending_until_it_arrives(guard, demo):
    """R6: the scan first → stored, 「照片待上传」; the photo later → linked to the scan's site."""
    keys = [new_key(), new_key()]
    token = helpers.place(demo).tag_token
    response = post_scan(guard, token, photo_ids=",".join(keys))
    assert response.status_code == 201
    body = response.get_json()
    assert body["scan"]["pending_photos"] == 2 and "2 张照片待上传" in body["message"]
    assert "照片待上传" in guard.get(f"/t/{token}").text
    post_photo(guard, helpers.jpeg(), keys[0])
    upload = post_photo(guard, helpers.jpeg(500, 300), keys[1])
    assert upload.get_json()["photo"]["linked"] is True
    assert "照片待上传" not in guard.get(f"/t/{token}").text
    scan = db.session.scalar(select(Scan))
    from wuye_field.photos.links import photos_of

    assert [p.client_uuid for p in photos_of("scan", scan.id)] == keys
