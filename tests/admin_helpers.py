"""Helpers for the admin (管理处) page tests of places (sites, buildings, places) and accounts (users).

The fixtures they use (`admin`, `ids`, `admin01`, `other_admin`) are in tests/conftest.py.
"""
from __future__ import annotations

from sqlalchemy import func, select

from wuye_field.accounts.models import Membership, User
from wuye_field.extensions import db
from wuye_field.places.models import Building, Place, Site

HX = {"HX-Request": "true"}

SITE_FORM = {"code": "NEW", "name": "新小区", "timezone": "Asia/Shanghai", "public_base_url": "https://a.example.com"}
PLACE_FORM = {"name": "新地点", "code": "NEW1", "kind": "checkpoint", "patrol_interval_min": "240"}
USER_FORM = {"staff_no": "new01", "name": "新人", "phone": "", "password": "secret-123"}


def one(model, **where):
    return db.session.scalar(select(model).filter_by(**where))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def user(staff_no: str) -> User:
    return db.session.scalar(select(User).where(User.staff_no == staff_no))


def snapshot() -> tuple:
    """Row counts of everything the admin pages write, to prove a refused form stored nothing."""
    models = (Site, Building, Place, User, Membership)
    return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in models)


def fill(value, ids):
    if isinstance(value, list):
        return [v.format(**ids) for v in value]
    return value


def assert_page_or_fragment(admin, ids, url, section):
    """The same URL answers the whole page, or (with HX-Request) only its section; both vary on HX-Request."""
    page = admin.get(url.format(**ids))
    fragment = admin.get(url.format(**ids), headers=HX)
    assert page.status_code == fragment.status_code == 200
    assert "<html" in page.text and f'id="{section}"' in page.text
    assert "<html" not in fragment.text and f'id="{section}"' in fragment.text
    assert "HX-Request" in page.headers["Vary"] and "HX-Request" in fragment.headers["Vary"]


def assert_refused_and_nothing_stored(admin, ids, url, form, message, headers):
    """A bad form answers 200 with the field's Chinese message (page or fragment) and stores nothing."""
    form = {"roles": ["{site}:guard"]} | form if url == "/admin/users" else form
    before = snapshot()
    names = {p.id: (p.name, p.code, p.patrol_interval_min) for p in db.session.scalars(select(Place))}
    response = admin.post(url.format(**ids), data={k: fill(v, ids) for k, v in form.items()}, headers=headers)
    assert response.status_code == 200
    assert message in response.text and 'class="field-error"' in response.text
    assert ("<html" in response.text) == (not headers)
    db.session.expire_all()
    assert snapshot() == before
    assert {p.id: (p.name, p.code, p.patrol_interval_min) for p in db.session.scalars(select(Place))} == names
    assert one(Site, id=ids["site"]).name == "示范小区" and one(User, id=ids["user"]).name == "张伟"


def assert_other_sites_admin_gets_404(client, auth, factories, ids, method, url, form):
    """Other sites' objects answer 404, never 403: their existence is not confirmed (R15)."""
    factories.user(role="admin", site=factories.site(code="OTHER"), staff_no="other-admin")
    db.session.commit()
    auth.login("other-admin", "password-123")
    before = snapshot()
    data = {k: fill(v, ids) for k, v in (form or {}).items()}
    response = getattr(client, method)(url.format(**ids), data=data, headers=HX)
    assert response.status_code == 404
    assert "不存在" in response.text
    db.session.expire_all()
    assert snapshot() == before
    assert one(User, staff_no="guard01").active and one(Place, code="CP01").active
