"""A scratch PostgreSQL database and an app bound to it, for the benches; dropped afterwards."""
from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

DEFAULT_ADMIN_URL = os.environ.get("PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/test")


@contextmanager
def scratch_app(admin_url: str, label: str, *, keep: bool = False) -> Iterator[tuple[object, str, str]]:
    """Create database `wuye_bench_<label>_<pid>` next to `admin_url`'s, yield (app, psycopg URL, name);
    dispose of the app's engine and drop the database at the end (unless `keep`)."""
    admin_url = admin_url.replace("postgresql+psycopg://", "postgresql://")
    name = f"wuye_bench_{label}_{os.getpid()}"
    url = f"{admin_url.rpartition('/')[0]}/{name}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    app = None
    try:
        from wuye_field import create_app

        app = create_app({"SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://"),
                          "SECRET_KEY": "bench", "WUYE_DATA_DIR": f"/tmp/{name}", "RATELIMIT_ENABLED": False})
        yield app, url, name
    finally:
        if app is not None:
            from wuye_field.extensions import db

            with app.app_context():
                db.session.remove()
                db.engine.dispose()
        if keep:
            print(f"kept {name}")
        else:
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            print(f"dropped {name}")
