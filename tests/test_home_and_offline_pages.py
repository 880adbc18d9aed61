"""Home cards and the offline manifest lead each role to its work: cleaners to 「今日任务」, guards and the
desk to their handover posts, supervisors to the reports (issues 6 and 7)."""
from __future__ import annotations

from flask import url_for


def _manifest(client) -> list[str]:
    return client.get("/sync/manifest").get_json()["pages"]


def test_a_cleaner_home_links_today_with_a_count_and_keeps_it_offline(client, auth, app, demo):
    auth.login("cleaner01")
    page = client.get("/").get_data(as_text=True)
    assert 'data-home-link="cleaning-today"' in page and "今日任务" in page
    assert " / " in page.split('data-home-link="cleaning-today"')[1].split("</a>")[0]
    with app.test_request_context():
        assert url_for("cleaning.today") in _manifest(client)
    assert "home-handover" not in page  # cleaners hold no handover post


def test_a_guard_home_lists_their_posts_and_the_posts_open_offline(client, auth, app, demo):
    auth.login("guard01")
    page = client.get("/").get_data(as_text=True)
    assert 'id="home-handover"' in page and "home-cleaning" not in page
    pages = _manifest(client)
    assert "/handover/" in pages
    assert any(p.startswith("/handover/posts/") for p in pages)
    for url in [p for p in pages if p.startswith("/handover/")]:
        assert client.get(url).status_code == 200, url


def test_a_supervisor_home_links_the_cleaning_reports(client, auth, demo):
    auth.login("supervisor01")
    page = client.get("/").get_data(as_text=True)
    assert "/cleaning/report" in page and "/cleaning/report/week" in page
    assert client.get("/cleaning/report").status_code == 200


def test_every_manifest_page_opens_for_its_user(client, auth, demo):
    for username in ("guard01", "cleaner01", "desk01", "supervisor01", "tech01"):
        auth.login(username)
        for url in _manifest(client):
            assert client.get(url).status_code == 200, (username, url)
        auth.logout()


def test_the_bottom_nav_leads_each_role_to_its_work(client, auth, demo):
    expected = {"guard01": "patrol", "cleaner01": "cleaning", "tech01": "orders", "desk01": "desk",
                "supervisor01": "board"}
    for username, nav in expected.items():
        auth.login(username)
        page = client.get("/").get_data(as_text=True)
        assert f'data-nav="{nav}"' in page, username
        others = set(expected.values()) - {nav}
        assert not any(f'data-nav="{other}"' in page for other in others), username
        link = page.split(f'data-nav="{nav}"')[0].rsplit('href="', 1)[1].split('"')[0]
        assert client.get(link).status_code == 200, (username, link)
        auth.logout()
