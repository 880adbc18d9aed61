"""Admin (管理处) rules for users and their roles (accounts services), tested without a request."""
from __future__ import annotations

import pytest

from tests.admin_helpers import count, user
from wuye_field.accounts import services as accounts
from wuye_field.accounts.models import Membership, User
from wuye_field.core.errors import FieldErrors
from wuye_field.core.errors import Forbidden, NotFound


@pytest.fixture(autouse=True)
def _locale(app):
    """Flask-Babel's locale selector (core.i18n) reads the request's cookies, so gettext needs a request
    context even though no request is made: push an empty one. The services themselves never read it."""
    with app.test_request_context():
        yield


# ---------------------------------------------------------------- users

NEW_USER = {"staff_no": "guard09", "name": "新护管", "phone": "", "password": "secret-123"}


def test_admin_creates_a_user_with_roles_on_their_sites(demo, admin01):
    created = accounts.admin_create_user(admin01, **NEW_USER, roles={demo.id: {"guard", "cleaner"}},
                                         hash_method="pbkdf2:sha256:1000")
    assert created.roles == {"guard", "cleaner"} and created.phone is None
    assert accounts.authenticate("guard09", "secret-123") is created


@pytest.mark.parametrize(("field", "value", "message"), [
    ("staff_no", "", "工号须为"),
    ("staff_no", "guard 9", "工号须为"),
    ("staff_no", "GUARD01", "工号已存在。"),
    ("name", "", "请填写姓名。"),
    ("name", "长" * 51, "姓名最多 50 个字。"),
    ("phone", "12345", "手机号须为 11 位数字。"),
    ("phone", "13800000001", "手机号已被其他账号使用。"),
    ("password", "short", "密码至少 8 位。"),
])
def test_bad_user_input_is_refused_per_field(demo, admin01, field, value, message):
    before = count(User)
    with pytest.raises(FieldErrors) as caught:
        accounts.admin_create_user(admin01, **(NEW_USER | {field: value}), roles={demo.id: {"guard"}})
    assert caught.value.errors[field].startswith(message)
    assert count(User) == before


def test_a_new_user_needs_a_role(demo, admin01):
    with pytest.raises(FieldErrors) as caught:
        accounts.admin_create_user(admin01, **NEW_USER, roles={demo.id: set()})
    assert caught.value.errors["roles"] == "请至少选择一个小区的一个角色。"


def test_roles_on_a_foreign_site_are_never_granted(demo, admin01, other_admin):
    memberships = count(Membership)
    with pytest.raises(NotFound):
        accounts.admin_create_user(other_admin, **NEW_USER, roles={demo.id: {"guard"}})
    with pytest.raises(NotFound):
        accounts.admin_update_user(admin01, user("guard01").id, name="张伟", phone="",
                                   roles={next(iter(other_admin.site_ids())): {"admin"}})
    assert count(Membership) == memberships


def test_role_tokens_must_be_well_formed():
    assert accounts.parse_role_tokens(["3:guard", "3:cleaner", "4:admin"]) == {3: {"guard", "cleaner"}, 4: {"admin"}}
    with pytest.raises(accounts.DomainError):
        accounts.parse_role_tokens(["3:king"])
    with pytest.raises(accounts.DomainError):
        accounts.parse_role_tokens(["x:guard"])
    with pytest.raises(accounts.DomainError):
        accounts.parse_role_tokens(["²:guard"])


def test_user_list_is_scoped_to_the_admins_sites(demo, admin01, other_admin, factories):
    rows = accounts.admin_users(admin01, demo.id)
    staff = {row.user.staff_no for row in rows}
    assert {"guard01", "admin01", "desk01"} <= staff and other_admin.staff_no not in staff
    assert "示范小区 · 护管员" in next(r for r in rows if r.user.staff_no == "guard01").role_labels
    assert [row.user.staff_no for row in accounts.admin_users(other_admin)] == [other_admin.staff_no]
    with pytest.raises(NotFound):
        accounts.admin_users(other_admin, demo.id)
    with pytest.raises(NotFound):
        accounts.admin_user(other_admin, user("guard01").id)


def test_editing_roles_keeps_roles_on_other_admins_sites(demo, admin01, other_admin):
    guard = user("guard01")
    other_site = next(iter(other_admin.site_ids()))
    accounts.set_roles(guard, {demo.id: {"guard"}, other_site: {"guard"}})
    accounts.admin_update_user(admin01, guard.id, name="张伟伟", phone="13900000000", roles={demo.id: {"supervisor"}})
    assert {(m.site_id, m.role) for m in guard.memberships} == {(demo.id, "supervisor"), (other_site, "guard")}
    assert (guard.name, guard.phone) == ("张伟伟", "13900000000")
    # Taking every role on my sites away is fine when the user still works elsewhere.
    accounts.admin_update_user(admin01, guard.id, name="张伟", phone="", roles={})
    assert guard.site_ids() == {other_site}


def test_a_user_cannot_be_left_without_any_role(demo, admin01):
    with pytest.raises(FieldErrors, match="请至少保留一个角色"):
        accounts.admin_update_user(admin01, user("guard01").id, name="张伟", phone="", roles={})


def test_an_admin_keeps_their_own_admin_role(demo, admin01):
    with pytest.raises(FieldErrors, match="不能取消您自己的管理处角色"):
        accounts.admin_update_user(admin01, admin01.id, name="赵敏", phone="", roles={demo.id: {"supervisor"}})


def test_deactivation_and_password_reset_end_sessions(demo, admin01):
    guard = user("guard01")
    version = guard.session_version
    accounts.admin_set_active(admin01, guard.id, False)
    assert not guard.active and guard.session_version == version + 1
    accounts.admin_set_active(admin01, guard.id, True)
    accounts.admin_reset_password(admin01, guard.id, "new-secret-1", "pbkdf2:sha256:1000")
    assert guard.active and guard.session_version == version + 2
    with pytest.raises(FieldErrors, match="密码至少 8 位"):
        accounts.admin_reset_password(admin01, guard.id, "short")


def test_an_admin_cannot_deactivate_themself(demo, admin01):
    with pytest.raises(FieldErrors) as caught:
        accounts.admin_set_active(admin01, admin01.id, False)
    assert caught.value.errors == {"active": "不能停用您自己的账号。"}
    assert admin01.active


def test_a_site_admin_cannot_take_over_a_company_admin(demo, admin01, factories):
    site_admin = factories.user(role="admin", site=demo)
    with pytest.raises(Forbidden):
        accounts.admin_reset_password(site_admin, admin01.id, "taken-over-1")
    with pytest.raises(Forbidden):
        accounts.admin_set_active(site_admin, admin01.id, False)
