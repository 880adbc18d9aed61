"""Issue 19: compressed responses, content-hashed static files with a year's cache, per-role offline bundles."""
from __future__ import annotations

import gzip
import re
from pathlib import Path

import brotli
import pytest

from wuye_field.core.static_files import asset_url, logical_name

BR_GZIP = {"Accept-Encoding": "gzip, deflate, br"}


def _decoded(response) -> bytes:
    encoding = response.headers.get("Content-Encoding")
    data = response.get_data()
    return brotli.decompress(data) if encoding == "br" else gzip.decompress(data) if encoding == "gzip" else data


def test_static_files_have_content_hashed_names_cached_for_a_year(app, client):
    with app.test_request_context():
        url = asset_url("css/app.css")
    assert re.fullmatch(r"/static/css/app\.[0-9a-f]{10}\.css", url)
    response = client.get(url, headers=BR_GZIP)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["Content-Encoding"] == "br"
    assert response.mimetype == "text/css"
    assert _decoded(response) == (Path(app.static_folder) / "css" / "app.css").read_bytes()


def test_a_stale_or_missing_hash_still_gets_the_file_but_is_revalidated(client):
    """A page cached before a release names the old hash: it gets today's file, never cached for a year."""
    for url in ("/static/css/app.0123456789.css", "/static/css/app.css"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-cache", url
    assert client.get("/static/css/nothing.0123456789.css").status_code == 404
    assert client.get("/static/../app.py").status_code == 404


def test_conditional_get_of_a_static_file_is_304(app, client):
    with app.test_request_context():
        url = asset_url("js/app.js")
    first = client.get(url, headers={"Accept-Encoding": "gzip"})
    again = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_logical_name_strips_only_a_content_hash():
    assert logical_name("vendor/jsQR-1.4.0.0123456789.js") == ("vendor/jsQR-1.4.0.js", "0123456789")
    assert logical_name("vendor/jsQR-1.4.0.js") == ("vendor/jsQR-1.4.0.js", None)


@pytest.mark.parametrize("path", ["/login", "/manifest.webmanifest", "/sw.js", "/offline"])
def test_text_responses_are_brotli_else_gzip(client, path):
    response = client.get(path, headers=BR_GZIP)
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "br"
    assert "Accept-Encoding" in response.headers["Vary"]
    plain = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert plain.headers["Content-Encoding"] == "gzip"
    assert _decoded(plain)[:40] == _decoded(response)[:40] or path == "/login"  # login carries a fresh CSRF token


def test_pages_and_json_stay_no_store_when_compressed(demo, client, auth):
    auth.login("guard01")
    for path in ("/", "/sync/manifest"):
        response = client.get(path, headers=BR_GZIP)
        assert response.headers["Content-Encoding"] == "br", path
        assert response.headers["Cache-Control"] == "no-store", path


def test_svg_is_compressed(app, client, tmp_path):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg">' + b'<path d="M0 0h10v10H0z"/>' * 60 + b"</svg>"
    target = tmp_path / "x.svg"
    target.write_bytes(svg)
    app.static_folder = str(tmp_path)
    response = client.get("/static/x.svg", headers=BR_GZIP)
    assert response.mimetype == "image/svg+xml"
    assert response.headers["Content-Encoding"] == "br" and _decoded(response) == svg


def test_no_worker_shell_holds_the_decoder(client):
    body = client.get("/sw.js").get_data(as_text=True)
    assert "jsQR" not in body
    assert "scanner.js" not in body


@pytest.mark.parametrize("staff_no, scans", [("guard01", True), ("cleaner01", True), ("tech01", True),
                                             ("supervisor01", True), ("desk01", False), ("admin01", False)])
def test_offline_bundle_depends_on_the_role(demo, client, auth, staff_no, scans):
    """Roles that scan get the scanner page and its script offline; desk and admin get neither; nobody's
    bundle holds the decoder (the scanner fetches it on first open)."""
    auth.login(staff_no)
    data = client.get("/sync/manifest").get_json()
    assets = " ".join(data["assets"])
    assert ("/scan" in data["pages"]) is scans
    assert ("js/scanner." in assets) is scans
    assert "jsQR" not in assets
    for url in data["assets"]:
        assert client.get(url).headers["Cache-Control"] == "public, max-age=31536000, immutable", url


def test_static_text_is_compressed_once_at_the_strongest_level(app, client):
    """The decoder as served: Brotli 11 (≈ 33 KB of 257 KB), gzip for a client without Brotli, plain otherwise."""
    with app.test_request_context():
        url = asset_url("vendor/jsQR-1.4.0.js")
    original = (Path(app.static_folder) / "vendor" / "jsQR-1.4.0.js").read_bytes()
    br = client.get(url, headers=BR_GZIP)
    assert br.headers["Content-Encoding"] == "br" and len(br.get_data()) < 36 * 1024
    assert _decoded(br) == original
    gz = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert gz.headers["Content-Encoding"] == "gzip" and _decoded(gz) == original
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers and plain.get_data() == original
    assert len({br.headers["ETag"], gz.headers["ETag"], plain.headers["ETag"]}) == 3
    png = client.get(asset_url_in(app, "icons/icon-192.png"), headers=BR_GZIP)
    assert "Content-Encoding" not in png.headers  # already compressed


def asset_url_in(app, name: str) -> str:
    with app.test_request_context():
        return asset_url(name)
