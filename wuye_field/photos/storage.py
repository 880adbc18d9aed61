"""Content-addressed photo files behind one small interface (local disk now, an S3-compatible store later)."""
from __future__ import annotations

import errno
import hashlib
import os
import re
import tempfile
import threading
from contextlib import suppress
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from flask_babel import gettext as _

from wuye_field.core.errors import DomainError
from wuye_field.photos.processing import DecodeSlots

_KEY_RE = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{64}\.jpg$")
_DISK_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}


class StorageFull(DomainError):
    """The photo store has no room: the phone keeps the photo and retries (R26)."""

    status = 507
    code = "storage_full"


class LocalStorage:
    """Files under `root`, named `ab/cd/<sha256>.jpg` by the SHA-256 of their content.

    Writes go to a temporary file in the target folder, are fsynced and then renamed into place with
    `os.replace`, so a reader never sees a partial file and a crash leaves at most a `.part` file.
    """

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    @staticmethod
    def key_for(data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        return f"{digest[:2]}/{digest[2:4]}/{digest}.jpg"

    def path(self, key: str) -> Path:
        """The file of `key`; ValueError for anything that is not a storage key (no path tricks)."""
        if not _KEY_RE.match(key):
            raise ValueError(f"not a storage key: {key!r}")
        return self.root / key

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def put(self, data: bytes) -> str:
        """Store `data` (a no-op when the same content is stored already) and return its key.

        Raises StorageFull (507) when the disk is full; other OSErrors propagate.
        """
        key = self.key_for(data)
        target = self.path(key)
        if target.is_file():
            # Fresh again: the orphan sweep leaves files younger than an hour alone, and this one is about
            # to be named by a new row (it may be the orphan of an upload that never committed).
            with suppress(FileNotFoundError):
                os.utime(target)
            if target.is_file():
                return key
        tmp_name = None
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".part")
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp_name, target)
        except OSError as exc:
            if tmp_name is not None:
                with suppress(FileNotFoundError):
                    os.unlink(tmp_name)
            if exc.errno in _DISK_FULL:
                raise StorageFull(_("服务器存储空间已满，照片仍保存在手机上，稍后会自动重试。")) from exc
            raise
        return key

    def open(self, key: str) -> BinaryIO:
        return self.path(key).open("rb")

    def delete(self, key: str) -> None:
        with suppress(FileNotFoundError):
            self.path(key).unlink()


def photo_storage() -> LocalStorage:
    """The app's photo store: `WUYE_DATA_DIR/photos`."""
    return LocalStorage(Path(current_app.config["WUYE_DATA_DIR"]) / "photos")


_slots_lock = threading.Lock()


def photo_decode_slots():
    """This process's bound on concurrent photo decodes (`PHOTO_DECODE_SLOTS`, made once per app)."""
    with _slots_lock:
        slots = current_app.extensions.get("wuye_photo_decode_slots")
        if slots is None:
            slots = DecodeSlots(current_app.config["PHOTO_DECODE_SLOTS"],
                                wait_seconds=current_app.config["PHOTO_DECODE_WAIT_SECONDS"])
            current_app.extensions["wuye_photo_decode_slots"] = slots
        return slots
