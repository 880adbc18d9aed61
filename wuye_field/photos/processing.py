"""The photo pipeline: accept only real photos, refuse bombs before decoding, strip metadata, re-encode.

Pure: bytes in, bytes out, no Flask and no database. Raises PhotoRejected with the HTTP status and a
Chinese message the phone shows (R19–R24).

The decode budget (issue 20): what a photo costs is known from its header before a pixel is decoded —
the pixel count, and the peak memory processing it will take at the scale it will be decoded at (a JPEG
at 1/2, 1/4 or 1/8 through draft(); PNG and WebP in full: `decode_cost`). A photo over either limit is
refused at once. Decodes that pass run through DecodeSlots, a per-process bound on how many run at once.
"""
from __future__ import annotations

import io
import logging
import math
import threading
import warnings
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass

from flask_babel import gettext as _
from PIL import Image, UnidentifiedImageError

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


class DecodersBusy(DomainError):
    """Every decode slot stayed taken for the whole wait: 503, the phone keeps the photo and retries."""

    status = 503
    code = "busy"


@dataclass(frozen=True)
class PhotoLimits:
    max_bytes: int = 15 * 1024 * 1024
    max_pixels: int = 50_000_000
    display_edge: int = 1600
    thumb_edge: int = 320
    quality: int = 82
    # The peak memory one decode may take, estimated from the header (decode_cost): 96 MiB is a 14.6 MP
    # RGB PNG, an 8.8 MP RGBA PNG, a 5.5 MP WebP; a JPEG counts at the scale it decodes at (50 MP → 1/4).
    decode_budget_bytes: int = 96 * 1024 * 1024

    @classmethod
    def from_config(cls, config) -> PhotoLimits:
        return cls(max_bytes=config["PHOTO_MAX_BYTES"], max_pixels=config["PHOTO_MAX_PIXELS"],
                   display_edge=config["PHOTO_DISPLAY_EDGE"], thumb_edge=config["PHOTO_THUMB_EDGE"],
                   quality=config["PHOTO_JPEG_QUALITY"], decode_budget_bytes=config["PHOTO_DECODE_BUDGET_BYTES"])


class DecodeSlots:
    """At most `size` photo decodes at a time in this process; a decode waits up to `wait_seconds` for a
    slot, then DecodersBusy (503) sends the phone away to retry later."""

    def __init__(self, size: int, wait_seconds: float = 30.0):
        if size < 1:
            raise ValueError("at least one decode slot")
        self.size = size
        self.wait_seconds = wait_seconds
        self._slots = threading.BoundedSemaphore(size)

    @contextmanager
    def slot(self) -> Iterator[None]:
        if not self._slots.acquire(timeout=self.wait_seconds):
            raise DecodersBusy(_("服务器正忙，照片仍保存在手机上，稍后会自动重新上传。"))
        try:
            yield
        finally:
            self._slots.release()


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


def over_budget(limits: PhotoLimits, bytes_per_pixel: int) -> PhotoRejected:
    """The decoded bitmap would be over the budget: the limit named in megapixels of this kind of image."""
    mp = max(1, (limits.decode_budget_bytes - FIXED_COST) // bytes_per_pixel // 1_000_000)
    return PhotoRejected(_("照片像素过大（最多 %(mp)d 百万像素），请缩小后重拍。", mp=mp),
                         status=413, code="too_many_pixels")


def damaged() -> PhotoRejected:
    return PhotoRejected(_("照片已损坏，请重拍"), status=422, code="damaged")


def not_a_photo() -> PhotoRejected:
    return PhotoRejected(_("不是照片文件（请上传 JPEG 照片）"), status=415, code="not_image")


def is_heif(data: bytes) -> bool:
    """True for HEIC/HEIF/AVIF (an ISO-BMFF `ftyp` box with an image brand) — only to name it in the message."""
    return len(data) >= 12 and data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS


# Bytes a pixel takes in Pillow's memory, by mode; every other mode (RGB, RGBA, CMYK, LA, I, F…) takes 4.
_PIXEL_BYTES = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16B": 2, "I;16L": 2, "I;16N": 2}
_RESIZABLE = ("RGB", "RGBA", "L")  # modes resized as they are; others are converted once at full size
_WORKING_BYTES = 2  # per pixel: the reduce()/resize output (measured: bench/photos.py)
_WEBP_BYTES = 16  # libwebp's canvas (made when the file is opened), the frame's bytes, the bitmap, the resize
FIXED_COST = 12 * 1024 * 1024  # whatever the size: codec and encoder buffers, the display and thumbnail copies


def bytes_per_pixel(fmt: str | None, mode: str, *, alpha: bool = False) -> int:
    """The peak memory one full-size pixel costs while a photo of format `fmt` in `mode` is processed.

    The decoded pixel, plus each full-size copy the pipeline makes: an RGB(A) conversion for modes that
    cannot be resized as they are, and the premultiplied copy Pillow resizes RGBA through; plus working
    memory. Checked against measurements in tests/photos/test_decode_budget.py and bench/photos.py.
    """
    if fmt == "WEBP":
        return _WEBP_BYTES
    cost = _PIXEL_BYTES.get(mode, 4) + _WORKING_BYTES
    if mode not in ("RGB", "L"):
        cost += 4  # converted to RGB(A), or RGBA premultiplied for the resize
    if alpha and mode != "RGBA":
        cost += 4  # converted to RGBA, then premultiplied too
    return cost


def decode_cost(image: Image.Image) -> int:
    """Peak bytes processing `image` will take at its current (draft) size — from the header only."""
    width, height = image.size
    return FIXED_COST + width * height * bytes_per_pixel(image.format, image.mode, alpha=_has_alpha(image))


def webp_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a WebP file's first chunk header, None when it is not a WebP or unreadable.

    Needed before Image.open: Pillow's WebP opener allocates the whole canvas when it opens the file.
    """
    if len(data) < 30 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        return None
    chunk = data[12:16]
    if chunk == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":
        return int.from_bytes(data[26:28], "little") & 0x3FFF, int.from_bytes(data[28:30], "little") & 0x3FFF
    if chunk == b"VP8X":
        return int.from_bytes(data[24:27], "little") + 1, int.from_bytes(data[27:30], "little") + 1
    if chunk == b"VP8L" and data[20] == 0x2F:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None


def _check_webp_header(data: bytes, limits: PhotoLimits) -> None:
    """Refuse an expensive WebP from its header, before Pillow opens it (and allocates its canvas)."""
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        return
    size = webp_size(data)
    if size is None:
        raise damaged()
    pixels = size[0] * size[1]
    if pixels > limits.max_pixels:
        raise too_many_pixels(limits)
    if FIXED_COST + pixels * _WEBP_BYTES > limits.decode_budget_bytes:
        raise over_budget(limits, _WEBP_BYTES)


def process_photo(data: bytes, limits: PhotoLimits = PhotoLimits(),
                  slots: DecodeSlots | None = None) -> ProcessedPhoto:
    """Check and re-encode an uploaded photo.

    Order matters: byte size, then what Pillow says the file is, then the pixel count from the header,
    then the decoded size at the scale it will be decoded (the decode budget) — all before a single pixel
    is decoded, so a 30 000 × 30 000 header or a 49 MP PNG of one colour costs a few milliseconds
    (R20, R21). Then, holding one of `slots` (none: unbounded), decode (JPEG at a reduced
    scale), shrink to the display size, apply the EXIF orientation, flatten to RGB on white, drop every
    piece of metadata and write a display JPEG and a thumbnail.

    Raises PhotoRejected: 413 too large / too many pixels, 415 not a photo / HEIC, 422 damaged;
    DecodersBusy (503) when no decode slot freed up in time.
    """
    if len(data) > limits.max_bytes:
        raise too_large(limits)
    if is_heif(data):
        raise PhotoRejected(_("不支持 HEIC 格式的照片，请在应用内拍照，或把相机格式改为「兼容性最佳」（JPEG）。"),
                            status=415, code="heic")
    _check_webp_header(data, limits)
    image = _open(data, limits)
    with image:
        width, height = image.size
        if width * height > limits.max_pixels:
            raise too_many_pixels(limits)
        _draft(image, limits)
        if decode_cost(image) > limits.decode_budget_bytes:
            raise over_budget(limits, bytes_per_pixel(image.format, image.mode, alpha=_has_alpha(image)))
        gate: AbstractContextManager = slots.slot() if slots is not None else nullcontext()
        with gate:
            display, thumb = _decode_display_and_thumb(image, limits)
            return ProcessedPhoto(display=_jpeg(display, limits.quality), thumb=_jpeg(thumb, limits.quality),
                                  width=display.width, height=display.height, format_in=image.format or "?")


def _decode_display_and_thumb(image: Image.Image, limits: PhotoLimits) -> tuple[Image.Image, Image.Image]:
    """Decode, shrink to the display edge, then the thumbnail; PhotoRejected 422 for undecodable data."""
    try:
        display = _decode_upright_rgb(image, limits)
    except PhotoRejected:
        raise
    except Exception as exc:  # Pillow reports bad data with many exception types
        log.info("damaged photo: %s", exc)
        raise damaged() from exc
    thumb = display.copy()
    thumb.thumbnail((limits.thumb_edge, limits.thumb_edge), Image.Resampling.LANCZOS)
    return display, thumb


def _draft(image: Image.Image, limits: PhotoLimits) -> None:
    """Ask a big JPEG to decode at 1/2, 1/4 or 1/8 scale, keeping its long edge ≥ the display edge.

    Only configures the decoder: `image.size` becomes the size it will decode to; nothing is decoded.
    """
    if image.format in ("JPEG", "MPO"):
        width, height = image.size
        ratio = limits.display_edge / max(width, height)
        if ratio < 1:
            try:
                image.draft("RGB", (max(1, math.ceil(width * ratio)), max(1, math.ceil(height * ratio))))
            except Exception as exc:  # a header Pillow could open but not scale
                raise damaged() from exc


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
    """First frame (MPO), decoded (at its draft scale) and shrunk to the display edge; EXIF orientation
    applied; RGB with transparency on white — a new image.

    Only the decoded bitmap (and, for palette, CMYK or 16-bit images, one converted copy) is full size:
    the shrink comes first (reduce() by whole factors, then a Lanczos resize), so turning and flattening
    work on display-sized copies.
    """
    image.load()
    orientation = _orientation(image)
    source = image if image.mode in _RESIZABLE else image.convert("RGBA" if _has_alpha(image) else "RGB")
    small = _shrunk(source, limits.display_edge)
    if orientation in _TRANSPOSE:
        small = small.transpose(_TRANSPOSE[orientation])
    if small.mode == "RGBA":
        flat = Image.new("RGB", small.size, (255, 255, 255))
        flat.paste(small, mask=small.getchannel("A"))
        return flat
    return small if small.mode == "RGB" else small.convert("RGB")


# EXIF orientation → the transposition that makes the image upright (as ImageOps.exif_transpose does).
_TRANSPOSE = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
              5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
              8: Image.Transpose.ROTATE_90}


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in image.info


def _shrunk(image: Image.Image, edge: int) -> Image.Image:
    """`image` fitted into edge × edge (never enlarged) as a new image; reduce() first when it is big."""
    width, height = image.size
    scale = edge / max(width, height)
    if scale >= 1:
        return image.copy()
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=2.0)


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
