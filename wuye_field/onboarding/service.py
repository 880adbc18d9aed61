"""The import as the page and the CLI call it: read, preview, apply."""
from __future__ import annotations

from datetime import datetime

from wuye_field.accounts.models import User
from wuye_field.onboarding.equipment import preview_equipment
from wuye_field.onboarding.importing import ImportResult, apply_preview
from wuye_field.onboarding.preview import Preview, build_preview
from wuye_field.onboarding.reading import RawSheet, read_files
from wuye_field.places.models import Site


def preview_files(actor: User, site: Site, files: list[tuple[str, bytes]]) -> Preview:
    """The preview of `files` for `site` (FileRefused when a file cannot be read at all)."""
    return with_equipment(build_preview(actor, site, raw := read_files(files)), raw)


def with_equipment(preview: Preview, raw_sheets: list[RawSheet]) -> Preview:
    """The equipment sheet's preview after the places' (it may name buildings and places the file creates)."""
    raw = next((s for s in raw_sheets if s.spec.key == "equipment"), None)
    if raw is None:
        return preview
    places, buildings = preview.sheet("places"), preview.sheet("buildings")
    new_places = {r.key for r in places.rows if r.action != "error"} if places else set()
    new_buildings = {r.key for r in buildings.rows if r.action != "error"} if buildings else set()
    preview.sheets.append(preview_equipment(preview.site, raw, new_places, new_buildings))
    return preview


def import_files(actor: User, site: Site, files: list[tuple[str, bytes]], *, only_valid: bool, now: datetime,
                 hash_method: str | None = None) -> tuple[Preview, ImportResult]:
    """Preview again (the database may have changed since the upload) and apply it."""
    preview = preview_files(actor, site, files)
    return preview, apply_preview(actor, preview, only_valid=only_valid, now=now, hash_method=hash_method)
