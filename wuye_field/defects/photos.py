"""The photo pipeline: accept only real photos, refuse bombs before decoding, strip metadata, re-encode.

Pure: bytes in, bytes out, no Flask and no database. Raises PhotoRejected with the HTTP status and a
Chinese message the phone shows (RELIABILITY 19–24).
"""
from __future__ import annotations

import io
import logging
import math
import warnings
from dataclasses import dataclass

from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from wuye_field.core.errors import DomainError

log = logging.getLogger(__name__)

# What Pillow itself must recognise (the file name and Content-Type are never trusted).
ACCEPTED_FORMATS = ("JPEG", "MPO", "PNG", "WEBP")
_OPENERS = ("JPEG", "PNG", "WEBP")  # Pillow reaches MPO through its JPEG opener
_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif")
_IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")


class PhotoRejected(DomainError):
    """The upload is not a photo we keep; `status` is 413, 415 or 422."""

    status = 422
    code = "photo_rejected"


@dataclass(frozen=True)
class PhotoLimits:
    max_bytes: int = 15 * 1024 * 1024
    max_pixels: int = 50_000_000
    display_edge: int = 1600
    thumb_edge: int = 320
    quality: int = 82

    @classmethod
    def from_config(cls, config) -> PhotoLimits:
        return cls(config["PHOTO_MAX_BYTES"], config["PHOTO_MAX_PIXELS"], config["PHOTO_DISPLAY_EDGE"],
                   config["PHOTO_THUMB_EDGE"], config["PHOTO_JPEG_QUALITY"])


@dataclass(frozen=True)
class ProcessedPhoto:
    """The re-encoded JPEGs (no EXIF, no comments, upright) and what they came from."""

    display: bytes
    thumb: bytes
    width: int
    height: int
    format_in: str


def too_large(limits: PhotoLimits) -> PhotoRejected:
    return PhotoRejected(_("照片太大（最大 %(mb)d MB），请重拍或在手机上压缩后上传。",
                           mb=limits.max_bytes // (1024 * 1024)), status=413, code="too_large")


def too_many_pixels(limits: PhotoLimits) -> PhotoRejected:
    return PhotoRejected(_("照片像素过大（最多 %(mp)d 百万像素），请缩小后重拍。", mp=limits.max_pixels // 1_000_000),
                         status=413, code="too_many_pixels")


def damaged() -> PhotoRejected:
    return PhotoRejected(_("照片已损坏，请重拍"), status=422, code="damaged")


def not_a_photo() -> PhotoRejected:
    return PhotoRejected(_("不是照片文件（请上传 JPEG 照片）"), status=415, code="not_image")


def is_heif(data: bytes) -> bool:
    """True for HEIC/HEIF/AVIF (an ISO-BMFF `ftyp` box with an image brand) — only to name it in the message."""
    return len(data) >= 12 and data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS


def process_photo(data: bytes, limits: PhotoLimits = PhotoLimits()) -> ProcessedPhoto:
    """Check and re-encode an uploaded photo.

    Order matters: byte size, then what Pillow says the file is, then the pixel count from the header —
    all before a single pixel is decoded, so a 30 000 × 30 000 header costs nothing (RELIABILITY 20).
    Then decode (JPEG at a reduced scale when it is big), apply the EXIF orientation, drop every piece
    of metadata, flatten to RGB on white and write a display JPEG and a thumbnail.

    Raises PhotoRejected: 413 too large / too many pixels, 415 not a photo / HEIC, 422 damaged.
    """
    if len(data) > limits.max_bytes:
        raise too_large(limits)
    if is_heif(data):
        raise PhotoRejected(_("不支持 HEIC 格式的照片，请在应用内拍照，或把相机格式改为「兼容性最佳」（JPEG）。"),
                            status=415, code="heic")
    image = _open(data, limits)
    with image:
        width, height = image.size
        if width * height > limits.max_pixels:
            raise too_many_pixels(limits)
        try:
            rgb = _decode_upright_rgb(image, limits)
        except PhotoRejected:
            raise
        except Exception as exc:  # Pillow reports bad data with many exception types
            log.info("damaged photo: %s", exc)
            raise damaged() from exc
        display = rgb  # our own decoded copy (or the decoded file image itself): resized in place
        display.thumbnail((limits.display_edge, limits.display_edge), Image.Resampling.LANCZOS)
        thumb = display.copy()
        thumb.thumbnail((limits.thumb_edge, limits.thumb_edge), Image.Resampling.LANCZOS)
        return ProcessedPhoto(display=_jpeg(display, limits.quality), thumb=_jpeg(thumb, limits.quality),
                              width=display.width, height=display.height, format_in=image.format or "?")


def _open(data: bytes, limits: PhotoLimits) -> Image.Image:
    """Let Pillow identify the file (header only); map every failure to the right refusal."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=_OPENERS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise too_many_pixels(limits) from exc
    except UnidentifiedImageError as exc:
        # A JPEG/PNG signature Pillow cannot read is a damaged photo; anything else is not a photo.
        raise (damaged() if data.startswith(_IMAGE_MAGIC) else not_a_photo()) from exc
    except Exception as exc:
        raise (damaged() if data.startswith(_IMAGE_MAGIC) else not_a_photo()) from exc
    if image.format not in ACCEPTED_FORMATS:
        image.close()
        raise not_a_photo()
    return image


def _decode_upright_rgb(image: Image.Image, limits: PhotoLimits) -> Image.Image:
    """First frame (MPO), decoded; EXIF orientation applied; RGB with transparency on white.

    Works on as few full-size copies as possible: a 12 MP photo should not cost 150 MB.
    """
    if image.format in ("JPEG", "MPO"):
        # Decode a big JPEG at 1/2, 1/4 or 1/8 scale straight away, keeping its long edge ≥ the display edge.
        width, height = image.size
        ratio = limits.display_edge / max(width, height)
        image.draft("RGB", (max(1, math.ceil(width * ratio)), max(1, math.ceil(height * ratio))))
    image.load()
    upright = ImageOps.exif_transpose(image, in_place=False) if _orientation(image) > 1 else image
    if upright.mode in ("RGBA", "LA", "PA") or (upright.mode == "P" and "transparency" in upright.info):
        rgba = upright.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return upright if upright.mode == "RGB" else upright.convert("RGB")


def _orientation(image: Image.Image) -> int:
    try:
        return int(image.getexif().get(0x0112, 1) or 1)
    except (TypeError, ValueError):
        return 1


def _jpeg(image: Image.Image, quality: int) -> bytes:
    """A baseline-compatible JPEG with no EXIF, XMP, ICC or comment (all of `info` is dropped)."""
    image.info.clear()
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue()
