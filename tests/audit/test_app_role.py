"""H5 on PostgreSQL: the app's own role cannot change or delete records even without triggers."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import ProgrammingError

from wuye_field.audit.app_role import grant_app_role
from wuye_field.extensions import db


@pytest.fixture
def app_role(app, demo):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("roles and grants are PostgreSQL's")
    role = f"wuye_app_{uuid.uuid4().hex[:8]}"
    db.session.execute(text(f'CREATE ROLE "{role}" LOGIN'))
    restricted = grant_app_role(db.session.connection(), role)
    db.session.commit()
    engine = create_engine(db.engine.url.set(username=role, password=None))
    yield engine, restricted
    engine.dispose()
    db.session.execute(text(f'DROP OWNED BY "{role}"'))
    db.session.execute(text(f'DROP ROLE "{role}"'))
    db.session.commit()


def test_the_app_role_reads_and_adds_records_but_cannot_change_them(app_role):
    engine, restricted = app_role
    assert {"scan", "handover", "order_event", "audit_chain", "defect"} <= set(restricted)
    with engine.begin() as conn:
        assert conn.execute(text("SELECT count(*) FROM scan")).scalar() == 0
        conn.execute(text("UPDATE place SET name = name"))  # configuration stays editable
        conn.execute(text("UPDATE audit_chain_head SET seq = seq"))  # so does the chain's head row
    for statement in ("UPDATE audit_chain SET hash = hash", "DELETE FROM photo_link", "TRUNCATE handover",
                      "UPDATE audit_admin_change SET what = what"):
        with engine.begin() as conn, pytest.raises(ProgrammingError, match="permission denied"):
            conn.execute(text(statement))


def test_only_plain_role_names_are_granted(app_role):
    with pytest.raises(ValueError):
        grant_app_role(db.session.connection(), 'x"; DROP TABLE scan; --')
