"""Vendored files carry their version in the name and match the recorded checksums (static/vendor/SHA256SUMS)."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

VENDOR = Path(__file__).resolve().parent.parent / "static" / "vendor"


def _recorded() -> dict[str, str]:
    sums = {}
    for line in (VENDOR / "SHA256SUMS").read_text().splitlines():
        if line.strip():
            digest, name = line.split()
            sums[name.lstrip("*")] = digest
    return sums


def test_every_vendored_file_matches_its_checksum():
    recorded = _recorded()
    assert recorded
    for name, digest in recorded.items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name


def test_every_vendored_script_is_recorded_and_versioned():
    recorded = _recorded()
    scripts = {p.name for p in VENDOR.iterdir() if p.suffix in {".js", ".css", ".mjs"}}
    assert scripts == set(recorded)
    for name in scripts:
        assert re.search(r"-\d+\.\d+\.\d+(\.umd)?(\.min)?\.js$", name), name
