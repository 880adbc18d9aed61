"""Complaints (投诉): W5 — an answer the same day, > 80 % handled effectively in a year; W6 — the person who
takes it owns it until the resident has given a verdict.

A complaint is taken by the desk (call, visit, written, online, a resident's note) with its category, who
and what. Its answer clock ends at the site's cut-off (default the end of the day it came in; rules.answer_due).
Steps: the first answer (stops the clock), handling steps, the result, the resident's verdict (effective or
not: closes it). A complaint may name a work order or an incident of the site.

A resident's complaint from a building's window (the residents package calls `receive_resident_complaint`)
is the same kind of complaint: channel "window", its reference number, the same clock and figures; it
arrives without an owner, and the first desk person to take it (or to write a step) owns it (W6).
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select

from wuye_field.accounts.models import Membership
from wuye_field.alerts import services as alerts
from wuye_field.audit import chain
from wuye_field.core.errors import DomainError, NotFound
from wuye_field.core.time import as_utc
from wuye_field.extensions import db
from wuye_field.incidents import common, rules, settings
from wuye_field.incidents.models import COMPLAINT_CATEGORIES, COMPLAINT_CHANNELS, Complaint, ComplaintStep, Incident
from wuye_field.places.models import Building, Site
from wuye_field.sync.receipt import Receipt
from wuye_field.workorders.models import WorkOrder

chain.register_tables({"complaint_step": ("complaint_id", "site_id", "user_id", "kind", "note", "effective",
                                          "created_at")})
LINKED = {"workorder": WorkOrder, "incident": Incident}


def _link(site_id: int, kind: str, raw_id) -> tuple[str, int | None]:
    if not kind:
        return "", None
    model = LINKED.get(kind)
    try:
        row = db.session.get(model, int(raw_id)) if model else None
    except (TypeError, ValueError):
        row = None
    if row is None or row.site_id != site_id:
        raise DomainError(_("关联的记录不在本小区。"), status=422, code="bad_link")
    return kind, row.id


def _owner(site: Site, raw, default_id: int) -> int:
    if raw in (None, ""):
        return default_id
    try:
        owner_id = int(raw)
    except (TypeError, ValueError):
        owner_id = -1
    held = db.session.scalar(select(Membership.id).where(Membership.user_id == owner_id,
                                                         Membership.site_id == site.id).limit(1))
    if held is None:
        raise DomainError(_("负责人须是本小区的员工。"), status=422, code="bad_owner")
    return owner_id


def raise_complaint(user, values, receipt: Receipt) -> Complaint:
    """Take a complaint (desk, supervisor, admin); the taker owns it unless another person is named (W6)."""
    site = common.site_of(user, values.get("site_id"), common.FOLLOWERS)
    channel, category = values.get("channel", ""), values.get("category", "")
    if channel not in COMPLAINT_CHANNELS:
        raise DomainError(_("请选择投诉方式。"), status=422, code="bad_channel")
    if category not in COMPLAINT_CATEGORIES:
        raise DomainError(_("请选择投诉类别。"), status=422, code="bad_category")
    received = min(receipt.device_time, receipt.received_at)  # never later than the server saw it (R13)
    link_kind, link_id = _link(site.id, values.get("link_kind", ""), values.get("link_id"))
    complaint = Complaint(
        site_id=site.id, client_uuid=receipt.client_uuid, channel=channel, category=category,
        who=common.text(values.get("who"), 100, "who", required=_("请填写投诉人（姓名、房号或电话）。")),
        what=common.text(values.get("what"), 2000, "what", required=_("请写明投诉内容。"), multiline=True),
        received_at=received, raised_by_id=user.id, owner_id=_owner(site, values.get("owner_id"), user.id),
        answer_due=rules.answer_due(received, site.timezone,
                                    settings.value(site.id, "incidents.complaint_cutoff", received)),
        link_kind=link_kind, link_id=link_id)
    db.session.add(complaint)
    db.session.flush()
    return complaint


def receive_resident_complaint(building: Building, *, reference: str, phone: str, what: str,
                               photo_key: str | None, now: datetime, notify: bool = True) -> Complaint:
    """A resident's complaint sent from `building`'s window (W9): received now, due by the site's cut-off
    (W5), no owner until someone takes it (W6). The desk is alerted (`notify`; the demo's starting state is
    not news); the alert names the building and the reference only, never the resident's phone (it goes to
    the site's group robot too)."""
    site = building.site
    complaint = Complaint(
        site_id=site.id, client_uuid=str(uuid.uuid4()), channel="window", category="other",
        who=_("%(building)s住户", building=building.name)[:100], what=what, received_at=now,
        raised_by_id=None, owner_id=None, reference=reference, building_id=building.id, phone=phone,
        photo_key=photo_key, answer_due=rules.answer_due(now, site.timezone,
                                                         settings.value(site.id, "incidents.complaint_cutoff", now)),
        link_kind="", link_id=None, result="")
    db.session.add(complaint)
    db.session.flush()
    if not notify:
        return complaint
    alerts.raise_alert("resident_complaint", site.id, alerts.site_people(site.id, ("desk",)),
                       _("住户投诉 %(ref)s（%(building)s）：%(what)s", ref=reference, building=building.name,
                         what=what[:40]),
                       dedupe_key=f"complaint:{complaint.id}:new", now=now, source=("complaint", complaint.id))
    return complaint


def take_complaint(user, complaint_id: int, *, now: datetime) -> Complaint:
    """The first person to take a complaint without an owner owns it to the resident's verdict (W6): a
    "take" step on the chain. Taking one's own again changes nothing; another's is refused (409)."""
    complaint = get_complaint(user, complaint_id)
    if complaint.owner_id is not None:
        if complaint.owner_id == user.id:
            return complaint
        raise DomainError(_("这条投诉已由他人接手。"), status=409, code="taken")
    complaint.owner_id = user.id
    step = ComplaintStep(complaint_id=complaint.id, site_id=complaint.site_id, user_id=user.id, kind="take",
                         note="", effective=None, created_at=now)
    db.session.add(step)
    db.session.flush()
    chain.append_records(complaint.site_id, "complaint_step", [step.id], now=now)
    return complaint


def window_complaints(user) -> list[Complaint]:
    """Open residents' complaints (from the buildings' windows) of the user's desk sites, oldest first."""
    ids = user.site_ids(*common.FOLLOWERS)
    if not ids:
        return []
    return list(db.session.scalars(select(Complaint).where(Complaint.site_id.in_(ids), Complaint.channel == "window",
                                                           Complaint.closed_at.is_(None))
                                   .order_by(Complaint.received_at)))


def reference_taken(reference: str) -> bool:
    return db.session.scalar(select(Complaint.id).where(Complaint.reference == reference)) is not None


def get_complaint(user, complaint_id: int) -> Complaint:
    complaint = db.session.get(Complaint, complaint_id)
    if complaint is None or complaint.site_id not in user.site_ids(*common.FOLLOWERS):
        raise NotFound(_("投诉不存在，或您无权查看。"))
    return complaint


def add_step(user, complaint_id: int, kind: str, note: str, *, effective=None, now: datetime) -> ComplaintStep:
    """answer (stops the same-day clock) · step · result · verdict (effective yes/no; closes the complaint)."""
    complaint = get_complaint(user, complaint_id)
    if kind not in ("answer", "step", "result", "verdict"):
        raise DomainError(_("请选择处理步骤。"), status=422, code="bad_step")
    if complaint.closed_at is not None:
        raise DomainError(_("投诉已办结。"), status=409, code="closed")
    if complaint.owner_id is None:  # a resident's complaint nobody took yet: whoever answers owns it (W6)
        take_complaint(user, complaint.id, now=now)
    if kind == "verdict":
        if effective not in (True, False):
            raise DomainError(_("请选择住户评价：有效或无效。"), status=422, code="verdict_required")
        if not complaint.result:
            raise DomainError(_("请先记录处理结果，再请住户评价。"), status=409, code="result_first")
    else:
        effective = None
    note = common.text(note, 2000, "note", multiline=True,
                       required=None if kind == "verdict" else _("请写明内容。"))
    step = ComplaintStep(complaint_id=complaint.id, site_id=complaint.site_id, user_id=user.id, kind=kind,
                         note=note, effective=effective, created_at=now)
    db.session.add(step)
    if kind in ("answer", "step", "result") and complaint.answered_at is None:
        complaint.answered_at = now  # any reply to the resident counts as the answer
    if kind == "result":
        complaint.result = note
    if kind == "verdict":
        complaint.effective, complaint.closed_at = effective, now
    db.session.flush()
    chain.append_records(complaint.site_id, "complaint_step", [step.id], now=now)
    return step


def answered_in_time(complaint: Complaint) -> bool:
    return complaint.answered_at is not None and as_utc(complaint.answered_at) <= as_utc(complaint.answer_due)


def open_complaints(user, site_id: int) -> list[Complaint]:
    if site_id not in user.site_ids(*common.FOLLOWERS):
        raise NotFound(_("小区不存在，或您无权查看。"))
    return list(db.session.scalars(select(Complaint).where(Complaint.site_id == site_id,
                                                           Complaint.closed_at.is_(None))
                                   .order_by(Complaint.answer_due)))


@dataclass
class Figures:
    """W5 over a period: complaints in it, answered the same day, closed, handled effectively."""

    total: int
    answered_same_day: int
    closed: int
    effective: int
    target: int

    @property
    def same_day_share(self) -> float | None:
        return rules.share(self.answered_same_day, self.total)

    @property
    def effective_share(self) -> float | None:
        return rules.share(self.effective, self.closed)

    @property
    def met(self) -> bool | None:
        """W5: more than the target (80 %) handled effectively; None while nothing is closed."""
        return None if self.effective_share is None else self.effective_share > self.target


def _local_start(day: date, tz: str) -> datetime:
    return as_utc(datetime.combine(day, time(0), ZoneInfo(tz)))


def received_in(site: Site, start: date, end: date) -> list[Complaint]:
    """The site's complaints received from local day `start` to `end` (exclusive), in the order received: what
    the figures count and the export lists."""
    return list(db.session.scalars(select(Complaint).where(
        Complaint.site_id == site.id, Complaint.received_at >= _local_start(start, site.timezone),
        Complaint.received_at < _local_start(end, site.timezone)).order_by(Complaint.received_at, Complaint.id)))


def figures(site: Site, start: date, end: date) -> Figures:
    """Figures of complaints received from local day `start` to `end` (exclusive)."""
    rows = received_in(site, start, end)
    target = settings.value(site.id, "incidents.complaint_target", _local_start(end, site.timezone))
    return Figures(total=len(rows), answered_same_day=sum(answered_in_time(c) for c in rows),
                   closed=sum(c.closed_at is not None for c in rows),
                   effective=sum(c.effective is True for c in rows), target=int(target))


def month_bounds(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year + (month == 12), month % 12 + 1, 1)


def check_due_soon(now: datetime) -> int:
    """Periodic check: alert the owner and the desk when a complaint's same-day answer is about to be missed."""
    raised = 0
    candidates = db.session.scalars(select(Complaint).where(
        Complaint.answered_at.is_(None), Complaint.answer_due > now,
        Complaint.answer_due <= now + timedelta(hours=24)))
    for complaint in candidates:
        warn = timedelta(minutes=int(settings.value(complaint.site_id, "incidents.complaint_warn_minutes", now)))
        if as_utc(complaint.answer_due) - warn > now:
            continue
        people = alerts.site_people(complaint.site_id, ("desk",)) | ({complaint.owner_id} - {None})
        raised += alerts.raise_alert(
            "complaint_due", complaint.site_id, people,
            _("投诉将超时未回复：%(who)s，%(what)s", who=complaint.who, what=complaint.what[:40]),
            dedupe_key=f"complaint:{complaint.id}:due", now=now, source=("complaint", complaint.id)) is not None
    return raised
