"""Incident reports (事件报告) and their follow-ups until closed with a result.

P12 — an open door found: the form shows the procedure first (do not enter alone; notify the owner and the
supervisor; enter only with a colleague; call the police when in doubt) and the report needs the name of
the colleague who went in with the guard. A4 — casualties or a loss of 10,000 yuan or more mark it major: the
supervisors and admins are alerted and the month's assessment will count it as a veto.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from wuye_field.alerts import services as alerts
from wuye_field.audit import chain
from wuye_field.core.errors import DomainError, NotFound
from wuye_field.extensions import db
from wuye_field.incidents import common, rules
from wuye_field.incidents.models import CATEGORIES, Incident, IncidentFollowUp
from wuye_field.photos import links as photo_links
from wuye_field.places.models import Place
from wuye_field.sync.models import FIELD_COLUMNS
from wuye_field.sync.receipt import Receipt

PHOTO_OWNER = "incident"
MAX_LOSS_YUAN = 100_000_000
chain.register_tables({
    "incident": FIELD_COLUMNS + ("category", "place_id", "where_text", "what", "people", "loss_yuan", "casualties",
                                 "police_called", "fire_called", "ambulance_called", "colleague_name", "major",
                                 "lat", "lon", "accuracy_m"),
    "incident_followup": FIELD_COLUMNS + ("incident_id", "note", "closes"),
})


def _loss(raw) -> int:
    text = str(raw or "").strip().replace(",", "")
    if not text:
        return 0
    try:
        value = int(float(text))
    except ValueError:
        raise DomainError(_("损失金额请填数字（元）。"), status=422, code="bad_loss") from None
    if not 0 <= value <= MAX_LOSS_YUAN:
        raise DomainError(_("损失金额不合理，请检查。"), status=422, code="bad_loss")
    return value


def _place(site_id: int, raw) -> int | None:
    if raw in (None, ""):
        return None
    try:
        place = db.session.get(Place, int(raw))
    except (TypeError, ValueError):
        place = None
    if place is None or place.site_id != site_id:
        raise DomainError(_("地点不在本小区。"), status=422, code="bad_place")
    return place.id


def report_incident(user, values, receipt: Receipt, *, photo_ids: str | None = "", photo_limit: int = 10,
                    now: datetime) -> tuple[Incident, int]:
    """Store an incident from the form `values`; returns (incident, photos still to come).
    DomainError 422 with a Chinese message for a missing or bad value (P12: the colleague's name)."""
    site = common.site_of(user, values.get("site_id"), common.REPORTERS)
    category = values.get("category", "")
    if category not in CATEGORIES:
        raise DomainError(_("请选择事件类别。"), status=422, code="bad_category")
    colleague = common.text(values.get("colleague_name"), 50, "colleague_name")
    if category == "open_door" and not colleague:
        raise DomainError(_("发现门未关：不得单独进入。请填写与您一同进入的同事姓名（P12）。"), status=422,
                          code="colleague_required")
    loss, casualties = _loss(values.get("loss_yuan")), common.flag(values.get("casualties"))
    photos = photo_links.parse_photo_ids(photo_ids, photo_limit)
    incident = Incident(
        **receipt.columns(), user_id=user.id, site_id=site.id, category=category,
        place_id=_place(site.id, values.get("place_id")),
        where_text=common.text(values.get("where_text"), 200, "where_text"),
        what=common.text(values.get("what"), 2000, "what", required=_("请写明发生了什么。"), multiline=True),
        people=common.text(values.get("people"), 300, "people"), loss_yuan=loss, casualties=casualties,
        police_called=common.flag(values.get("police_called")), fire_called=common.flag(values.get("fire_called")),
        ambulance_called=common.flag(values.get("ambulance_called")), colleague_name=colleague,
        major=rules.is_major(casualties=casualties, loss_yuan=loss), **common.position(values))
    db.session.add(incident)
    db.session.flush()
    pending = photo_links.link_photos(PHOTO_OWNER, incident.id, user_id=user.id, site_id=site.id, photo_ids=photos)
    chain.append_records(site.id, "incident", [incident.id], now=receipt.received_at)
    if incident.major:
        alerts.raise_alert(
            "major_incident", site.id, alerts.site_people(site.id, ("supervisor", "admin")),
            _("重大事件：%(cat)s，%(who)s 报告（%(why)s）", cat=str(CATEGORIES[category]), who=user.name,
              why=_("有人员伤亡") if casualties else _("损失约 %(n)s 元", n=loss)),
            dedupe_key=f"incident:{incident.id}", now=now, source=("incident", incident.id))
    return incident, pending


@dataclass
class IncidentView:
    incident: Incident
    followups: list[IncidentFollowUp]

    @property
    def closed(self) -> IncidentFollowUp | None:
        return next((f for f in self.followups if f.closes), None)


def get_incident(user, incident_id: int) -> IncidentView:
    incident = db.session.get(Incident, incident_id)
    visible = incident is not None and (incident.site_id in user.site_ids(*common.FOLLOWERS)
                                        or incident.user_id == user.id)
    if not visible:
        raise NotFound(_("事件不存在，或您无权查看。"))
    followups = list(db.session.scalars(select(IncidentFollowUp).where(IncidentFollowUp.incident_id == incident.id)
                                        .order_by(IncidentFollowUp.id)))
    return IncidentView(incident, followups)


def follow_up(user, incident_id: int, note: str, closes: bool, receipt: Receipt) -> IncidentFollowUp:
    """A follow-up by the desk or a supervisor; `closes` needs the result in `note`. Closed: 409."""
    view = get_incident(user, incident_id)
    if view.incident.site_id not in user.site_ids(*common.FOLLOWERS):
        raise DomainError(_("只有客服或主管可以跟进事件。"), status=403, code="forbidden")
    if view.closed:
        raise DomainError(_("事件已结案。"), status=409, code="closed")
    note = common.text(note, 2000, "note", multiline=True,
                       required=_("结案请写明处理结果。") if closes else _("请写明跟进内容。"))
    row = IncidentFollowUp(**receipt.columns(), user_id=user.id, site_id=view.incident.site_id,
                           incident_id=view.incident.id, note=note, closes=closes)
    db.session.add(row)
    db.session.flush()
    chain.append_records(row.site_id, "incident_followup", [row.id], now=receipt.received_at)
    return row


def site_incidents(user, site_id: int, *, limit: int = 100) -> list[IncidentView]:
    if site_id not in user.site_ids(*common.FOLLOWERS):
        raise NotFound(_("小区不存在，或您无权查看。"))
    incidents = list(db.session.scalars(select(Incident).where(Incident.site_id == site_id)
                                        .order_by(Incident.device_time.desc()).limit(limit)))
    closes = {f.incident_id: f for f in db.session.scalars(select(IncidentFollowUp).where(
        IncidentFollowUp.incident_id.in_([i.id for i in incidents]), IncidentFollowUp.closes.is_(True)))}
    return [IncidentView(i, [closes[i.id]] if i.id in closes else []) for i in incidents]


def major_in(site_id: int, start: datetime, end: datetime) -> list[Incident]:
    """A4: the major incidents of a period (the month's veto reads this)."""
    return list(db.session.scalars(select(Incident).where(
        Incident.site_id == site_id, Incident.major.is_(True), Incident.device_time >= start,
        Incident.device_time < end).order_by(Incident.device_time)))
