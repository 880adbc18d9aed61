"""Resident data on work orders (H6): who sees a resident's full name and phone, masking, the access log.

Full details are shown to the desk, the site's supervisors and the assigned technician while the order
is open; everyone else sees a masked name (王**) and phone (138****1234). Every full view by anyone
other than the desk adds a `ResidentAccess` row (append-only) in the caller's transaction: a GET page
that shows full details must commit.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from wuye_field.accounts.models import User
from wuye_field.core.masking import mask_name, mask_phone
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.places.services import get_site
from wuye_field.workorders.models import OPEN_STATES, ResidentAccess, WorkOrder

DESK_ROLES = ("desk",)
FULL_VIEW_ROLES = ("desk", "supervisor")  # besides the assigned technician of an open order
LOG_READER_ROLES = ("supervisor", "admin")


@dataclass(frozen=True)
class ResidentView:
    """What one user may see of an order's resident: `full` tells whether name/phone are unmasked."""

    name: str
    phone: str
    phone_masked: str
    full: bool

    @property
    def tel_link(self) -> str | None:
        """A `tel:` URL while the full number may be shown (one tap to call), else None."""
        return f"tel:{self.phone}" if self.full and self.phone else None


def is_desk(user: User, site_id: int) -> bool:
    """True when `user` works the service desk of `site_id` (desk views are not logged)."""
    return site_id in user.site_ids(*DESK_ROLES)


def may_see_full(user: User, order: WorkOrder) -> bool:
    """Desk and supervisors of the order's site; the assigned technician only while the order is open."""
    if order.site_id in user.site_ids(*FULL_VIEW_ROLES):
        return True
    return (order.assignee_id == user.id and order.state in OPEN_STATES
            and order.site_id in user.site_ids("technician"))


def masked_view(order: WorkOrder) -> ResidentView:
    """The masked resident details, for lists, exports and users without the right to see more."""
    masked = mask_phone(order.resident_phone)
    return ResidentView(name=mask_name(order.resident_name), phone=masked, phone_masked=masked, full=False)


def resident_view(user: User, order: WorkOrder, *, what: str = "view", now: datetime | None = None) -> ResidentView:
    """The resident details `user` may see on `order`; a full view by anyone but the desk is logged.

    The log row is added (and flushed) in the caller's transaction; nothing is logged when the order has
    no resident data or the view is masked.
    """
    if not may_see_full(user, order):
        return masked_view(order)
    if (order.resident_name or order.resident_phone) and not is_desk(user, order.site_id):
        db.session.add(ResidentAccess(site_id=order.site_id, order_id=order.id, user_id=user.id, what=what[:40],
                                      created_at=now or utcnow()))
        db.session.flush()
    return ResidentView(name=order.resident_name, phone=order.resident_phone,
                        phone_masked=mask_phone(order.resident_phone), full=True)


def list_view(user: User, order: WorkOrder) -> ResidentView:
    """Resident details for a list row: full only for the desk (unlogged), masked for everyone else.

    Lists never reveal details to others, so a supervisor's glance at a list of 50 orders does not
    write 50 log rows; they open the order to see (and log) the full details.
    """
    if is_desk(user, order.site_id):
        return ResidentView(name=order.resident_name, phone=order.resident_phone,
                            phone_masked=mask_phone(order.resident_phone), full=True)
    return masked_view(order)


def access_log(user: User, site_id: int, *, limit: int = 200) -> list[ResidentAccess]:
    """The latest resident-data views of a site, newest first. NotFound unless supervisor/admin there."""
    get_site(user, site_id, *LOG_READER_ROLES)
    return list(db.session.scalars(
        select(ResidentAccess).where(ResidentAccess.site_id == site_id)
        .order_by(ResidentAccess.created_at.desc(), ResidentAccess.id.desc()).limit(limit)))


def access_rows(entries: list[ResidentAccess]) -> list[tuple[ResidentAccess, User | None, WorkOrder | None]]:
    """Each log entry with its viewer and order, loaded in two queries (no N+1)."""
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_({e.user_id for e in entries})))}
    order_ids = {e.order_id for e in entries}
    orders = {o.id: o for o in db.session.scalars(
        select(WorkOrder).options(joinedload(WorkOrder.building)).where(WorkOrder.id.in_(order_ids)))}
    return [(e, users.get(e.user_id), orders.get(e.order_id)) for e in entries]
