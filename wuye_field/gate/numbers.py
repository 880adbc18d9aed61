"""The number and validity of what the desk issues and the gate checks: passes (G9) and goods-release slips
(G10). Both carry a short number (P… / R…, unambiguous letters) printed under their QR; the gate looks the
number up and asks whether it belongs to this site and is valid on the local day."""
from __future__ import annotations

import re
import secrets
from datetime import date

from sqlalchemy import select

from wuye_field.extensions import db

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
# What a scanned text may hold: the bare number, or a URL whose last path segment is the number.
NUMBER_RE = re.compile(r"\b([PR][2-9A-HJ-NP-Z]{7})/?$")


def new_number(model, prefix: str) -> str:
    """A fresh number for `model` (GatePass or ReleaseSlip), unique across sites so a number names one thing."""
    while True:
        number = prefix + "".join(secrets.choice(ALPHABET) for _n in range(7))
        if db.session.scalar(select(model.id).where(model.number == number)) is None:
            return number


def normalize(raw) -> str:
    """The number in what the guard typed or scanned ("p2abc…", a pass URL …), upper-cased."""
    value = str(raw or "").strip().upper()
    found = NUMBER_RE.search(value)
    return found.group(1) if found else value


def lookup(model, site_id: int, raw) -> tuple:
    """(the row, "") when the number names a row of `site_id`; else (None, "unknown" | "other_site")."""
    row = db.session.scalar(select(model).where(model.number == normalize(raw)))
    if row is None:
        return None, "unknown"
    if row.site_id != site_id:
        return None, "other_site"
    return row, ""


def validity(row, day: date) -> str:
    """"" when `row` is valid on local `day`, else "not_yet" or "expired" (a slip has no first day)."""
    first = getattr(row, "valid_from", None)
    if first is not None and day < first:
        return "not_yet"
    return "expired" if day > row.valid_until else ""
