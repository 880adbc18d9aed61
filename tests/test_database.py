"""Database set-up: SQLite writers wait for each other instead of failing with "database is locked"."""
import threading

import pytest
from sqlalchemy import func, select

from wuye_field.extensions import db
from wuye_field.places.models import Building


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite-specific")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_concurrent_read_then_write_transactions_all_succeed(app, factories):
    """Each thread reads a count then writes: deferred SQLite transactions would fail to upgrade."""
    site_id = factories.site().id
    db.session.commit()  # the test's own session holds no transaction while the threads write
    errors: list[Exception] = []
    start = threading.Barrier(4)

    def worker(n: int) -> None:
        with app.app_context():
            try:
                start.wait()
                for i in range(10):
                    count = db.session.scalar(select(func.count(Building.id)).where(Building.site_id == site_id))
                    db.session.add(Building(site_id=site_id, name=f"{n}-{i}-{count}"))
                    db.session.commit()
            except Exception as exc:  # collected and asserted below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert db.session.scalar(select(func.count(Building.id)).where(Building.site_id == site_id)) == 40
