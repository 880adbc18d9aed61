"""The desk's home card: residents' repair requests and complaints waiting for someone to take them."""
from __future__ import annotations

from sqlalchemy import func, select

from wuye_field.core.registry import Section
from wuye_field.extensions import db
from wuye_field.incidents.complaints import window_complaints
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
    complaints = window_complaints(user)
    new = counts.get("new", 0) + sum(c.owner_id is None for c in complaints)
    mine = (mine or 0) + sum(c.owner_id == user.id for c in complaints)
    return Section("residents/_home.html", {"new": new, "mine": mine}, order=22)
