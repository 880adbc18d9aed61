"""What places adds to the pages a phone keeps offline: the scanner and the tag page of every place the
user works at (the tag page is where a scan lands)."""
from __future__ import annotations

from flask import url_for

from wuye_field.places.services import places_for_user
from wuye_field.pwa.assets import SCANNING_ROLES


def place_pages(user) -> list[str]:
    """「扫码打卡」 (for roles that scan) and the tag pages of the user's own places."""
    scanner = [url_for("places.scanner")] if user.has_role(*SCANNING_ROLES) else []
    return scanner + [url_for("places.tag", token=p.tag_token) for p in places_for_user(user)]
