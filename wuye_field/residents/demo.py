"""The residents' window in the demo: the desk phone, a water-cut notice for 3栋 and one resident's report."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from wuye_field.audit.settings_history import SITE_WIDE, SettingChange
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.places.models import Building, Site
from wuye_field.residents.models import DeskNotice, ResidentRequest
from wuye_field.residents.settings import site_setting

DEMO_DESK_PHONE = "0755-88886666"


def load_residents_demo(site: Site, now: datetime | None = None) -> None:
    """Idempotent: each part is added only when missing."""
    now = now or utcnow()
    if not site_setting(site.id, "residents.desk_phone", now):
        # Seeded as the site's starting value, not an admin's change: no admin-log line, no chain entry
        # (the demo's chains stay the same for every domain's tests).
        db.session.add(SettingChange(site_id=site.id, subject="site", subject_id=SITE_WIDE, name="residents.desk_phone",
                                     value=DEMO_DESK_PHONE, effective_from=now, recorded_at=now))
    building = db.session.scalar(select(Building).where(Building.site_id == site.id, Building.name == "3栋"))
    if building is None:
        return
    if db.session.scalar(select(DeskNotice.id).where(DeskNotice.site_id == site.id).limit(1)) is None:
        db.session.add(DeskNotice(site_id=site.id, building_id=building.id, title="3栋 明日 9:00–12:00 停水",
                                  body="因二次供水水箱清洗，3栋明日上午停水，请提前储水。", starts_at=now,
                                  ends_at=now + timedelta(days=2), created_at=now))
    if db.session.scalar(select(ResidentRequest.id).where(ResidentRequest.site_id == site.id).limit(1)) is None:
        db.session.add(ResidentRequest(site_id=site.id, building_id=building.id, reference="R0000000001",
                                       kind="repair", category="power", phone="13912345678",
                                       description="3栋2楼楼道灯不亮", state="new", created_at=now, note=""))
    db.session.flush()
