"""Cleaning demo data: the standard tasks on DEMO's cleaning areas, cleaner01's zone, tapping allowed."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from wuye_field.accounts.models import User
from wuye_field.cleaning import services
from wuye_field.cleaning.models import AreaAssignment, CleaningSettings
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.places.models import Site


def load_cleaning_demo(site: Site, *, now: datetime | None = None) -> None:
    """Give the demo site's cleaning areas the standard set (C1–C16), put every area in
    cleaner01's zone and let cleaners tap cards without scanning. Idempotent: only what is missing is added."""
    db.session.flush()
    services.add_standard_tasks(site, now=now or utcnow())
    cleaner = db.session.scalar(select(User).where(User.staff_no == "cleaner01"))
    if cleaner is not None:
        assigned = set(db.session.scalars(select(AreaAssignment.place_id).where(AreaAssignment.user_id == cleaner.id)))
        for place in services.cleaning_areas(site.id):
            if place.id not in assigned:
                db.session.add(AreaAssignment(site_id=site.id, place_id=place.id, user_id=cleaner.id))
    if db.session.get(CleaningSettings, site.id) is None:
        db.session.add(CleaningSettings(site_id=site.id, allow_tap=True, reclean_hours=2))
    db.session.flush()
