"""The orphan-photo sweep: photo files no database row names, left by an upload that never committed.

A photo's display and thumbnail files are written before its row commits (so a committed row always has
its files). A rollback removes them (`on_rollback`), but a worker killed between the write and the commit
leaves them behind with no row. `sweep_orphans` removes such files once they are older than a grace
period (an hour by default: far longer than any upload takes, so a file whose upload is still running is
never touched), together with `.part` files of writes interrupted half-way. Files some row names are never
removed, whatever their age; files that are not the store's are left alone.
"""
from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import or_, select

from wuye_field.photos.models import Photo
from wuye_field.photos.storage import LocalStorage
from wuye_field.extensions import db

log = logging.getLogger(__name__)

DEFAULT_GRACE = timedelta(hours=1)
_PART_RE = re.compile(r"^\..*\.part$")  # LocalStorage.put's temporary files
_BATCH = 500


@dataclass
class SweepResult:
    """What a sweep removed (or, dry, would remove): (storage-relative path, bytes) per file."""

    removed: list[tuple[str, int]] = field(default_factory=list)
    kept_named: int = 0  # old enough, but a row names them
    kept_young: int = 0  # no row (yet), but younger than the grace period
    dry_run: bool = False

    @property
    def bytes(self) -> int:
        return sum(size for _, size in self.removed)


def sweep_orphans(storage: LocalStorage, *, now: datetime, older_than: timedelta = DEFAULT_GRACE,
                  dry_run: bool = False) -> SweepResult:
    """Remove the photo files under `storage` no Photo row names and last written before `now - older_than`.

    `now` is timezone-aware. Candidates are checked against the database in batches; right before a file
    is removed its age is read again, so a file an upload has just re-used (LocalStorage.put touches an
    existing file) survives. Returns what was removed; with `dry_run` nothing is, the result says what would be.
    """
    cutoff = (now - older_than).timestamp()
    result = SweepResult(dry_run=dry_run)
    candidates: dict[str, tuple[Path, int]] = {}
    parts: list[tuple[Path, int]] = []
    for path in _files(storage.root):
        stat = _stat(path)
        if stat is None:
            continue
        if stat.st_mtime >= cutoff:
            result.kept_young += 1
        elif _PART_RE.match(path.name):
            parts.append((path, stat.st_size))
        else:
            candidates[path.relative_to(storage.root).as_posix()] = (path, stat.st_size)
    named = _named_keys(list(candidates))
    result.kept_named = len(named)
    doomed = [(path, size) for key, (path, size) in sorted(candidates.items()) if key not in named]
    for path, size in doomed + parts:
        stat = _stat(path)
        if stat is None or stat.st_mtime >= cutoff:
            continue
        if not dry_run:
            try:
                path.unlink()
            except FileNotFoundError:
                continue
        result.removed.append((path.relative_to(storage.root).as_posix(), size))
    if result.removed:
        log.info("photo sweep %s %d orphan files, %d bytes: %s", "would remove" if dry_run else "removed",
                 len(result.removed), result.bytes, " ".join(name for name, _ in result.removed[:20]))
    return result


def _files(root: Path):
    """Every file of the store: `ab/cd/<sha256>.jpg` and stray `.part` files, nothing else."""
    if not root.is_dir():
        return
    for first in sorted(root.iterdir()):
        if not (first.is_dir() and re.fullmatch(r"[0-9a-f]{2}", first.name)):
            continue
        for second in sorted(first.iterdir()):
            if not (second.is_dir() and re.fullmatch(r"[0-9a-f]{2}", second.name)):
                continue
            for path in sorted(second.iterdir()):
                key = f"{first.name}/{second.name}/{path.name}"
                if path.is_file() and (_is_key(key) or _PART_RE.match(path.name)):
                    yield path


def _is_key(key: str) -> bool:
    try:
        LocalStorage("/").path(key)
    except ValueError:
        return False
    return True


def _stat(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except FileNotFoundError:
        return None


def _named_keys(keys: list[str]) -> set[str]:
    """The keys among `keys` some Photo row uses as its display or thumbnail file."""
    named: set[str] = set()
    for start in range(0, len(keys), _BATCH):
        batch = keys[start:start + _BATCH]
        rows = db.session.execute(select(Photo.display_key, Photo.thumb_key)
                                  .where(or_(Photo.display_key.in_(batch), Photo.thumb_key.in_(batch))))
        for display, thumb in rows:
            named.update((display, thumb))
    return named & set(keys)
