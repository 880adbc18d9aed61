"""The app factory: configuration, production refusal, health check, manifest."""
import pytest

from wuye_field import create_app


def test_testing_config(app):
    assert app.testing
    assert app.config["BABEL_DEFAULT_LOCALE"] == "zh_CN"


def test_production_refuses_to_start_without_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("WUYE_INSTANCE_PATH", str(tmp_path))
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"WUYE_ENV": "production", "SECRET_KEY": None, "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_development_key_is_random_and_kept(monkeypatch, tmp_path):
    monkeypatch.setenv("WUYE_INSTANCE_PATH", str(tmp_path))
    first = create_app({"SECRET_KEY": None, "SQLALCHEMY_DATABASE_URI": "sqlite://"}).config["SECRET_KEY"]
    second = create_app({"SECRET_KEY": None, "SQLALCHEMY_DATABASE_URI": "sqlite://"}).config["SECRET_KEY"]
    assert first == second and len(first) == 64


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert response.json["database"] == "ok"


def test_manifest_makes_the_app_installable(client):
    data = client.get("/manifest.webmanifest").json
    assert data["name"] == "物业外勤"
    assert data["display"] == "standalone"
    assert {icon["sizes"] for icon in data["icons"]} >= {"192x192", "512x512"}
    assert data["start_url"].startswith("/")
    assert data["theme_color"]


def test_service_worker_is_served_from_the_root_scope(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert "javascript" in response.mimetype
