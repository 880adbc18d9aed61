"""The photo decode budget: time and peak memory of the photo pipeline, as ratios to a phone photo.

    .venv/bin/python bench/photos.py            # every case, 3 runs each
    .venv/bin/python bench/photos.py --runs 1 --no-burst

Each case is one image made with Pillow, processed by `process_photo` (the code behind
`POST /sync/photos`) in a fresh interpreter that has already imported everything, so the growth of its
peak RSS (ru_maxrss) is what processing that one image cost — Pillow allocates pixels in C, where
tracemalloc cannot see. Printed per case: the outcome (ok, or the refusal code), the budget's estimate
from the header (`decode_cost`), the measured peak growth, wall and CPU time (median of the runs), and
the ratios of time and memory to the baseline, a 1600 × 1200 phone JPEG (what the phone uploads after
shrinking) measured in the same run.

The cases: the baseline; an unshrunk 12 MP and the largest accepted 50 MP phone JPEG; the worst
accepted image of each costly kind, at the edge of the budget (RGB PNG, RGBA PNG, palette PNG with
transparency, WebP); and what must be refused in milliseconds: the 49 MP PNG of one colour (143 KB),
a 30 000 × 30 000 JPEG header, a 16 MP WebP. Then a burst: 8 uploads of the worst accepted PNG at
once in one process, with the decode slots of the configuration (2) and unbounded (8), reporting the
process's peak memory and the most decodes seen running at the same time.
"""
from __future__ import annotations

import argparse
import io
import json
import math
import statistics
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

MB = 1024 * 1024

# Peak memory on Linux: /proc/self/clear_refs "5" resets the high-water mark (VmHWM) to the current RSS,
# so the growth measured is this image's alone (ru_maxrss would keep the parent's peak across fork+exec).
_PEAK_HELPERS = r"""
def _status(field):
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024

def reset_peak():
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")
    return _status("VmRSS")

def peak():
    return _status("VmHWM")
"""

_CHILD = r"""
import json, sys, time
sys.path.insert(0, sys.argv[2])
from flask import Flask
from PIL import Image
PEAK_HELPERS
from wuye_field.photos import processing as photos
from wuye_field.extensions import babel
app = Flask("bench"); babel.init_app(app)
data = open(sys.argv[1], "rb").read()
with app.app_context():
    photos.process_photo(open(sys.argv[3], "rb").read())  # warm up: imports, codecs, translations
    estimate = None
    size = photos.webp_size(data)
    if size:
        estimate = photos.FIXED_COST + size[0] * size[1] * photos.bytes_per_pixel("WEBP", "RGB")
    else:
        try:
            image = Image.open(__import__("io").BytesIO(data))
            photos._draft(image, photos.PhotoLimits())
            estimate = photos.decode_cost(image)
        except Exception:
            pass
    before = reset_peak()
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        photos.process_photo(data); outcome = "ok"
    except photos.PhotoRejected as error:
        outcome = error.code
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    after = peak()
print(json.dumps({"outcome": outcome, "peak": after - before, "wall": wall, "cpu": cpu,
                  "estimate": estimate}))
"""

_BURST = r"""
import json, sys, threading, time
sys.path.insert(0, sys.argv[2])
PEAK_HELPERS
from flask import Flask
from wuye_field.photos import processing as photos
from wuye_field.extensions import babel
app = Flask("bench"); babel.init_app(app)
data = open(sys.argv[1], "rb").read()
slots = photos.DecodeSlots(int(sys.argv[3]), wait_seconds=600)
running, most, lock = 0, 0, threading.Lock()
real = photos._decode_display_and_thumb

def counted(image, limits):
    global running, most
    with lock:
        running += 1; most = max(most, running)
    try:
        return real(image, limits)
    finally:
        with lock:
            running -= 1

photos._decode_display_and_thumb = counted
with app.app_context():
    photos.process_photo(open(sys.argv[4], "rb").read())
before = reset_peak()

def upload():
    with app.app_context():
        photos.process_photo(data, slots=slots)

started = time.perf_counter()
threads = [threading.Thread(target=upload) for _ in range(8)]
for t in threads: t.start()
for t in threads: t.join()
after = peak()
print(json.dumps({"peak": after - before, "wall": time.perf_counter() - started, "most": most}))
"""


# ---------------------------------------------------------------- images


def _save(image: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def photo_like(width: int, height: int) -> Image.Image:
    """Gradients and smoothed noise: compresses like a photo (a 16 MP PNG is 13 MB), not like a flat colour."""
    base = Image.linear_gradient("L").resize((width, height))
    noise = Image.effect_noise((max(1, width // 8), max(1, height // 8)), 60).resize((width, height),
                                                                                   Image.Resampling.BILINEAR)
    return Image.merge("RGB", (base, noise, base.rotate(90)))


def flat_png(width: int, height: int) -> bytes:
    """A PNG of one colour, written row by row (the 49 MP one is 143 KB and costs 0.5 s to make)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    packer = zlib.compressobj(9)
    row = bytes(1 + 3 * width)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", idat) + chunk(b"IEND", b""))


def jpeg_bomb(width: int = 30000, height: int = 30000) -> bytes:
    data = bytearray(_save(Image.new("RGB", (16, 16)), "JPEG"))
    i = 2
    while i < len(data):
        marker, length = data[i + 1], struct.unpack(">H", data[i + 2:i + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            data[i + 5:i + 9] = struct.pack(">HH", height, width)
            return bytes(data)
        i += 2 + length
    raise AssertionError("no SOF marker")


def palette_with_transparency(width: int, height: int) -> bytes:
    image = photo_like(width, height).quantize(64)
    image.info["transparency"] = 0
    return _save(image, "PNG", transparency=0)


def largest_square(fmt: str, mode: str, *, alpha: bool = False) -> int:
    """The longest side of a square image of this kind the default decode budget accepts."""
    from wuye_field.photos import processing as photos

    room = photos.PhotoLimits().decode_budget_bytes - photos.FIXED_COST
    return math.isqrt(room // photos.bytes_per_pixel(fmt, mode, alpha=alpha))


def cases() -> list[tuple[str, bytes]]:
    rgb, rgba = largest_square("PNG", "RGB"), largest_square("PNG", "RGBA")
    pal, webp = largest_square("PNG", "P", alpha=True), largest_square("WEBP", "RGB")
    return [
        ("baseline: phone JPEG 1600x1200", _save(photo_like(1600, 1200), "JPEG", quality=85)),
        ("unshrunk phone JPEG 4000x3000 (12 MP)", _save(photo_like(4000, 3000), "JPEG", quality=85)),
        ("largest JPEG 8660x5773 (50 MP)", _save(photo_like(8660, 5773), "JPEG", quality=80)),
        (f"worst accepted: RGB PNG {rgb}x{rgb}", _save(photo_like(rgb, rgb), "PNG", compress_level=1)),
        (f"RGBA PNG {rgba}x{rgba}", _save(photo_like(rgba, rgba).convert("RGBA"), "PNG", compress_level=1)),
        (f"palette PNG + transparency {pal}x{pal}", palette_with_transparency(pal, pal)),
        (f"WebP {webp}x{webp}", _save(photo_like(webp, webp), "WEBP", quality=80)),
        ("refused: 49 MP PNG of one colour", flat_png(7000, 7000)),
        (f"refused: RGB PNG {rgb + 1}x{rgb + 1}", flat_png(rgb + 1, rgb + 1)),
        ("refused: JPEG header 30000x30000", jpeg_bomb()),
        ("refused: WebP 4096x4096", _save(Image.new("RGB", (4096, 4096), (90, 120, 80)), "WEBP", quality=80)),
    ]


# ---------------------------------------------------------------- measuring


def measure(data: bytes, warmup: Path, runs: int, folder: Path) -> dict:
    source = folder / "image.bin"
    source.write_bytes(data)
    results = []
    for _ in range(runs):
        done = subprocess.run([sys.executable, "-c", _CHILD, str(source), str(ROOT), str(warmup)],
                              capture_output=True, text=True, check=True, timeout=300)
        results.append(json.loads(done.stdout))
    return {"outcome": results[0]["outcome"], "estimate": results[0]["estimate"],
            "peak": statistics.median(r["peak"] for r in results),
            "wall": statistics.median(r["wall"] for r in results),
            "cpu": statistics.median(r["cpu"] for r in results), "bytes": len(data)}


def burst(data: bytes, warmup: Path, slots: int, folder: Path) -> dict:
    source = folder / "burst.bin"
    source.write_bytes(data)
    done = subprocess.run([sys.executable, "-c", _BURST, str(source), str(ROOT), str(slots), str(warmup)],
                          capture_output=True, text=True, check=True, timeout=600)
    return json.loads(done.stdout)


_CHILD = _CHILD.replace("PEAK_HELPERS", _PEAK_HELPERS)
_BURST = _BURST.replace("PEAK_HELPERS", _PEAK_HELPERS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-burst", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        warmup = folder / "warmup.jpg"
        warmup.write_bytes(_save(photo_like(64, 48), "JPEG"))
        made = cases()
        print(f"{'case':40} {'KB':>7} {'outcome':>16} {'estimate':>9} {'peak':>8} {'wall':>8} {'cpu':>8}"
              f" {'×time':>7} {'×mem':>7}")
        base = None
        worst_png = None
        for label, data in made:
            m = measure(data, warmup, args.runs, folder)
            base = base or m
            if label.startswith("worst accepted"):
                worst_png = data
            estimate = f"{m['estimate'] / MB:.0f}MB" if m["estimate"] else "-"
            print(f"{label:40} {m['bytes'] / 1024:7.0f} {m['outcome']:>16} {estimate:>9} {m['peak'] / MB:6.0f}MB"
                  f" {m['wall'] * 1000:6.1f}ms {m['cpu'] * 1000:6.1f}ms {m['wall'] / base['wall']:7.2f}"
                  f" {max(m['peak'], 1) / max(base['peak'], 1):7.2f}", flush=True)
        if not args.no_burst and worst_png is not None:
            print("\nburst: 8 uploads of the worst accepted PNG at once, one process")
            for slots in (2, 8):
                b = burst(worst_png, warmup, slots, folder)
                print(f"  decode slots {slots}: peak {b['peak'] / MB:5.0f} MB, at most {b['most']} decoding at once,"
                      f" {b['wall']:.1f} s in all", flush=True)


if __name__ == "__main__":
    main()
