"""Account rules: authenticate, throttle failed logins, manage users and their site roles."""
from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from limits import parse_many
from sqlalchemy import or_, select
from werkzeug.security import check_password_hash, generate_password_hash

from wuye_field.accounts.models import ROLES, Membership, User
from wuye_field.core.errors import DomainError
from wuye_field.extensions import db, limiter

log = logging.getLogger("wuye_field.accounts")

MIN_PASSWORD_LENGTH = 8
STAFF_NO_RE = re.compile(r"^[A-Za-z0-9_.-]{2,32}$")
PHONE_RE = re.compile(r"^1\d{10}$")  # mainland mobile numbers


class LoginFailed(DomainError):
    status = 200  # the form re-renders with the message
    code = "login_failed"


class TooManyAttempts(DomainError):
    status = 429
    code = "too_many_attempts"

    def __init__(self, retry_after_seconds: int):
        minutes = max(1, math.ceil(retry_after_seconds / 60))
        super().__init__(_("登录失败次数过多，请在 %(minutes)d 分钟后再试。", minutes=minutes))
        self.retry_after_seconds = retry_after_seconds


# ---------------------------------------------------------------- passwords


def hash_password(password: str, method: str | None = None) -> str:
    """Hash with Werkzeug's current default (scrypt) unless a cheaper method is configured for tests."""
    return generate_password_hash(password, method=method) if method else generate_password_hash(password)


def check_password_rules(password: str) -> None:
    """Raise DomainError unless the password is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(_("密码至少 %(n)d 位。", n=MIN_PASSWORD_LENGTH))
    if len(password) > 128:
        raise DomainError(_("密码太长。"))


# ---------------------------------------------------------------- login throttling (RELIABILITY 14)


@dataclass(frozen=True)
class LoginThrottle:
    """Failed-login limits per account and per client address, on Flask-Limiter's storage.

    Only failures count. The per-address limit is generous: a whole site often shares one IP.
    """

    per_account: str
    per_address: str
    enabled: bool = True

    def _checks(self, username: str, address: str):
        key = username.strip().lower()
        for item in parse_many(self.per_account):
            yield item, ("login-account", key)
        for item in parse_many(self.per_address):
            yield item, ("login-address", address)

    def check(self, username: str, address: str, now: float) -> None:
        """Raise TooManyAttempts (with the wait) when either limit is used up."""
        if not self.enabled:
            return
        for item, ids in self._checks(username, address):
            if not limiter.limiter.test(item, *ids):
                reset_at, _remaining = limiter.limiter.get_window_stats(item, *ids)
                log.warning("login throttled: %s from %s", username, address)
                raise TooManyAttempts(int(max(1, reset_at - now)))

    def record_failure(self, username: str, address: str) -> None:
        if not self.enabled:
            return
        for item, ids in self._checks(username, address):
            limiter.limiter.hit(item, *ids)


def find_user_by_login(login: str) -> User | None:
    """The user whose staff number or phone number is `login` (case-insensitive staff number)."""
    login = login.strip()
    if not login:
        return None
    return db.session.scalar(
        select(User).where(or_(db.func.lower(User.staff_no) == login.lower(), User.phone == login))
    )


def authenticate(login: str, password: str) -> User:
    """Return the active user for these credentials or raise LoginFailed (one message for every cause)."""
    user = find_user_by_login(login)
    if user is None or not check_password_hash(user.password_hash, password):
        raise LoginFailed(_("工号/手机号或密码不正确。"))
    if not user.active:
        raise LoginFailed(_("此账号已停用，请联系管理处。"))
    return user


def end_sessions(user: User) -> None:
    """Invalidate every session and remember-me cookie of `user` (logout, deactivation, reset)."""
    user.session_version = (user.session_version or 1) + 1
    db.session.flush()


# ---------------------------------------------------------------- user management


def validate_identity(staff_no: str, phone: str | None, name: str, *, user_id: int | None = None) -> dict[str, str]:
    """Field-level errors for a user's staff number, phone and name (empty dict when valid)."""
    errors: dict[str, str] = {}
    if not STAFF_NO_RE.match(staff_no or ""):
        errors["staff_no"] = _("工号须为 2–32 位字母、数字或 - _ .")
    elif _taken(User.staff_no, staff_no, user_id, case_insensitive=True):
        errors["staff_no"] = _("工号已存在。")
    if phone:
        if not PHONE_RE.match(phone):
            errors["phone"] = _("手机号须为 11 位数字。")
        elif _taken(User.phone, phone, user_id):
            errors["phone"] = _("手机号已被其他账号使用。")
    name = (name or "").strip()
    if not name:
        errors["name"] = _("请填写姓名。")
    elif len(name) > 50:
        errors["name"] = _("姓名最多 50 个字。")
    return errors


def _taken(column, value: str, user_id: int | None, case_insensitive: bool = False) -> bool:
    expr = db.func.lower(column) == value.lower() if case_insensitive else column == value
    query = select(User.id).where(expr)
    if user_id is not None:
        query = query.where(User.id != user_id)
    return db.session.scalar(query) is not None


def create_user(
    *, staff_no: str, name: str, password: str, phone: str | None = None,
    roles: dict[int, set[str]] | None = None, hash_method: str | None = None,
) -> User:
    """Create a user with `roles` = {site_id: {role, …}}; raise DomainError on invalid input."""
    errors = validate_identity(staff_no, phone, name)
    if errors:
        raise DomainError(next(iter(errors.values())))
    check_password_rules(password)
    user = User(staff_no=staff_no.strip(), phone=phone or None, name=name.strip(),
                password_hash=hash_password(password, hash_method))
    db.session.add(user)
    set_roles(user, roles or {})
    db.session.flush()
    return user


def set_roles(user: User, roles: dict[int, set[str]]) -> None:
    """Replace the user's memberships with `roles` = {site_id: {role, …}}."""
    unknown = {r for rs in roles.values() for r in rs} - set(ROLES)
    if unknown:
        raise DomainError(_("未知角色：%(roles)s", roles=", ".join(sorted(unknown))))
    wanted = {(site_id, role) for site_id, rs in roles.items() for role in rs}
    for membership in list(user.memberships):
        if (membership.site_id, membership.role) not in wanted:
            user.memberships.remove(membership)
    have = {(m.site_id, m.role) for m in user.memberships}
    for site_id, role in sorted(wanted - have):
        user.memberships.append(Membership(site_id=site_id, role=role))


def reset_password(user: User, new_password: str, hash_method: str | None = None) -> None:
    """Set a new password and end the user's existing sessions."""
    check_password_rules(new_password)
    user.password_hash = hash_password(new_password, hash_method)
    end_sessions(user)


def set_active(user: User, active: bool) -> None:
    """Deactivate (ending every session at once) or reactivate a user."""
    user.active = active
    if not active:
        end_sessions(user)


def throttle_now() -> float:
    """Epoch seconds, for the throttle's 'try again in N minutes'."""
    return datetime.now().timestamp()


def sign_in(login: str, password: str, *, address: str, throttle: LoginThrottle, now: float) -> User:
    """Check the throttle, then the credentials; a failure is counted against account and address.

    Raises TooManyAttempts (before checking the password) or LoginFailed.
    """
    throttle.check(login, address, now)
    try:
        return authenticate(login, password)
    except LoginFailed:
        throttle.record_failure(login, address)
        log.info("login failed for %r from %s", login, address)
        raise
