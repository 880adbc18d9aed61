"""The photo pipeline on real images made with Pillow: what is accepted, what is refused, what is kept."""
from __future__ import annotations

import io
import time

import pytest
from PIL import Image

from tests.photos.peak import measure
from tests.sync import helpers
from wuye_field.photos.processing import PhotoLimits, PhotoRejected, process_photo

LIMITS = PhotoLimits()


def _open(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def _refusal(data: bytes, limits: PhotoLimits = LIMITS) -> PhotoRejected:
    with pytest.raises(PhotoRejected) as caught:
        process_photo(data, limits)
    return caught.value


def test_jpeg_is_reencoded_to_display_and_thumbnail_sizes():
    result = process_photo(helpers.jpeg(4000, 3000))
    display, thumb = _open(result.display), _open(result.thumb)
    assert display.format == "JPEG" and display.size == (1600, 1200)
    assert (result.width, result.height) == (1600, 1200)
    assert thumb.size == (320, 240)
    assert result.format_in == "JPEG"


def test_small_photo_is_not_enlarged():
    result = process_photo(helpers.jpeg(640, 480))
    assert _open(result.display).size == (640, 480)


def test_gps_exif_and_comment_are_stripped():
    """R23: the stored file has no EXIF (GPS included) and no COM comment."""
    original = helpers.jpeg_with_gps_and_comment()
    source = _open(original)
    assert source.getexif().get_ifd(0x8825) and source.info.get("comment") == b"secret-home-address"
    result = process_photo(original)
    for data in (result.display, result.thumb):
        image = _open(data)
        assert not image.getexif()
        assert "comment" not in image.info and "exif" not in image.info
        assert b"secret-home-address" not in data and b"TestPhone" not in data and b"Exif" not in data


def test_exif_orientation_is_applied():
    """R23: a photo stored sideways with orientation 6 comes out upright (red half on top)."""
    result = process_photo(helpers.rotated_jpeg())
    image = _open(result.display).convert("RGB")
    assert image.size == (200, 400)
    top, bottom = image.getpixel((100, 50)), image.getpixel((100, 350))
    assert top[0] > 200 and top[2] < 60
    assert bottom[2] > 200 and bottom[0] < 60
    assert not image.getexif()  # no orientation left to apply twice


def test_png_with_transparency_becomes_jpeg_on_white():
    """R24: PNG from another phone is accepted and re-encoded as JPEG."""
    result = process_photo(helpers.png(300, 200, alpha=True))
    image = _open(result.display)
    assert image.format == "JPEG" and image.mode == "RGB" and result.format_in == "PNG"


def test_webp_is_accepted():
    assert process_photo(helpers.webp()).format_in == "WEBP"


def test_mpo_keeps_its_first_frame():
    """R24: MPO (multi-picture JPEG) is accepted as its first frame."""
    data = helpers.mpo()
    if Image.open(io.BytesIO(data)).format != "MPO":
        pytest.skip("this Pillow does not write MPO")
    result = process_photo(data)
    assert result.format_in == "MPO"
    red, green, blue = _open(result.display).getpixel((10, 10))
    assert red > 200 and green < 60


@pytest.mark.parametrize("data", [helpers.HTML_AS_JPG, helpers.SVG_AS_JPG, helpers.PHP_AS_JPG, b"",
                                  b"GIF89a" + b"\x00" * 40], ids=["html", "svg", "php", "empty", "gif-header"])
def test_not_a_photo_is_415(data):
    """R19: whatever the file name says, Pillow decides; HTML/SVG/PHP are refused."""
    error = _refusal(data)
    assert error.status == 415 and error.code == "not_image"
    assert error.message == "不是照片文件（请上传 JPEG 照片）"


def test_gif_and_bmp_are_not_accepted_formats():
    for fmt in ("GIF", "BMP", "TIFF"):
        out = io.BytesIO()
        helpers.gradient(40, 40).save(out, fmt)
        assert _refusal(out.getvalue()).status == 415, fmt


def test_heic_is_refused_with_a_clear_message():
    """R24: a HEIC that reached the server is refused and the message says what to do."""
    error = _refusal(helpers.HEIC)
    assert error.status == 415 and error.code == "heic"
    assert "HEIC" in error.message


def test_truncated_jpeg_is_damaged():
    """R22: a truncated JPEG → 422 「照片已损坏，请重拍」."""
    error = _refusal(helpers.truncated_jpeg())
    assert error.status == 422 and error.code == "damaged"
    assert error.message == "照片已损坏，请重拍"


def test_jpeg_cut_inside_its_header_is_damaged():
    error = _refusal(helpers.jpeg(200, 200)[:40])
    assert error.status == 422


def test_over_15_mb_is_413():
    error = _refusal(b"\xff\xd8\xff" + b"\x00" * (LIMITS.max_bytes + 1))
    assert error.status == 413 and error.code == "too_large"


def _peak_growth_mb(data: bytes, tmp_path) -> tuple[str, int]:
    """(outcome, growth of the process's peak RSS in MB) for process_photo(data), in a fresh interpreter."""
    result = measure(data, tmp_path)
    return result["outcome"], result["peak"] // (1024 * 1024)


@pytest.mark.parametrize("make", [helpers.jpeg_bomb, helpers.png_bomb], ids=["jpeg", "png"])
def test_decompression_bomb_is_refused_before_decoding(make):
    """R20: a tiny file with a 30 000 × 30 000 header → 413 at once, without allocating pixels."""
    data = make()
    assert len(data) < 2000
    started = time.perf_counter()
    error = _refusal(data)
    assert time.perf_counter() - started < 1.0
    assert error.status == 413 and error.code == "too_many_pixels"
    assert "照片像素过大" in error.message


def test_bomb_keeps_worker_memory_flat(tmp_path):
    """R20: refusing the bomb grows the process's peak memory by (almost) nothing (2.7 GB if decoded)."""
    outcome, growth = _peak_growth_mb(helpers.jpeg_bomb(), tmp_path)
    assert outcome == "too_many_pixels" and growth < 10


@pytest.mark.parametrize("make", [helpers.jpeg_bomb, helpers.png_bomb], ids=["jpeg", "png"])
def test_header_over_our_limit_but_under_pillows_is_refused_too(make):
    """R21: 8000 × 7000 = 56 MP (e.g. a 200 MP photo scaled badly) → 413 with the limit named."""
    error = _refusal(make(8000, 7000))
    assert error.status == 413 and "50" in error.message


def test_large_real_photo_is_decoded_at_reduced_scale(tmp_path):
    """R21: a real 24 MP JPEG goes through; draft mode decodes it at 1/2 scale (a full decode
    alone would allocate 92 MB: Pillow keeps RGB at 4 bytes a pixel; at 1/2 the whole run peaks near 42)."""
    data = helpers.jpeg(6000, 4000)
    assert _open(process_photo(data).display).size == (1600, 1067)
    outcome, growth = _peak_growth_mb(data, tmp_path)
    assert outcome == "ok" and growth < 60
