"""Uploaded files held between the preview and the admin's confirmation (a day at most), per user.

The confirmation reads the files again and builds a fresh preview, so what is stored is what the
database looks like at that moment, not at upload time."""
from __future__ import annotations

import json
import secrets
import shutil
import time
from pathlib import Path

from flask_babel import gettext as _

from wuye_field.core.errors import NotFound

KEEP_SECONDS = 24 * 3600


def _root(data_dir: str) -> Path:
    return Path(data_dir) / "imports"


def hold(data_dir: str, user_id: int, files: list[tuple[str, bytes]]) -> str:
    """Keep `files` for `user_id`; returns the token the confirmation form carries."""
    root = _root(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    for old in root.iterdir():  # files nobody confirmed
        if old.stat().st_mtime < time.time() - KEEP_SECONDS:
            shutil.rmtree(old, ignore_errors=True)
    token = secrets.token_urlsafe(16)
    folder = root / f"{user_id}-{token}"
    folder.mkdir()
    names = []
    for index, (name, data) in enumerate(files):
        (folder / str(index)).write_bytes(data)
        names.append(name)
    (folder / "names.json").write_text(json.dumps(names), encoding="utf-8")
    return token


def held(data_dir: str, user_id: int, token: str) -> list[tuple[str, bytes]]:
    """The files held under `token` for `user_id`; NotFound (Chinese) when gone or not theirs."""
    folder = _root(data_dir) / f"{user_id}-{token}"
    if not token.replace("-", "").replace("_", "").isalnum() or not (folder / "names.json").is_file():
        raise NotFound(_("上传的文件已过期，请重新上传。"))
    names = json.loads((folder / "names.json").read_text(encoding="utf-8"))
    return [(name, (folder / str(index)).read_bytes()) for index, name in enumerate(names)]


def release(data_dir: str, user_id: int, token: str) -> None:
    shutil.rmtree(_root(data_dir) / f"{user_id}-{token}", ignore_errors=True)
