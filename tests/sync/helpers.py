"""Helpers shared by the sync, defects and patrol tests: protocol headers, real images made with Pillow."""
from __future__ import annotations

import hashlib
import io
import struct
import uuid
import zlib
from datetime import datetime, timedelta, timezone

from PIL import ExifTags, Image
from sqlalchemy import func, select

from wuye_field.extensions import db
from wuye_field.places.models import Place
from wuye_field.sync.receipt import ClockSkew, Receipt

SHANGHAI = timezone(timedelta(hours=8))


def new_key() -> str:
    return str(uuid.uuid4())


def receipt(at: datetime, *, received: datetime | None = None, key: str | None = None,
            skew: ClockSkew | None = None) -> Receipt:
    """The Receipt of a field action made at `at` (received then unless told), under a fresh UUID."""
    return Receipt(key or new_key(), at, received or at, skew or ClockSkew.unknown())


def iso(value: datetime) -> str:
    return value.isoformat()


def headers(key: str | None = None, *, device_time: datetime | None = None, sent_at: datetime | None = None,
            **extra) -> dict:
    """The headers the outbox sends with a field POST."""
    now = datetime.now(SHANGHAI)
    result = {"Idempotency-Key": key or new_key(), "X-Device-Time": iso(device_time or now),
              "X-Device-Sent-At": iso(sent_at or now), "Accept": "application/json"}
    result.update(extra)
    return result


def post_scan(client, token: str, key: str | None = None, *, note: str = "", via: str = "link",
              photo_ids: str = "", **header_args):
    data = {"place": token, "via": via, "note": note}
    if photo_ids:
        data["photo_ids"] = photo_ids
    return client.post("/patrol/scans", data=data, headers=headers(key, **header_args))


def post_photo(client, data: bytes, key: str | None = None, *, checksum: str | None = "auto",
               filename: str = "photo.jpg", content_type: str = "image/jpeg", **header_args):
    extra = {}
    if checksum == "auto":
        extra["X-Content-SHA256"] = hashlib.sha256(data).hexdigest()
    elif checksum is not None:
        extra["X-Content-SHA256"] = checksum
    return client.post("/sync/photos", data={"photo": (io.BytesIO(data), filename, content_type)},
                       headers=headers(key, **header_args, **extra), content_type="multipart/form-data")


def place(site, code: str = "CP05") -> Place:
    return db.session.scalar(select(Place).where(Place.site_id == site.id, Place.code == code))


def count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


# ---------------------------------------------------------------- images


def gradient(width: int, height: int, mode: str = "RGB") -> Image.Image:
    """An image with real content (so JPEGs are not trivially small)."""
    image = Image.linear_gradient("L").resize((width, height))
    if mode == "L":
        return image
    return Image.merge("RGB", (image, image.transpose(Image.Transpose.FLIP_LEFT_RIGHT), image.rotate(90)))


def jpeg(width: int = 640, height: int = 480, **save_args) -> bytes:
    out = io.BytesIO()
    gradient(width, height).save(out, "JPEG", quality=90, **save_args)
    return out.getvalue()


def jpeg_with_gps_and_comment() -> bytes:
    """A JPEG carrying GPS coordinates in EXIF and a COM comment (R23)."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "TestPhone"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (31.0, 14.0, 10.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (121.0, 28.0, 3.25)
    return jpeg(800, 600, exif=exif, comment=b"secret-home-address")


def rotated_jpeg() -> bytes:
    """Stored 400x200 (left half red, right half blue) with EXIF orientation 6: shown 200x400, red on top."""
    image = Image.new("RGB", (400, 200), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 200, 200))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95, exif=exif)
    return out.getvalue()


def png(width: int = 300, height: int = 200, alpha: bool = True) -> bytes:
    image = gradient(width, height).convert("RGBA" if alpha else "RGB")
    if alpha:
        image.putalpha(128)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def webp(width: int = 300, height: int = 200) -> bytes:
    out = io.BytesIO()
    gradient(width, height).save(out, "WEBP", quality=80)
    return out.getvalue()


def mpo() -> bytes:
    """A two-frame MPO (3D / multi-picture phone format); frame 1 is red, frame 2 green."""
    first, second = Image.new("RGB", (320, 240), (255, 0, 0)), Image.new("RGB", (320, 240), (0, 255, 0))
    out = io.BytesIO()
    first.save(out, "MPO", save_all=True, append_images=[second])
    return out.getvalue()


def jpeg_bomb(width: int = 30000, height: int = 30000) -> bytes:
    """A tiny valid JPEG whose SOF header claims `width` x `height` (a decompression bomb)."""
    data = bytearray(jpeg(16, 16))
    i = 2
    while i < len(data):
        marker = data[i + 1]
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            data[i + 5:i + 9] = struct.pack(">HH", height, width)
            return bytes(data)
        i += 2 + length
    raise AssertionError("no SOF marker")


def png_bomb(width: int = 30000, height: int = 30000) -> bytes:
    """A tiny PNG whose IHDR claims `width` x `height` (CRC fixed so the header is valid)."""
    data = bytearray(png(8, 8, alpha=False))
    ihdr = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr) & 0xFFFFFFFF)
    return bytes(data)


def flat_png(width: int, height: int, *, alpha: bool = False) -> bytes:
    """A PNG of one colour written row by row: 7000 × 7000 (49 MP) is 143 KB and takes half a second."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    channels, colour_type = (4, 6) if alpha else (3, 2)
    packer = zlib.compressobj(6)
    row = b"\x00" + bytes([90, 140, 200, 255][:channels]) * width
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0))
            + chunk(b"IDAT", idat) + chunk(b"IEND", b""))


def truncated_jpeg() -> bytes:
    data = jpeg(1200, 900)
    return data[: len(data) // 2]


HTML_AS_JPG = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
SVG_AS_JPG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'
PHP_AS_JPG = b"<?php system($_GET['c']); ?>"
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64
