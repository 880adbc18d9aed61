"""The scoring sheet (A5): the default sheet for an estate, every number in one place."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l

from wuye_field.assessment.inputs import Item, Sheet

DEFAULT_SHEET = Sheet(items=(
    Item("hygiene", "public_hygiene", _l("公共卫生"), 20),
    Item("repairs", "repairs", _l("维修服务"), 20),
    Item("security", "security", _l("安全护卫"), 25),
    Item("greening", "greening", _l("绿化"), 10),
    Item("equipment", "special_equipment", _l("特种设备"), 15),
    Item("complaints", "complaints", _l("投诉"), 10),
))


def sheet_at(site_id: int, at: datetime) -> Sheet:
    """The site's sheet in force at `at`."""
    return DEFAULT_SHEET
