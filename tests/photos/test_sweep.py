"""`flask wuye sweep-photos` (issue 20, finding 5): photo files a killed upload left without a row are
removed once they are an hour old, never before; files a row names are never touched."""
from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path

import pytest

from tests.sync import helpers
from tests.photos.conftest import photo_files
from tests.sync.helpers import count, post_photo
from wuye_field.core.time import utcnow
from wuye_field.photos.models import Photo
from wuye_field.photos.storage import photo_storage
from wuye_field.photos.sweep import sweep_orphans
from wuye_field.extensions import db
from wuye_field.sync import idempotency


def _age(paths, hours: float) -> None:
    """Make files look last written `hours` ago."""
    then = time.time() - hours * 3600
    for path in paths:
        os.utime(path, (then, then))


def _killed_upload(guard, monkeypatch, data: bytes) -> list[Path]:
    """An upload whose worker dies between writing the files and the commit: the commit never happens and,
    the process being gone, no rollback hook runs. Returns the files it left."""
    rows = count(Photo)
    with monkeypatch.context() as patch:
        patch.setattr(idempotency, "_commit", lambda: (_ for _ in ()).throw(SystemExit("killed")))
        patch.setattr(idempotency, "_abandon", lambda: db.session.rollback())
        with pytest.raises(SystemExit):
            post_photo(guard, data)
    db.session.rollback()
    assert count(Photo) == rows
    return photo_files(guard.application)


def test_files_of_a_killed_upload_are_swept_after_an_hour_and_not_before(app, guard, monkeypatch):
    left = _killed_upload(guard, monkeypatch, helpers.jpeg(1200, 900))
    assert len(left) == 2  # display and thumbnail, no row
    storage, now = photo_storage(), utcnow()

    for later in (timedelta(0), timedelta(minutes=59)):
        result = sweep_orphans(storage, now=now + later)
        assert result.removed == [] and result.kept_young == 2
        assert photo_files(app) == left

    result = sweep_orphans(storage, now=now + timedelta(minutes=61))
    assert sorted(storage.root / name for name, _ in result.removed) == left
    assert result.bytes == sum(size for _, size in result.removed) > 0
    assert photo_files(app) == []


def test_files_a_row_names_are_never_touched_whatever_their_age(app, guard, monkeypatch):
    assert post_photo(guard, helpers.jpeg(1000, 800)).status_code == 201
    kept = photo_files(app)
    orphans = [p for p in _killed_upload(guard, monkeypatch, helpers.jpeg(900, 700)) if p not in kept]
    assert len(kept) == 2 and len(orphans) == 2
    _age(kept + orphans, hours=24 * 400)

    result = sweep_orphans(photo_storage(), now=utcnow())
    assert sorted(photo_storage().root / name for name, _ in result.removed) == sorted(orphans)
    assert result.kept_named == 2
    assert photo_files(app) == kept


def test_a_rolled_back_upload_sharing_files_with_a_photo_keeps_them(app, guard, monkeypatch):
    """Content-addressed: the killed upload's files are the committed photo's too."""
    data = helpers.jpeg()
    assert post_photo(guard, data).status_code == 201
    files = photo_files(app)
    _killed_upload(guard, monkeypatch, data)
    _age(files, hours=3)
    assert sweep_orphans(photo_storage(), now=utcnow()).removed == []
    assert photo_files(app) == files


def test_an_old_orphan_reused_by_a_new_upload_is_fresh_again(app, guard, monkeypatch):
    """The same bytes uploaded again re-use the orphan's files: `put` touches them, so a sweep running
    while that upload is on its way to its commit leaves them alone."""
    data = helpers.jpeg()
    left = _killed_upload(guard, monkeypatch, data)
    _age(left, hours=5)
    for path in left:
        photo_storage().put(path.read_bytes())
    assert sweep_orphans(photo_storage(), now=utcnow()).removed == []
    assert post_photo(guard, data).status_code == 201
    assert photo_files(app) == left


def test_dry_run_removes_nothing_and_says_what_it_would(app, guard, monkeypatch):
    left = _killed_upload(guard, monkeypatch, helpers.jpeg())
    _age(left, hours=2)
    result = sweep_orphans(photo_storage(), now=utcnow(), dry_run=True)
    assert result.dry_run and len(result.removed) == 2
    assert photo_files(app) == left


def test_half_written_part_files_go_and_foreign_files_stay(app):
    storage = photo_storage()
    part = storage.root / "ab" / "cd" / ".tmp123.part"
    foreign = [storage.root / "README.txt", storage.root / "ab" / "cd" / "notes.txt",
               Path(app.config["WUYE_DATA_DIR"]) / "chain-digests" / "2026-11-28.txt"]
    for path in [part, *foreign]:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    _age([part, *foreign], hours=2)
    result = sweep_orphans(storage, now=utcnow())
    assert result.removed == [("ab/cd/.tmp123.part", 1)]
    assert not part.exists() and all(path.exists() for path in foreign)


def test_an_empty_or_missing_store_is_fine(app):
    assert sweep_orphans(photo_storage(), now=utcnow()).removed == []


# ---------------------------------------------------------------- the command


def test_command_prints_and_logs_what_it_removed(app, guard, monkeypatch, runner):
    assert post_photo(guard, helpers.jpeg(1000, 800)).status_code == 201
    kept = photo_files(app)
    orphans = [p for p in _killed_upload(guard, monkeypatch, helpers.jpeg(900, 700)) if p not in kept]
    _age(kept + orphans, hours=2)
    size = sum(p.stat().st_size for p in orphans)

    dry = runner.invoke(args=["wuye", "sweep-photos", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert f"would remove 2 orphan photo files, {size} bytes" in dry.output
    assert all(f"would remove {p} (" in dry.output for p in orphans)
    assert photo_files(app) == sorted(kept + orphans)

    done = runner.invoke(args=["wuye", "sweep-photos"])
    assert done.exit_code == 0, done.output
    summary = f"removed 2 orphan photo files, {size} bytes (kept: 2 named by a photo, 0 younger than 60 min)"
    assert summary in done.output
    assert all(f"removed {p} (" in done.output for p in orphans)
    log_line = next(line for line in done.output.splitlines() if "photo sweep removed" in line)
    assert "INFO wuye_field.photos.sweep" in log_line and f"2 orphan files, {size} bytes" in log_line
    assert photo_files(app) == kept


def test_command_older_than_is_in_minutes_and_at_least_ten(app, guard, monkeypatch, runner):
    left = _killed_upload(guard, monkeypatch, helpers.jpeg())
    _age(left, hours=0.5)
    assert "removed 0 orphan photo files" in runner.invoke(args=["wuye", "sweep-photos"]).output
    assert "removed 2 orphan photo files" in runner.invoke(args=["wuye", "sweep-photos", "--older-than", "20"]).output
    assert photo_files(app) == []
    refused = runner.invoke(args=["wuye", "sweep-photos", "--older-than", "5"])
    assert refused.exit_code == 2 and "10" in refused.output
