"""A scan costs few SQL statements (issue 13): 13 before, 11 now — the place is not loaded again for the answer
and the chain head is inserted only when a site has none. A batch action costs what a single request does."""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from tests.sync import helpers
from tests.sync.test_batch import action, send
from wuye_field.extensions import db

SCAN_STATEMENTS = 11  # user, roles, key claim, quarantine check, place, scan, read back, head, link, head, answer


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


def test_a_scan_costs_eleven_statements(client, auth, demo):
    auth.login("guard01")
    token = helpers.place(demo).tag_token
    assert helpers.post_scan(client, token).status_code == 201  # the site's chain head exists from here on
    with counted() as statements:
        assert helpers.post_scan(client, token, note="数一数").status_code == 201
    assert len(statements) == SCAN_STATEMENTS, "\n".join(s.split("\n")[0][:100] for s in statements)


def test_a_batch_action_costs_what_a_single_request_does(client, auth, demo):
    auth.login("guard01")
    token = helpers.place(demo).tag_token
    assert helpers.post_scan(client, token).status_code == 201
    with counted() as statements:
        assert [r["status"] for r in send(client, [action(token) for _ in range(10)])] == [201] * 10
    assert len(statements) == 10 * SCAN_STATEMENTS + 2  # + the batch request's own sign-in check (user, roles)
