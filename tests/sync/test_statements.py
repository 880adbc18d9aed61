"""A scan costs few SQL statements (issue 13): 13 at first, then 11 (the place is not loaded again for the answer
and the chain head is inserted only when a site has none), 10 now (the user and its roles in one statement).
A batch action costs less than a single request: the user, the batch's stored keys and quarantine are read once
per batch, and the records are linked at the end of the batch (content read back in one query per kind, the
head locked and written once, the links inserted in one statement)."""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from tests.sync import helpers
from tests.sync.test_batch import action, send
from wuye_field.extensions import db

SCAN_STATEMENTS = 10  # user+roles, key claim, quarantine check, place, scan, read back, head, link, head, answer
BATCH_ACTION_STATEMENTS = 4  # key claim, place, scan, answer (each action in its own savepoint)
BATCH_STATEMENTS = 7  # user+roles, stored keys, quarantined keys; read back, head lock, head update, links


@contextmanager
def counted():
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE")):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def test_a_scan_costs_ten_statements(client, auth, demo):
    auth.login("guard01")
    token = helpers.place(demo).tag_token
    assert helpers.post_scan(client, token).status_code == 201  # the site's chain head exists from here on
    with counted() as statements:
        assert helpers.post_scan(client, token, note="数一数").status_code == 201
    assert len(statements) == SCAN_STATEMENTS, "\n".join(s.split("\n")[0][:100] for s in statements)


def test_a_batch_action_costs_less_than_a_single_request(client, auth, demo):
    auth.login("guard01")
    token = helpers.place(demo).tag_token
    assert helpers.post_scan(client, token).status_code == 201
    with counted() as statements:
        assert [r["status"] for r in send(client, [action(token) for _ in range(10)])] == [201] * 10
    assert len(statements) == 10 * BATCH_ACTION_STATEMENTS + BATCH_STATEMENTS, "\n".join(
        s.split("\n")[0][:100] for s in statements)
