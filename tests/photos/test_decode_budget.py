"""The decode budget (issue 20, finding 7): an image whose processing would cost more memory than a small
server can give 4 uploads at once is refused from its header, in milliseconds; what is accepted stays
within the budget; and a process never decodes more photos at once than its decode slots."""
from __future__ import annotations

import io
import math
import threading
import time

import pytest
from PIL import Image, ImageFile

from tests.photos.peak import measure
from tests.sync import helpers
from tests.sync.helpers import count, flat_png, new_key, post_photo
from wuye_field.photos import processing as photos
from wuye_field.photos.models import Photo
from wuye_field.photos.processing import DecodersBusy, DecodeSlots, PhotoLimits, PhotoRejected, process_photo
from wuye_field.photos.storage import photo_decode_slots
from wuye_field.extensions import db
from wuye_field.sync.models import IdempotencyKey

LIMITS = PhotoLimits()
MESSAGE_49MP = "照片像素过大（最多 14 百万像素），请缩小后重拍。"


@pytest.fixture(scope="module")
def png_49mp() -> bytes:
    return flat_png(7000, 7000)


def largest_square(fmt: str, mode: str, *, alpha: bool = False) -> int:
    room = LIMITS.decode_budget_bytes - photos.FIXED_COST
    return math.isqrt(room // photos.bytes_per_pixel(fmt, mode, alpha=alpha))


def _webp(side: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (side, side), (90, 140, 200)).save(out, "WEBP", quality=80)
    return out.getvalue()


@pytest.fixture
def no_decoding(monkeypatch):
    """Any pixel decode fails the test."""
    def load(self, *args, **kwargs):
        raise AssertionError(f"decoded {self.format} {self.size}")

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)


# ---------------------------------------------------------------- refused before decoding


def test_49_megapixel_png_of_one_colour_is_refused_in_milliseconds(png_49mp, no_decoding):
    """The red team's image: 143 KB, 49 MP (under the 50 MP header limit), 230 MB and seconds of CPU to
    decode. Refused from its header: no pixel decoded, a few milliseconds."""
    assert len(png_49mp) < 200_000
    started, cpu = time.perf_counter(), time.thread_time()
    with pytest.raises(PhotoRejected) as caught:
        process_photo(png_49mp, LIMITS)
    elapsed, cpu = time.perf_counter() - started, time.thread_time() - cpu
    assert cpu < 0.02 and elapsed < 1.0, f"{cpu * 1000:.1f} ms CPU, {elapsed * 1000:.1f} ms"  # decoding: ~1 s CPU
    error = caught.value
    assert error.status == 413 and error.code == "too_many_pixels"
    assert error.message == MESSAGE_49MP


def test_49_megapixel_png_costs_no_memory(png_49mp, tmp_path):
    result = measure(png_49mp, tmp_path)
    assert result["outcome"] == "too_many_pixels"
    assert result["peak"] < 4 * 1024 * 1024, result  # decoded it would be ~290 MB


def test_big_webp_is_refused_before_pillow_opens_it(monkeypatch):
    """Pillow's WebP opener allocates the whole canvas: the header is read before Image.open."""
    data = _webp(4096)
    assert photos.webp_size(data) == (4096, 4096)
    monkeypatch.setattr(Image, "open", lambda *a, **k: pytest.fail("Image.open called"))
    with pytest.raises(PhotoRejected) as caught:
        process_photo(data, LIMITS)
    assert caught.value.status == 413 and "最多 5 百万像素" in caught.value.message


@pytest.mark.parametrize(("fmt", "mode", "alpha", "make"), [
    ("PNG", "RGB", False, flat_png),
    ("PNG", "RGBA", True, lambda w, h: flat_png(w, h, alpha=True)),
    ("WEBP", "RGB", False, lambda w, h: _webp(w)),
], ids=["rgb-png", "rgba-png", "webp"])
def test_the_largest_accepted_size_works_and_one_pixel_more_is_refused(fmt, mode, alpha, make):
    side = largest_square(fmt, mode, alpha=alpha)
    result = process_photo(make(side, side), LIMITS)
    assert (result.width, result.height) == (1600, 1600) and result.format_in == fmt
    with pytest.raises(PhotoRejected) as caught:
        process_photo(make(side + 1, side + 1), LIMITS)
    assert caught.value.code == "too_many_pixels"


def test_worst_accepted_image_stays_within_the_budget(tmp_path):
    """The estimate is honest: the largest accepted RGB PNG really peaks under the 96 MiB budget (and
    uses most of it: the estimate is not wildly cautious either)."""
    side = largest_square("PNG", "RGB")
    result = measure(flat_png(side, side), tmp_path)
    assert result["outcome"] == "ok"
    assert 0.6 * LIMITS.decode_budget_bytes < result["peak"] <= LIMITS.decode_budget_bytes, result


def test_a_50_megapixel_jpeg_is_still_accepted_at_reduced_scale():
    """A JPEG is counted at the scale it decodes at: 50 MP decodes at 1/4, well inside the budget."""
    data = helpers.jpeg(8660, 5773)
    image = Image.open(io.BytesIO(data))
    photos._draft(image, LIMITS)
    assert image.size == (2165, 1444) and photos.decode_cost(image) < LIMITS.decode_budget_bytes / 2
    assert process_photo(data, LIMITS).width == 1600


def test_the_budget_comes_from_the_configuration():
    limits = PhotoLimits.from_config({"PHOTO_MAX_BYTES": 1, "PHOTO_MAX_PIXELS": 2, "PHOTO_DISPLAY_EDGE": 3,
                                      "PHOTO_THUMB_EDGE": 4, "PHOTO_JPEG_QUALITY": 5,
                                      "PHOTO_DECODE_BUDGET_BYTES": 6})
    assert limits == PhotoLimits(1, 2, 3, 4, 5, 6)
    small = PhotoLimits(decode_budget_bytes=photos.FIXED_COST + 1000 * 1000 * 6)
    with pytest.raises(PhotoRejected):
        process_photo(flat_png(1001, 1000), small)
    assert process_photo(flat_png(1000, 1000), small).width == 1000


# ---------------------------------------------------------------- over HTTP


def test_upload_of_the_49mp_png_is_413_in_chinese_logged_and_stores_nothing(guard, png_49mp, capsys):
    capsys.readouterr()
    response = post_photo(guard, png_49mp, filename="plan.png", content_type="image/png")
    assert response.status_code == 413
    assert response.get_json() == {"error": "too_many_pixels", "message": MESSAGE_49MP}
    assert count(Photo) == 0 and count(IdempotencyKey) == 0
    line = next(line for line in capsys.readouterr().out.splitlines() if "upload_refused" in line)
    assert "WARNING wuye_field.security" in line and "code='too_many_pixels'" in line
    assert f"bytes={len(png_49mp)}" in line


# ---------------------------------------------------------------- bounded concurrent decodes


class _Counting:
    """Wraps the decode step: counts how many run at once, each taking `hold` seconds."""

    def __init__(self, real, hold: float = 0.15):
        self.real, self.hold = real, hold
        self.running = self.most = self.calls = 0
        self.lock = threading.Lock()

    def __call__(self, image, limits):
        with self.lock:
            self.running += 1
            self.calls += 1
            self.most = max(self.most, self.running)
        try:
            time.sleep(self.hold)
            return self.real(image, limits)
        finally:
            with self.lock:
                self.running -= 1


def _burst(n: int, target) -> list:
    barrier, results, errors = threading.Barrier(n), [None] * n, []

    def run(i):
        try:
            barrier.wait(timeout=10)
            results[i] = target(i)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    return results


def test_a_burst_of_8_decodes_runs_at_most_the_slots_at_once(app, monkeypatch):
    counting = _Counting(photos._decode_display_and_thumb)
    monkeypatch.setattr(photos, "_decode_display_and_thumb", counting)
    slots = DecodeSlots(2)
    data = [helpers.jpeg(800 + i, 600) for i in range(8)]
    results = _burst(8, lambda i: process_photo(data[i], LIMITS, slots))
    assert counting.calls == 8 and all(r.width == 800 + i for i, r in enumerate(results))
    assert counting.most == 2  # the bound, and reached: without it all 8 overlap (next test)


def test_without_slots_the_same_burst_overlaps(app, monkeypatch):
    counting = _Counting(photos._decode_display_and_thumb)
    monkeypatch.setattr(photos, "_decode_display_and_thumb", counting)
    _burst(8, lambda i: process_photo(helpers.jpeg(640, 480), LIMITS))
    assert counting.most > 2


def test_a_burst_of_8_uploads_never_decodes_more_than_the_configured_slots(make_app, demo, monkeypatch):
    """8 phones upload at once to one worker process: at most PHOTO_DECODE_SLOTS decode at a time, all stored."""
    application = make_app(PHOTO_DECODE_SLOTS=2)
    counting = _Counting(photos._decode_display_and_thumb)
    monkeypatch.setattr(photos, "_decode_display_and_thumb", counting)
    with application.app_context():
        clients = []
        for _ in range(8):
            client = application.test_client()
            assert client.post("/login", data={"username": "guard01", "password": "wuye-demo"}).status_code == 302
            clients.append(client)
        db.session.commit()
        assert photo_decode_slots().size == 2 and photo_decode_slots() is photo_decode_slots()
        responses = _burst(8, lambda i: post_photo(clients[i], helpers.jpeg(700 + i, 500)))
        assert [r.status_code for r in responses] == [201] * 8
        assert counting.calls == 8 and 1 <= counting.most <= 2
        assert count(Photo) == 8


def test_no_free_slot_in_time_is_503_and_the_phone_retries(make_app, demo):
    application = make_app(PHOTO_DECODE_SLOTS=1, PHOTO_DECODE_WAIT_SECONDS=0.05)
    with application.app_context():
        client = application.test_client()
        assert client.post("/login", data={"username": "guard01", "password": "wuye-demo"}).status_code == 302
        db.session.commit()
        key, data = new_key(), helpers.jpeg()
        with photo_decode_slots().slot():  # another upload is decoding
            busy = post_photo(client, data, key)
        assert busy.status_code == 503
        assert busy.get_json() == {"error": "busy", "message": "服务器正忙，照片仍保存在手机上，稍后会自动重新上传。"}
        assert count(Photo) == 0 and count(IdempotencyKey) == 0
        assert post_photo(client, data, key).status_code == 201


def test_slots_time_out_with_decoders_busy():
    slots = DecodeSlots(1, wait_seconds=0.01)
    with slots.slot(), pytest.raises(DecodersBusy), slots.slot():
        pass
    with slots.slot():  # released again
        pass
