"""The import as the page and the CLI call it: read, preview, apply."""
from __future__ import annotations

from datetime import datetime

from wuye_field.accounts.models import User
from wuye_field.onboarding.importing import ImportResult, apply_preview
from wuye_field.onboarding.preview import Preview, build_preview
from wuye_field.onboarding.reading import read_files
from wuye_field.places.models import Site


def preview_files(actor: User, site: Site, files: list[tuple[str, bytes]]) -> Preview:
    """The preview of `files` for `site` (FileRefused when a file cannot be read at all)."""
    return build_preview(actor, site, read_files(files))


def import_files(actor: User, site: Site, files: list[tuple[str, bytes]], *, only_valid: bool, now: datetime,
                 hash_method: str | None = None) -> tuple[Preview, ImportResult]:
    """Preview again (the database may have changed since the upload) and apply it."""
    preview = preview_files(actor, site, files)
    return preview, apply_preview(actor, preview, only_valid=only_valid, now=now, hash_method=hash_method)
