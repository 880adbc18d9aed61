"""What incidents add to the home page and to the pages kept offline."""
from __future__ import annotations

from flask import url_for
from sqlalchemy import exists, func, select

from wuye_field.core.registry import Section
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.incidents import common
from wuye_field.incidents.models import Complaint, Incident, IncidentFollowUp


def incidents_section(user) -> Section | None:
    reporter = user.has_role(*common.REPORTERS)
    followed = sorted(user.site_ids(*common.FOLLOWERS))
    if not reporter and not followed:
        return None
    context = {"reporter": reporter, "open_incidents": 0, "open_complaints": 0, "late_complaints": 0}
    if followed:
        closed = exists().where(IncidentFollowUp.incident_id == Incident.id, IncidentFollowUp.closes.is_(True))
        context["open_incidents"] = db.session.scalar(select(func.count(Incident.id)).where(
            Incident.site_id.in_(followed), ~closed))
        open_complaint = (Complaint.site_id.in_(followed), Complaint.closed_at.is_(None))
        context["open_complaints"] = db.session.scalar(select(func.count(Complaint.id)).where(*open_complaint))
        context["late_complaints"] = db.session.scalar(select(func.count(Complaint.id)).where(
            *open_complaint, Complaint.answered_at.is_(None), Complaint.answer_due < utcnow()))
    context["follower"] = bool(followed)
    return Section("incidents/_home.html", context, order=8)


def incident_pages(user) -> list[str]:
    """The incident form works offline for everyone who reports."""
    return [url_for("incidents.new")] if user.has_role(*common.REPORTERS) else []
