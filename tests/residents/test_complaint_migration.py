"""The migration that made residents' complaints complaints moves the window's complaint requests over: with
their reference, the site's own cut-off for the clock, a taken one's owner, a closed one answered and
waiting for the resident's verdict; repairs stay where they are (SQLite and PostgreSQL)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flask_migrate import upgrade
from sqlalchemy import text

from tests.factories import Factories
from tests.test_migrations import _config, _fresh_database_urls
from wuye_field import create_app
from wuye_field.audit.settings_history import SITE_WIDE, SettingChange
from wuye_field.extensions import db
from wuye_field.residents.models import ResidentRequest

BEFORE = "b7f0b634eb3a"
SHANGHAI = timezone(timedelta(hours=8))


def _requests(site, building, owner) -> None:
    at = datetime(2026, 6, 3, 19, 0, tzinfo=SHANGHAI)
    rows = [("R2606030001", "complaint", "new", None, None, ""),
            ("R2606030002", "complaint", "taken", owner.id, None, ""),
            ("R2606030003", "complaint", "closed", owner.id, at + timedelta(hours=2), "已回电，已清理"),
            ("R2606030004", "repair", "new", None, None, "")]
    for reference, kind, state, owner_id, closed_at, note in rows:
        db.session.add(ResidentRequest(site_id=site.id, building_id=building.id, reference=reference, kind=kind,
                                       category="other", phone="13900005555", description="楼道堆放杂物",
                                       state=state, created_at=at, owner_id=owner_id, closed_at=closed_at,
                                       note=note))
    db.session.add(SettingChange(site_id=site.id, subject="site", subject_id=SITE_WIDE,
                                 name="incidents.complaint_cutoff", value="18:00",
                                 effective_from=datetime(2026, 1, 1, tzinfo=timezone.utc),
                                 recorded_at=datetime(2026, 1, 1, tzinfo=timezone.utc)))


def test_the_windows_complaint_requests_move_to_complaints(tmp_path, monkeypatch, postgres_admin_url):
    monkeypatch.setenv("WUYE_INSTANCE_PATH", str(tmp_path / "instance"))
    checked = []
    for url in _fresh_database_urls(tmp_path, postgres_admin_url):
        app = create_app(_config(url, tmp_path))
        with app.app_context():
            upgrade(directory="migrations", revision=BEFORE)
            with db.session.no_autoflush:  # the models are one revision ahead: insert only tables they share
                factories = Factories(app.config["PASSWORD_HASH_METHOD"])
                site = factories.site()
                building = factories.building(site, name="5栋")
                owner = factories.user("desk", site, name="客服丙")
                _requests(site, building, owner)
            db.session.commit()
            upgrade(directory="migrations")
            rows = db.session.execute(text(
                "SELECT reference, channel, who, owner_id, raised_by_id, answered_at, result, closed_at, "
                "answer_due, phone, building_id FROM complaint ORDER BY reference")).all()
            left = db.session.execute(text("SELECT reference, kind FROM resident_request")).all()
            assert [tuple(r) for r in left] == [("R2606030004", "repair")]
            assert [r.reference for r in rows] == ["R2606030001", "R2606030002", "R2606030003"]
            assert {(r.channel, r.who, r.raised_by_id, r.phone, r.building_id) for r in rows} == {
                ("window", "5栋住户", None, "13900005555", building.id)}
            assert [r.owner_id for r in rows] == [None, owner.id, owner.id]
            assert [r.result for r in rows] == ["", "", "已回电，已清理"]
            assert rows[2].answered_at is not None and rows[1].answered_at is None
            assert all(r.closed_at is None for r in rows)  # waiting for the resident's verdict
            due = rows[0].answer_due
            due = datetime.fromisoformat(due) if isinstance(due, str) else due
            due = due if due.tzinfo else due.replace(tzinfo=timezone.utc)
            # 19:00 is after the site's 18:00 cut-off: due at the next day's cut-off
            assert due == datetime(2026, 6, 4, 18, 0, tzinfo=SHANGHAI)
            db.session.remove()
            db.engine.dispose()
        checked.append(url.split(":", 1)[0])
    assert checked
