"""The desk's home card: residents' requests waiting for someone to take them."""
from __future__ import annotations

from sqlalchemy import func, select

from wuye_field.core.registry import Section
from wuye_field.extensions import db
from wuye_field.residents.models import ResidentRequest
from wuye_field.residents.requests import desk_site_ids


def desk_section(user) -> Section | None:
    ids = desk_site_ids(user)
    if not ids:
        return None
    counts = dict(db.session.execute(select(ResidentRequest.state, func.count()).where(
        ResidentRequest.site_id.in_(ids), ResidentRequest.state != "closed").group_by(ResidentRequest.state)).all())
    mine = db.session.scalar(select(func.count()).where(ResidentRequest.owner_id == user.id,
                                                        ResidentRequest.state == "taken"))
    return Section("residents/_home.html", {"new": counts.get("new", 0), "mine": mine or 0}, order=22)
