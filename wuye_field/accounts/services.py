"""Account rules: authenticate, throttle failed logins, manage users and their site roles."""
from __future__ import annotations

import logging
import math
import re
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from limits import parse_many
from sqlalchemy import or_, select
from werkzeug.security import check_password_hash, generate_password_hash

from wuye_field.accounts.models import ROLES, Membership, User
from wuye_field.sync.models import RoleEnded
from wuye_field.audit.services import log_admin_change
from wuye_field.core.errors import DomainError, FieldErrors, Forbidden, NotFound
from wuye_field.core.logging import security_event
from wuye_field.core.text import clean_text, text_problem
from wuye_field.core.time import utcnow
from wuye_field.extensions import db, limiter

log = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 8
STAFF_NO_RE = re.compile(r"^[A-Za-z0-9_.-]{2,32}$")
PHONE_RE = re.compile(r"^1[0-9]{10}$")  # mainland mobile numbers


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


# ---------------------------------------------------------------- login throttling (R14)


@dataclass(frozen=True)
class LoginThrottle:
    """Failed-login limits per account and per client address, on Flask-Limiter's storage.

    Only failures count. The account is the user whatever name was typed (staff number in any case, or
    phone number); a name that matches nobody is counted on its own. With `RATELIMIT_STORAGE_URI` on
    Redis the counts are shared by every worker and app server. The per-address limit is generous: a
    whole site often shares one IP.
    """

    per_account: str
    per_address: str
    enabled: bool = True

    def _checks(self, account: str, address: str):
        for item in parse_many(self.per_account):
            yield item, ("login-account", account)
        for item in parse_many(self.per_address):
            yield item, ("login-address", address)

    def reserve(self, account: str, address: str, now: float, *, login: str = "") -> list:
        """Count this attempt as a failure on every limit before the password is checked, or raise
        TooManyAttempts (with the wait) when a limit is used up.

        Counting first is atomic on the store (an increment, then a comparison), so a burst spread over
        several workers or servers cannot slip extra tries past the limit. Returns the counts taken:
        `release()` them when the login succeeds (successful logins never count).
        """
        taken: list = []
        if not self.enabled:
            return taken
        for item, ids in self._checks(account, address):
            with _storage_errors_logged():
                if limiter.limiter.hit(item, *ids):
                    taken.append((item, ids))
                    continue
                self.release(taken)
                reset_at, _remaining = limiter.limiter.get_window_stats(item, *ids)
                security_event("login_throttled", login=login, account=account, address=address)
                raise TooManyAttempts(int(max(1, reset_at - now)))
        return taken

    def release(self, taken: list) -> None:
        """Give back counts taken by `reserve()`."""
        for item, ids in taken:
            with _storage_errors_logged():
                limiter.limiter.hit(item, *ids, cost=-1)


@contextmanager
def _storage_errors_logged():
    """An unreachable throttle store (Redis down) is logged as an error and lets the login go on to the
    password check: staff keep signing in, and the operator sees why throttling paused."""
    try:
        yield
    except DomainError:
        raise
    except Exception:  # any storage client error
        log.exception("login throttle storage unavailable; login allowed without throttling")


def account_key(login: str, user: User | None) -> str:
    """What failed logins are counted on: the user (`user:<id>`) when the typed name or phone is one,
    else the typed name itself, lower-cased (`name:<login>`)."""
    return f"user:{user.id}" if user is not None else "name:" + login.strip().lower()


def find_user_by_login(login: str) -> User | None:
    """The user whose staff number or phone number is `login` (case-insensitive staff number)."""
    login = login.strip()
    if not login:
        return None
    return db.session.scalar(
        select(User).where(or_(db.func.lower(User.staff_no) == login.lower(), User.phone == login))
    )


def authenticate(login: str, password: str, user: User | None = None) -> User:
    """Return the active user for these credentials or raise LoginFailed (one message for every cause).

    `user` is the result of `find_user_by_login(login)` when the caller has it already.
    """
    user = user if user is not None else find_user_by_login(login)
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
    if message := text_problem(name):
        errors["name"] = message
    elif not (name := clean_text(name)):
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
    user = User(staff_no=staff_no.strip(), phone=phone or None, name=clean_text(name),
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
            db.session.add(RoleEnded(user_id=user.id, site_id=membership.site_id, role=membership.role,
                                     ended_at=utcnow()))
    have = {(m.site_id, m.role) for m in user.memberships}
    for site_id, role in sorted(wanted - have):
        user.memberships.append(Membership(site_id=site_id, role=role))


def reset_password(user: User, new_password: str, hash_method: str | None = None) -> None:
    """Set a new password and end the user's existing sessions."""
    check_password_rules(new_password)
    user.password_hash = hash_password(new_password, hash_method)
    end_sessions(user)


def change_own_password(user: User, current: str, new: str, repeat: str, hash_method: str | None = None) -> None:
    """A user replaces their own password (a one-time password must be replaced at the first sign-in).

    FieldErrors (current, new, repeat) in Chinese; ends the user's other sessions."""
    errors: dict[str, str] = {}
    if not check_password_hash(user.password_hash, current or ""):
        errors["current"] = _("当前密码不正确。")
    if message := _password_error(new):
        errors["new"] = message
    elif new == current:
        errors["new"] = _("新密码不能与当前密码相同。")
    elif new != repeat:
        errors["repeat"] = _("两次输入的新密码不一致。")
    if errors:
        raise FieldErrors(errors)
    reset_password(user, new, hash_method)
    user.must_change_password = False
    db.session.flush()


def set_active(user: User, active: bool) -> None:
    """Deactivate (ending every session at once) or reactivate a user."""
    user.active = active
    if not active:
        end_sessions(user)


def throttle_now() -> float:
    """Epoch seconds, for the throttle's 'try again in N minutes'."""
    return datetime.now().timestamp()


def sign_in(login: str, password: str, *, address: str, throttle: LoginThrottle, now: float) -> User:
    """Check the throttle, then the credentials; a failure is counted against the account (whichever of
    its names was typed) and the address.

    Raises TooManyAttempts (before checking the password) or LoginFailed.
    """
    user = find_user_by_login(login)
    account = account_key(login, user)
    taken = throttle.reserve(account, address, now, login=login)
    try:
        user = authenticate(login, password, user)
    except LoginFailed:
        security_event("login_failed", login=login, account=account, address=address)
        raise
    throttle.release(taken)
    return user


# ---------------------------------------------------------------- administration (管理处)
# An admin sees and changes only users holding a role on a site the admin administers, and grants
# roles only there; anything else is NotFound (never confirm that a foreign user exists).


ADMIN_ROLE = "admin"


def admin_site_ids(actor: User) -> set[int]:
    """The sites `actor` administers."""
    return actor.site_ids(ADMIN_ROLE)


def admin_role_choices(actor: User) -> list[tuple[int, str, list[tuple[str, str]]]]:
    """[(site_id, site name, [(token "site_id:role", role label), …]), …] for the role checkboxes."""
    sites = sorted({m.site for m in actor.memberships if m.role == ADMIN_ROLE}, key=lambda s: s.name)
    return [(site.id, site.name, [(f"{site.id}:{role}", str(label)) for role, label in ROLES.items()])
            for site in sites]


def role_tokens(user: User | None, actor: User) -> set[str]:
    """The "site_id:role" tokens `user` holds on the actor's sites (ticked boxes of the form)."""
    if user is None:
        return set()
    site_ids = admin_site_ids(actor)
    return {f"{m.site_id}:{m.role}" for m in user.memberships if m.site_id in site_ids}


def parse_role_tokens(tokens: list[str]) -> dict[int, set[str]]:
    """Turn posted "site_id:role" tokens into {site_id: {role, …}}; DomainError (400) when malformed."""
    roles: dict[int, set[str]] = {}
    for token in tokens:
        site_id, _sep, role = token.partition(":")
        if not (site_id.isascii() and site_id.isdigit()) or role not in ROLES:
            raise DomainError(_("角色选择有误，请刷新后重试。"))
        roles.setdefault(int(site_id), set()).add(role)
    return roles


@dataclass(frozen=True)
class UserRow:
    """One line of the admin's user list: the user and their roles on the admin's sites, as labels."""

    user: User
    role_labels: list[str]


def admin_users(actor: User, site_id: int | None = None) -> list[UserRow]:
    """Users with a role on `site_id` (one of the actor's sites, else NotFound) or on any of them."""
    site_ids = admin_site_ids(actor)
    if site_id is not None:
        if site_id not in site_ids:
            raise NotFound(_("小区不存在，或您无权查看。"))
        site_ids = {site_id}
    if not site_ids:
        return []
    query = (select(User).join(Membership).where(Membership.site_id.in_(site_ids))
             .distinct().order_by(User.active.desc(), User.staff_no))
    return [
        UserRow(user, [f"{m.site.name} · {ROLES[m.role]}" for m in sorted(user.memberships, key=_membership_order)
                       if m.site_id in site_ids])
        for user in db.session.scalars(query)
    ]


def _membership_order(membership: Membership) -> tuple[str, int]:
    return membership.site.name, list(ROLES).index(membership.role)


def admin_user(actor: User, user_id: int) -> User:
    """A user holding a role on one of the actor's sites; NotFound otherwise (no leak)."""
    user = db.session.get(User, user_id)
    if user is None or not user.site_ids() & admin_site_ids(actor):
        raise NotFound(_("人员不存在，或您无权查看。"))
    return user


def _check_may_manage(actor: User, user: User) -> None:
    """Forbidden when changing `user` would reach beyond the actor's sites (another site's admin, a company admin)."""
    if actor.is_admin or user.id == actor.id:
        return
    outside = user.site_ids() - admin_site_ids(actor)
    if user.is_admin or (user.has_role(ADMIN_ROLE) and outside):
        raise Forbidden(_("此账号在其他小区也有管理权限，只能由公司管理员修改。"))


def _checked_roles(actor: User, roles: dict[int, set[str]]) -> dict[int, set[str]]:
    """`roles` without empty entries; NotFound when a site is not one the actor administers."""
    site_ids = admin_site_ids(actor)
    if set(roles) - site_ids:
        raise NotFound(_("小区不存在，或您无权查看。"))
    return {site_id: set(rs) for site_id, rs in roles.items() if rs}


def _clean_identity(staff_no: str, name: str, phone: str | None) -> tuple[str, str, str | None]:
    return (staff_no or "").strip(), name or "", (phone or "").strip() or None


def admin_create_user(
    actor: User, *, staff_no: str, name: str, password: str, phone: str | None = None,
    roles: dict[int, set[str]], hash_method: str | None = None,
) -> User:
    """Create a user holding `roles` = {site_id: {role}} on the actor's sites.

    Raises FieldErrors (staff_no, name, phone, password, roles) or NotFound for a foreign site.
    """
    roles = _checked_roles(actor, roles)
    staff_no, name, phone = _clean_identity(staff_no, name, phone)
    errors = validate_identity(staff_no, phone, name)
    if message := _password_error(password):
        errors["password"] = message
    if not roles:
        errors["roles"] = _("请至少选择一个小区的一个角色。")
    if errors:
        raise FieldErrors(errors)
    return create_user(staff_no=staff_no, name=name, password=password, phone=phone, roles=roles,
                       hash_method=hash_method)


def _password_error(password: str) -> str | None:
    try:
        check_password_rules(password or "")
    except DomainError as exc:
        return exc.message
    return None


def admin_update_user(actor: User, user_id: int, *, name: str, phone: str | None,
                      roles: dict[int, set[str]]) -> User:
    """Change a user's name, phone and roles on the actor's sites (roles elsewhere are kept).

    Raises FieldErrors, NotFound (foreign user or site) or Forbidden (see _check_may_manage).
    """
    user = admin_user(actor, user_id)
    _check_may_manage(actor, user)
    roles = _checked_roles(actor, roles)
    _staff_no, name, phone = _clean_identity(user.staff_no, name, phone)
    errors = validate_identity(user.staff_no, phone, name, user_id=user.id)
    errors.update(_role_change_errors(actor, user, roles))
    if errors:
        raise FieldErrors(errors)
    kept: dict[int, set[str]] = {}
    before: dict[int, set[str]] = {}
    for membership in user.memberships:
        target = kept if membership.site_id not in admin_site_ids(actor) else before
        target.setdefault(membership.site_id, set()).add(membership.role)
    user.name, user.phone = clean_text(name), phone
    set_roles(user, kept | roles)
    db.session.flush()
    _log_role_changes(actor, user, before, roles)
    return user


def _log_role_changes(actor: User, user: User, before: dict[int, set[str]], after: dict[int, set[str]]) -> None:
    """One admin-log entry per site whose roles for `user` changed (H5: who changed a role)."""
    now = utcnow()
    for site_id in sorted(set(before) | set(after)):
        old, new = sorted(before.get(site_id, set())), sorted(after.get(site_id, set()))
        if old != new:
            log_admin_change(actor, site_id, _("%(name)s（%(no)s）的角色", name=user.name, no=user.staff_no),
                             old, new, now=now)


def _role_change_errors(actor: User, user: User, roles: dict[int, set[str]]) -> dict[str, str]:
    if user.id == actor.id and any(ADMIN_ROLE not in roles.get(s, set()) for s in admin_site_ids(actor)):
        return {"roles": _("不能取消您自己的管理处角色。")}
    if not roles and not user.site_ids() - admin_site_ids(actor):
        return {"roles": _("请至少保留一个角色；不再工作的人员请停用账号。")}
    return {}


def admin_reset_password(actor: User, user_id: int, password: str, hash_method: str | None = None) -> User:
    """Give a user a new password and end all their sessions; FieldErrors({"password"}) if too weak."""
    user = admin_user(actor, user_id)
    _check_may_manage(actor, user)
    if message := _password_error(password):
        raise FieldErrors({"password": message})
    reset_password(user, password, hash_method)
    return user


def admin_set_active(actor: User, user_id: int, active: bool) -> User:
    """Deactivate (ending every session at once) or reactivate a user; nobody deactivates themself."""
    user = admin_user(actor, user_id)
    _check_may_manage(actor, user)
    if user.id == actor.id and not active:
        raise FieldErrors({"active": _("不能停用您自己的账号。")})
    set_active(user, active)
    db.session.flush()
    return user
