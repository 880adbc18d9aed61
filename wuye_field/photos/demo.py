"""Demo photos: small pictures stored through the real photo pipeline (checked, re-encoded, stored), for
the demo's records that need one (an after-photo of a work order, a cleaning check-off with photo)."""
from __future__ import annotations

import io
from datetime import datetime

from PIL import Image, ImageDraw

from wuye_field.accounts.models import User
from wuye_field.photos.processing import PhotoLimits
from wuye_field.photos.storage import photo_storage
from wuye_field.photos.upload import store_photo
from wuye_field.sync.receipt import Receipt


def demo_photo(user: User, key: str, at: datetime, colour: tuple[int, int, int] = (70, 130, 110)) -> str:
    """Store a 320×240 picture taken by `user` at `at` under the UUID `key`; returns the UUID."""
    image = Image.new("RGB", (320, 240), colour)
    ImageDraw.Draw(image).rectangle((40, 40, 280, 200), outline=(240, 240, 240), width=6)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=70)
    store_photo(user, buffer.getvalue(), Receipt.server(at, key), checksum=None, storage=photo_storage(),
                limits=PhotoLimits())
    return key
