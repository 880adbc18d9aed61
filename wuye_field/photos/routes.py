"""Photo upload for the outbox (`POST /sync/photos`) and photo files for signed-in users of the site.

No blueprint of its own: `add_routes(bp)` puts both views on the defects blueprint (no url_prefix), so their
endpoints stay `defects.upload_photo` and `defects.photo_file`. The upload belongs to the sync protocol's URL
space (/sync/photos), files to /photos.
"""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request, send_file
from flask_babel import gettext as _
from flask_login import current_user, login_required

from wuye_field.core.errors import DomainError
from wuye_field.core.request_limits import body_limit
from wuye_field.photos import links, upload
from wuye_field.photos.processing import PhotoLimits
from wuye_field.photos.storage import photo_decode_slots, photo_storage
from wuye_field.sync.idempotency import current_receipt, idempotent_action, on_rollback


@login_required
@idempotent_action
@body_limit("MAX_CONTENT_LENGTH")
def upload_photo():
    """One photo (multipart field `photo`, Idempotency-Key = photo UUID, X-Content-SHA256) → 201 JSON."""
    sent = request.files.get("photo")
    if sent is None:
        raise DomainError(_("没有收到照片文件。"), code="no_photo")
    photo = upload.store_photo(
        current_user, sent.stream.read(), current_receipt(), checksum=request.headers.get("X-Content-SHA256"),
        storage=photo_storage(), limits=PhotoLimits.from_config(current_app.config), slots=photo_decode_slots(),
        on_rollback=on_rollback,
    )
    return jsonify(status="stored", message=_("照片已上传"), photo=_photo_json(photo)), 201


@login_required
def photo_file(photo_uuid: str, size: str):
    """A stored photo (display size or thumbnail) for its uploader and users of its site; else 404."""
    photo = links.photo_for_viewer(current_user, photo_uuid)
    key = photo.display_key if size == "display" else photo.thumb_key
    response = send_file(photo_storage().path(key), mimetype="image/jpeg", max_age=86400, etag=True)
    response.cache_control.private = True
    response.cache_control.public = False
    return response


def _photo_json(photo) -> dict:
    return {"id": photo.client_uuid, "sha256": photo.sha256, "width": photo.width, "height": photo.height,
            "bytes_in": photo.bytes_in, "bytes_out": photo.bytes_out, "linked": photo.site_id is not None}


def add_routes(bp: Blueprint) -> None:
    """The upload and the files, on `bp` (the defects blueprint: endpoint names and URLs as before)."""
    bp.add_url_rule("/sync/photos", view_func=upload_photo, methods=["POST"])
    bp.add_url_rule("/photos/<photo_uuid>/<any('display', 'thumb'):size>.jpg", view_func=photo_file, methods=["GET"])
