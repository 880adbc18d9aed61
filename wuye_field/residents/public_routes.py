"""The public residents' window (W9, W10, R37): no sign-in, no JavaScript, small (≤ 20 KB compressed on first
load), rate-limited per address and per phone, nothing about staff or other residents."""
from __future__ import annotations

import logging
from pathlib import Path

from flask import current_app, render_template, request

from wuye_field.core.errors import DomainError, FieldErrors, NotFound
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.photos.processing import PhotoLimits, process_photo
from wuye_field.photos.storage import LocalStorage, photo_decode_slots
from wuye_field.residents import requests, window
from wuye_field.residents.blueprint import bp
from wuye_field.residents.models import REQUEST_KINDS
from wuye_field.workorders.models import CATEGORIES

log = logging.getLogger(__name__)


def _public_error(error: DomainError):
    db.session.rollback()
    return render_template("residents/message.html", message=error.message), error.status


@bp.get("/b/<token>")
def public_window(token: str):
    """A building's window: today's patrol and cleaning times, repairs in progress, notices, the desk phone."""
    try:
        building = window.building_for_token(token)
    except DomainError as exc:
        return _public_error(exc)
    return render_template("residents/window.html", w=window.window(building, now=utcnow()))


def _form(building, kind: str, *, values=None, errors=None, status: int = 200):
    return render_template("residents/form.html", kind=kind, kind_label=str(REQUEST_KINDS[kind]),
                           token=building.public_token, building_name=building.name, values=values or {},
                           errors=errors or {}, categories=[(k, str(v)) for k, v in CATEGORIES.items()]), status


@bp.get("/b/<token>/<any(repair, complaint):kind>")
def public_form(token: str, kind: str):
    """The repair report or complaint form (phone, description, optional photo)."""
    try:
        building = window.building_for_token(token)
    except DomainError as exc:
        return _public_error(exc)
    return _form(building, kind)


def _limits() -> requests.Limits:
    config = current_app.config
    return requests.Limits(config["RESIDENT_LIMIT_PER_IP"], config["RESIDENT_LIMIT_PER_PHONE"],
                           enabled=config["RATELIMIT_ENABLED"])


def resident_photos() -> LocalStorage:
    """Residents' photos, kept apart from field photos (the orphan sweep of field photos never sees them)."""
    return LocalStorage(Path(current_app.config["WUYE_DATA_DIR"]) / "resident_photos")


def _photo_key() -> str | None:
    """The optional photo, checked and re-encoded like every upload (no EXIF, no GPS), kept apart from
    field photos; None when none was sent."""
    sent = request.files.get("photo")
    if sent is None or not sent.filename:
        return None
    config = current_app.config
    processed = process_photo(sent.stream.read(config["PHOTO_MAX_BYTES"] + 1), PhotoLimits.from_config(config),
                              photo_decode_slots())
    return resident_photos().put(processed.display)


@bp.post("/b/<token>/<any(repair, complaint):kind>")
def public_submit(token: str, kind: str):
    """Store the report as a new request on the desk's board; answer with its reference number."""
    try:
        building = window.building_for_token(token)
        clean = requests.clean_submission(kind, request.form)
        requests.check_rate(_limits(), request.remote_addr or "-", clean["phone"])
        item = requests.submit(building, kind, clean, photo_key=_photo_key(), now=utcnow())
    except FieldErrors as exc:
        db.session.rollback()
        return _form(building, kind, values=request.form, errors=exc.errors, status=422)
    except requests.TooManyRequests as exc:
        log.warning("resident form rate-limited on %s", request.path)
        return _public_error(exc)
    except (DomainError, NotFound) as exc:
        return _public_error(exc)
    db.session.commit()
    return render_template("residents/sent.html", reference=item.reference, kind_label=str(REQUEST_KINDS[kind]),
                           token=token), 201
