"""User and site membership (a role held on a site)."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, UniqueConstraint, false, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wuye_field.core.time import utcnow
from wuye_field.extensions import db

# Role codes are stored; labels are shown. Order = precedence for choosing a home page.
ROLES = {
    "admin": _l("管理处"),
    "supervisor": _l("主管"),
    "desk": _l("客服"),
    "technician": _l("维修工"),
    "guard": _l("护管员"),
    "gate": _l("门岗护管员"),  # the gate post only: visitors, slips, vehicles, parcels, the duty log (P1, P10)
    "cleaner": _l("保洁员"),
    "inspector": _l("甲方检查员"),  # the client's inspector: reads the field data of their sites, does the round
}
FIELD_ROLES = ("guard", "gate", "cleaner", "technician", "supervisor")
# Roles that record nothing in the field: `site_ids()` without roles (any staff role, which lets a
# person report a defect or a reading) leaves them out; a view that lets them read names them.
READ_ONLY_ROLES = ("inspector",)


class User(UserMixin, db.Model):
    """A person who signs in with a staff number or phone number."""

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_no: Mapped[str] = mapped_column(String(32), unique=True)
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    password_hash: Mapped[str] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Company administrator: may create sites (and becomes 管理处 of each site they create).
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    # Bumped by logout, deactivation and password reset: every older cookie stops working (R10).
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    # Set for a one-time password (an import, an admin's reset): the next sign-in must choose a new one.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str:
        """Session identity = id + session version, so bumping the version logs out every copy."""
        return f"{self.id}.{self.session_version}"

    @property
    def roles(self) -> set[str]:
        return {m.role for m in self.memberships}

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def site_ids(self, *roles: str) -> set[int]:
        """Sites where the user holds any of `roles` (any staff role when none given: not a read-only one)."""
        if not roles:
            return {m.site_id for m in self.memberships if m.role not in READ_ONLY_ROLES}
        return {m.site_id for m in self.memberships if m.role in roles}

    @property
    def primary_role(self) -> str | None:
        """The role whose home page the user lands on (most responsible first)."""
        for role in ROLES:
            if role in self.roles:
                return role
        return None

    def __repr__(self) -> str:
        return f"<User {self.staff_no}>"


class Membership(db.Model):
    """A user holds `role` on `site`; every query is scoped through these rows."""

    __table_args__ = (UniqueConstraint("user_id", "site_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))

    user: Mapped[User] = relationship(back_populates="memberships")
    site: Mapped[Site] = relationship(lazy="joined")  # noqa: F821


def users_of_site(site_id: int):
    """select() of the users holding any role on a site."""
    return select(User).join(Membership).where(Membership.site_id == site_id).distinct().order_by(User.staff_no)
