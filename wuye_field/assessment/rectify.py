"""Rectification orders (限期整改): listed per site, marked done by a supervisor or admin of the site."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from wuye_field.assessment.models import RectificationOrder
from wuye_field.audit.services import log_admin_change
from wuye_field.core.errors import DomainError, FieldErrors, NotFound
from wuye_field.core.text import clean_text
from wuye_field.extensions import db

EDITORS = ("supervisor", "admin")


def orders(site_id: int) -> list[RectificationOrder]:
    return list(db.session.scalars(select(RectificationOrder).where(RectificationOrder.site_id == site_id)
                                   .order_by(RectificationOrder.month.desc())))


def open_order(site_id: int) -> RectificationOrder | None:
    return db.session.scalar(select(RectificationOrder).where(
        RectificationOrder.site_id == site_id, RectificationOrder.done_at.is_(None))
        .order_by(RectificationOrder.month.desc()).limit(1))


def mark_done(actor, order_id: int, note: str, *, now: datetime) -> RectificationOrder:
    """The order is done (a note on what was rectified is required); logged in the admin change log."""
    order = db.session.get(RectificationOrder, order_id)
    if order is None or order.site_id not in actor.site_ids(*EDITORS):
        raise NotFound(_("整改通知不存在，或您无权查看。"))
    if order.done_at is not None:
        raise DomainError(_("这份整改通知已经完成。"), code="done")
    text = clean_text(note, multiline=True)[:500]
    if not text:
        raise FieldErrors({"note": _("请写明整改了什么。")})
    order.done_at, order.done_by_id, order.done_note = now, actor.id, text
    log_admin_change(actor, order.site_id, f"rectification:{order.month}", None, {"done": text}, now=now)
    db.session.flush()
    return order
