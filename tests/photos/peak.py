"""Peak memory of `process_photo` on one image, measured in a fresh interpreter (Linux).

Pillow allocates pixels in C, where tracemalloc cannot see, and ru_maxrss keeps the parent's peak across
fork + exec; so the child resets its high-water mark (/proc/self/clear_refs "5") after warming up and
reads VmHWM afterwards: the growth is this one image's.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

_CHILD = r"""
import io, json, sys, time
sys.path.insert(0, sys.argv[2])
from flask import Flask
from PIL import Image
from wuye_field.photos.processing import PhotoLimits, PhotoRejected, process_photo
from wuye_field.extensions import babel

def status(field):
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024

app = Flask("measure"); babel.init_app(app)
data = open(sys.argv[1], "rb").read()
warm = io.BytesIO(); Image.new("RGB", (64, 48)).save(warm, "JPEG")
with app.app_context():
    process_photo(warm.getvalue())
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")
    before = status("VmRSS")
    started = time.perf_counter()
    try:
        process_photo(data); outcome = "ok"
    except PhotoRejected as error:
        outcome = error.code
    seconds = time.perf_counter() - started
print(json.dumps({"outcome": outcome, "peak": status("VmHWM") - before, "seconds": seconds}))
"""


def measure(data: bytes, tmp_path: Path) -> dict:
    """{"outcome": "ok" or the refusal code, "peak": bytes the process's peak RSS grew, "seconds": wall}."""
    if not Path("/proc/self/clear_refs").exists():
        pytest.skip("peak memory is measured through /proc (Linux)")
    source = tmp_path / "photo.bin"
    source.write_bytes(data)
    done = subprocess.run([sys.executable, "-c", _CHILD, str(source), str(ROOT)], capture_output=True,
                          text=True, check=True, timeout=120)
    return json.loads(done.stdout)
