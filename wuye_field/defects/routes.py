"""Photo upload for the outbox (`POST /sync/photos`) and photo files for signed-in users of the site."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request, send_file
from flask_babel import gettext as _
from flask_login import current_user, login_required

from wuye_field.core.errors import DomainError
from wuye_field.defects import services
from wuye_field.defects.photos import PhotoLimits
from wuye_field.defects.storage import photo_storage
from wuye_field.sync.idempotency import current_action, idempotent_action, on_rollback

# No url_prefix: the upload belongs to the sync protocol's URL space (/sync/photos), files to /photos.
bp = Blueprint("defects", __name__)


@bp.post("/sync/photos")
@login_required
@idempotent_action
def upload_photo():
    """One photo (multipart field `photo`, Idempotency-Key = photo UUID, X-Content-SHA256) → 201 JSON."""
    upload = request.files.get("photo")
    if upload is None:
        raise DomainError(_("没有收到照片文件。"), code="no_photo")
    action = current_action()
    photo = services.store_photo(
        current_user, upload.stream.read(), client_uuid=action.key, device_time=action.device_time,
        received_at=action.received_at, skew=action.skew, checksum=request.headers.get("X-Content-SHA256"),
        storage=photo_storage(), limits=PhotoLimits.from_config(current_app.config), on_rollback=on_rollback,
    )
    return jsonify(status="stored", message=_("照片已上传"), photo=_photo_json(photo)), 201


@bp.get("/photos/<photo_uuid>/<any('display', 'thumb'):size>.jpg")
@login_required
def photo_file(photo_uuid: str, size: str):
    """A stored photo (display size or thumbnail) for its uploader and users of its site; else 404."""
    photo = services.photo_for_viewer(current_user, photo_uuid)
    key = photo.display_key if size == "display" else photo.thumb_key
    response = send_file(photo_storage().path(key), mimetype="image/jpeg", max_age=86400, etag=True)
    response.cache_control.private = True
    response.cache_control.public = False
    return response


def _photo_json(photo) -> dict:
    return {"id": photo.client_uuid, "sha256": photo.sha256, "width": photo.width, "height": photo.height,
            "bytes_in": photo.bytes_in, "bytes_out": photo.bytes_out, "linked": photo.site_id is not None}
