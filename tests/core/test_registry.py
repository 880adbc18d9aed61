"""The one registry (core/registry.py): each app holds its own home sections, place panels and offline
pages, filled by the domains' `views.register(app)`; the home page and the manifest read nothing else."""
from __future__ import annotations

import pytest

from wuye_field.core import registry


def test_each_app_keeps_its_own_registry_and_a_provider_counts_once(make_app):
    first, second = make_app(), make_app()

    def extra(user):
        return ["/extra"]

    registry.add(first, registry.OFFLINE_PAGES, extra, extra)
    with first.app_context():
        assert registry.providers(registry.OFFLINE_PAGES).count(extra) == 1
    with second.app_context():
        assert extra not in registry.providers(registry.OFFLINE_PAGES)
        assert registry.providers(registry.HOME_SECTIONS)  # the domains registered theirs


def test_an_unknown_registry_is_refused(app):
    with pytest.raises(ValueError, match="unknown registry"):
        registry.add(app, "footer_links", lambda user: [])


def test_admin_home_shows_the_cards_then_administration_then_the_place_lists(client, auth, demo):
    """The checkpoint and cleaning lists come from patrol and cleaning as sections, after the admin card."""
    auth.login("admin01")
    page = client.get("/").get_data(as_text=True)
    markers = ('class="tile" href="/admin/users"', 'id="checkpoint-list"', 'id="cleaning-list"')
    positions = [page.index(marker) for marker in markers]
    assert positions == sorted(positions)
    assert page.index('id="home-defects"') < positions[0]  # a domain card (order 50) comes first


def test_a_cleaner_home_lists_areas_but_no_checkpoints(client, auth, demo):
    auth.login("cleaner01")
    page = client.get("/").get_data(as_text=True)
    assert 'id="cleaning-list"' in page and 'id="checkpoint-list"' not in page


def test_the_manifest_still_starts_from_home_outbox_scanner_profile_and_the_tag_pages(client, auth, demo):
    from tests.sync.helpers import place

    auth.login("guard01")
    pages = client.get("/sync/manifest").get_json()["pages"]
    assert {"/", "/sync/outbox", "/scan", "/me"} <= set(pages)
    assert f"/t/{place(demo).tag_token}" in pages
    assert len(pages) == len(set(pages))
