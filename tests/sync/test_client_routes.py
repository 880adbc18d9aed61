"""The routes the phone's offline machinery relies on: /sync/csrf, /sync/manifest, /sw.js, logout."""
from __future__ import annotations

import re

from wuye_field.extensions import db
from wuye_field.pwa.assets import SHELL_FILES


def test_csrf_signed_out_is_401_json(client):
    """R8: the outbox learns it must wait for a login; it is not redirected to an HTML page."""
    response = client.get("/sync/csrf", headers={"Accept": "application/json"})
    assert response.status_code == 401
    assert response.get_json()["error"] == "login_required"
    assert response.headers["Cache-Control"] == "no-store"


def test_csrf_signed_in_gives_a_token_and_who_is_signed_in(demo, client, auth):
    auth.login("guard01")
    response = client.get("/sync/csrf", headers={"Accept": "application/json"})
    data = response.get_json()
    assert response.status_code == 200
    assert data["csrf_token"]
    from wuye_field.accounts.models import User

    assert data["user_id"] == db.session.scalar(db.select(User.id).where(User.staff_no == "guard01"))


def test_manifest_lists_the_users_own_tag_pages_only(demo, client, auth, factories):
    """The pages kept offline: guard01 of DEMO gets DEMO's tag pages; a guard of another site gets none of them."""
    from wuye_field.places.models import Place

    demo_tags = {f"/t/{p.tag_token}" for p in db.session.scalars(db.select(Place).where(Place.site_id == demo.id))}
    other_site = factories.site()
    other_place = factories.place(other_site)
    factories.user(site=other_site, staff_no="guard-other", password="password-123")
    db.session.commit()

    auth.login("guard01")
    pages = set(client.get("/sync/manifest").get_json()["pages"])
    assert "/" in pages and "/sync/outbox" in pages and "/scan" in pages
    assert demo_tags <= pages
    assert f"/t/{other_place.tag_token}" not in pages

    client.post("/logout")
    auth.login("guard-other", "password-123")
    pages = set(client.get("/sync/manifest").get_json()["pages"])
    assert f"/t/{other_place.tag_token}" in pages
    assert not demo_tags & pages


def test_service_worker_is_served_from_the_root_with_its_shell(client):
    response = client.get("/sw.js")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert response.headers["Cache-Control"] == "no-cache"
    assert body.startswith("self.WUYE_SW = ")
    for name in SHELL_FILES:
        stem, ext = name.rsplit(".", 1)
        assert re.search(rf'"/static/{re.escape(stem)}\.[0-9a-f]{{10}}\.{ext}"', body), name
    assert '"/offline"' in body


def test_shell_version_changes_when_a_shell_file_changes(app, tmp_path):
    """A new release (any shell file changed) means a new worker and a new cache name."""
    from wuye_field.pwa import assets

    with app.test_request_context():
        before = assets.shell_version(assets.worker_source())
        assert assets.shell_version(assets.worker_source() + "\n// changed") != before
        original = assets.static_hash
        try:
            assets.static_hash = lambda name: "0" * 10 if name == "css/app.css" else original(name)
            assert assets.shell_version(assets.worker_source()) != before
        finally:
            assets.static_hash = original


def test_logout_sends_no_clear_site_data(demo, client, auth):
    """R16: logout must not wipe the phone's outbox."""
    auth.login("guard01")
    response = client.post("/logout")
    assert response.status_code == 303
    assert "Clear-Site-Data" not in response.headers


def test_outbox_page_has_the_list_and_diagnostics(demo, client, auth):
    auth.login("guard01")
    html = client.get("/sync/outbox").get_data(as_text=True)
    assert "data-outbox-list" in html
    for key in ("persisted", "usage", "oldest", "sw", "last-sync", "offline-refresh"):
        assert f'data-diag="{key}"' in html


def test_scanner_page_loads_the_decoder_and_a_manual_field(demo, client, auth):
    auth.login("guard01")
    html = client.get("/scan").get_data(as_text=True)
    assert "js/scanner." in html
    # The decoder is named for scanner.js to fetch on first use, never loaded by the page itself.
    assert re.search(r'data-decoder="/static/vendor/jsQR-1\.4\.0\.[0-9a-f]{10}\.js"', html)
    assert not re.search(r'<script[^>]+src="[^"]*jsQR', html)
    assert "data-scanner-manual" in html
