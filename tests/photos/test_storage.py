"""The content-addressed photo store: atomic writes, no partial files, disk full is a clear 507."""
from __future__ import annotations

import errno
import hashlib
import os

import pytest

from wuye_field.photos.storage import LocalStorage, StorageFull


def test_put_is_content_addressed_and_idempotent(tmp_path):
    storage = LocalStorage(tmp_path)
    data = b"\xff\xd8\xff jpeg bytes"
    digest = hashlib.sha256(data).hexdigest()
    key = storage.put(data)
    assert key == f"{digest[:2]}/{digest[2:4]}/{digest}.jpg"
    assert storage.put(data) == key
    with storage.open(key) as handle:
        assert handle.read() == data
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [f"{digest}.jpg"]
    storage.delete(key)
    storage.delete(key)  # deleting twice is fine
    assert not storage.exists(key)


def test_keys_cannot_escape_the_root(tmp_path):
    storage = LocalStorage(tmp_path)
    for key in ("../etc/passwd", "ab/cd/../../x.jpg", "/abs.jpg", "ab/cd/" + "g" * 64 + ".jpg"):
        with pytest.raises(ValueError):
            storage.path(key)


def test_disk_full_raises_storage_full_and_leaves_no_partial_file(tmp_path, monkeypatch):
    """R26: ENOSPC while writing → StorageFull (507); no temp or partial file remains."""
    storage = LocalStorage(tmp_path)

    def full(*_args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(StorageFull) as caught:
        storage.put(b"some photo")
    assert caught.value.status == 507 and caught.value.code == "storage_full"
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_other_os_errors_propagate_without_leaving_files(tmp_path, monkeypatch):
    """R4, R22: a crash mid-write leaves no partial photo under its final name."""
    storage = LocalStorage(tmp_path)

    def crash(*_args):
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        storage.put(b"photo")
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
