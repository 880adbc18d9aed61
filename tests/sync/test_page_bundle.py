"""GET /sync/pages: the user's offline pages in one download, each exactly as its own GET answers it (issue 19)."""
from __future__ import annotations

import gzip
import json

import re

import brotli

from wuye_field.extensions import db
from wuye_field.sync import pages as page_bundle


def _without_token(html: str) -> str:
    """The page with its CSRF token (signed per request) blanked out."""
    token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    return html.replace(token, "TOKEN")


def _bundle(client, urls, **headers):
    query = "&".join("u=" + url for url in urls)
    return client.get("/sync/pages?" + query, headers={"Accept": "application/json", **headers})


def test_signed_out_is_401(client):
    response = _bundle(client, ["/"])
    assert response.status_code == 401


def test_each_page_is_what_its_own_get_answers(demo, client, auth):
    auth.login("guard01")
    urls = client.get("/sync/manifest").get_json()["pages"][:6]
    response = _bundle(client, urls)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    data = response.get_json()
    assert [page["url"] for page in data["pages"]] == urls and data["missing"] == []
    for page in data["pages"]:
        alone = client.get(page["url"])
        assert page["headers"]["Content-Type"] == alone.headers["Content-Type"]
        assert page["headers"]["Content-Security-Policy"] == alone.headers["Content-Security-Policy"]
        assert page["headers"]["Cache-Control"] == "no-store"
        assert _without_token(page["body"]) == _without_token(alone.get_data(as_text=True))  # the same markup


def test_only_the_users_own_offline_pages(demo, client, auth, factories):
    """Another site's tag page, an admin page, a page not on the list: missing, never rendered."""
    other = factories.place(factories.site())
    db.session.commit()
    auth.login("guard01")
    mine = client.get("/sync/manifest").get_json()["pages"][1]
    asked = [mine, f"/t/{other.tag_token}", "/admin/sites", "/export/scans.csv", mine]
    data = _bundle(client, asked).get_json()
    assert [page["url"] for page in data["pages"]] == [mine]
    assert data["missing"] == [f"/t/{other.tag_token}", "/admin/sites", "/export/scans.csv"]


def test_at_most_max_pages(monkeypatch, demo, client, auth):
    monkeypatch.setattr(page_bundle, "MAX_PAGES", 2)
    auth.login("guard01")
    urls = client.get("/sync/manifest").get_json()["pages"][:4]
    data = _bundle(client, urls).get_json()
    assert len(data["pages"]) == 2 and data["missing"] == urls[2:]


def test_the_pages_compressed_together_cost_a_fraction_of_one_by_one(demo, client, auth):
    """The shell every page repeats is sent once: a guard's pages in one Brotli body are well under a third of
    the same pages compressed one by one."""
    auth.login("guard01")
    urls = client.get("/sync/manifest").get_json()["pages"]
    assert len(urls) > 20
    response = _bundle(client, urls, **{"Accept-Encoding": "br"})
    assert response.headers["Content-Encoding"] == "br"
    together = len(response.get_data())
    data = json.loads(brotli.decompress(response.get_data()))
    assert not data["missing"]
    one_by_one = sum(len(brotli.compress(page["body"].encode(), quality=5)) for page in data["pages"])
    assert together * 3 < one_by_one, (together, one_by_one)
    gzipped = _bundle(client, urls, **{"Accept-Encoding": "gzip"})
    assert gzipped.headers["Content-Encoding"] == "gzip"
    assert [page["url"] for page in json.loads(gzip.decompress(gzipped.get_data()))["pages"]] == urls
