"""The supervisor's board, windows grid, compliance report, 补巡 and home card. (P2)"""
from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tests.sync.helpers import headers
from wuye_field.accounts.services import find_user_by_login
from wuye_field.audit.models import ChainEntry
from wuye_field.extensions import db
from wuye_field.patrol import compliance as rules
from wuye_field.patrol import supervision as sv
from wuye_field.patrol.models import PatrolMakeup, Scan
from wuye_field.places.models import Place

SH = ZoneInfo("Asia/Shanghai")


def local(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=SH).astimezone(timezone.utc)


def add_scan(site, place, user, when, **extra) -> Scan:
    scan = Scan(client_uuid=str(uuid.uuid4()), user_id=user.id, site_id=site.id, place_id=place.id,
                device_time=when, received_at=when, **extra)
    db.session.add(scan)
    db.session.flush()
    return scan


@pytest.fixture
def setup(factories):
    site = factories.site()
    b1 = factories.building(site, name="1栋")
    since = datetime(2026, 1, 1, tzinfo=timezone.utc)
    areas = {
        "A": factories.place(site, code="A", name="配电房", is_key_area=True, building_id=b1.id, created_at=since),
        "B": factories.place(site, code="B", name="水泵房", is_key_area=True, created_at=since),
        "C": factories.place(site, code="C", name="天台", is_key_area=True, patrol_interval_min=120, created_at=since),
    }
    factories.place(site, code="N", name="普通点")  # not a key area: never on the board
    guard = factories.user("guard", site)
    sup = factories.user("supervisor", site, staff_no="sup-x")
    return site, areas, guard, sup


def test_board_orders_overdue_first_and_ignores_retired_tags(setup):
    site, areas, guard, sup = setup
    now = datetime(2026, 11, 27, 4, 0, tzinfo=timezone.utc)
    add_scan(site, areas["A"], guard, now - timedelta(minutes=20))
    add_scan(site, areas["B"], guard, now - timedelta(minutes=215))
    add_scan(site, areas["B"], guard, now - timedelta(minutes=5), tag_retired=True)  # not a valid visit
    add_scan(site, areas["C"], guard, now - timedelta(minutes=150))  # 120-minute interval: overdue
    _sites, board = sv.board(sup, site.id, now=now)
    assert [(r.place.code, r.state, r.minutes_since) for r in board.rows] == [
        ("C", rules.OVERDUE, 150), ("B", rules.DUE_SOON, 215), ("A", rules.OK, 20)]
    assert (board.overdue, board.due_soon) == (1, 1)


def test_a_visit_dated_in_the_future_does_not_keep_an_area_green(setup):
    """R13: a phone clock set hours ahead cannot pre-date tonight's visits."""
    site, areas, guard, sup = setup
    now = datetime(2026, 11, 27, 4, 0, tzinfo=timezone.utc)
    add_scan(site, areas["A"], guard, now - timedelta(minutes=300))
    add_scan(site, areas["A"], guard, now + timedelta(hours=6), skew_flagged=True)
    add_scan(site, areas["B"], guard, now + timedelta(minutes=5))  # a few minutes ahead: still counts
    rows = {r.place.code: r for r in sv.board(sup, site.id, now=now)[1].rows}
    assert (rows["A"].state, rows["A"].minutes_since) == (rules.OVERDUE, 300)
    assert (rows["B"].state, rows["B"].minutes_since) == (rules.OK, 0)


def test_board_of_another_site_is_not_found(setup, factories):
    site, _areas, _guard, _sup = setup
    other_sup = factories.user("supervisor", factories.site())
    with pytest.raises(sv.NotFound):
        sv.board(other_sup, site.id, now=datetime.now(timezone.utc))


def test_grid_states_made_up_and_daily_share(setup):
    site, areas, guard, sup = setup
    day = date(2026, 11, 26)
    now = local(day + timedelta(days=1), 9)
    add_scan(site, areas["A"], guard, local(day, 1))        # 00–04 on time
    add_scan(site, areas["A"], guard, local(day, 8))        # exactly 08:00 → 08–12 window; 04–08 late
    add_scan(site, areas["A"], guard, local(day, 13))       # 12–16 on time
    db.session.add(PatrolMakeup(client_uuid=str(uuid.uuid4()), user_id=guard.id, site_id=site.id,
                                place_id=areas["A"].id, window_start=local(day, 16), reason="停电",
                                device_time=now, received_at=now))
    db.session.flush()
    _sites, grid = sv.grid(sup, site.id, day, now=now)
    names = [name for name, _areas in grid.groups]
    assert names[0] == "1栋"
    row_a = grid.groups[0][1][0]
    assert [c.state for c in row_a.cells] == [rules.ON_TIME, rules.LATE, rules.ON_TIME, rules.ON_TIME,
                                              rules.MADE_UP, rules.MISSED]
    assert row_a.tally.percent == "50%"
    assert [c.shift_start for c in row_a.cells] == [False, False, True, False, False, True]
    _sites, report = sv.compliance_report(sup, site.id, day, day, now=now)
    per_area = {p.code: t for p, t, _days in report.areas}
    assert (per_area["A"].on_time, per_area["A"].counted, per_area["A"].made_up) == (3, 6, 1)
    assert per_area["C"].counted == 12 and per_area["C"].on_time == 0
    assert report.total.on_time == 3 and report.total.counted == 6 + 6 + 12


def test_windows_before_the_place_existed_are_not_counted(setup, factories):
    site, _areas, _guard, sup = setup
    day = date(2026, 11, 26)
    factories.place(site, code="D", name="新部位", is_key_area=True, created_at=local(day, 10))
    _sites, report = sv.compliance_report(sup, site.id, day, day, now=local(day + timedelta(days=1), 9))
    per_area = {p.code: t for p, t, _days in report.areas}
    assert per_area["D"].counted == 3  # 12:00, 16:00, 20:00


def test_weekly_share_has_one_row_per_day(setup):
    site, areas, guard, sup = setup
    monday, sunday = sv.week_of(date(2026, 11, 26))
    assert (monday, sunday) == (date(2026, 11, 23), date(2026, 11, 29))
    for i in range(7):
        add_scan(site, areas["B"], guard, local(monday + timedelta(days=i), 9))
    now = local(sunday + timedelta(days=1), 1)
    _sites, report = sv.compliance_report(sup, site.id, monday, sunday, now=now)
    assert len(report.days) == 7
    assert all(t.on_time == 1 and t.counted == 24 for _d, t in report.days)  # 6 + 6 + 12 windows a day
    per_area = {p.code: t for p, t, _days in report.areas}
    assert per_area["B"].on_time == 7 and per_area["B"].counted == 42


def test_guard_stats_use_round_summaries(setup, monkeypatch):
    """Per guard: rounds, completion % and average time come from patrol.rounds' summaries."""
    site, _areas, guard, _sup = setup
    r1 = SimpleNamespace(user_id=guard.id, user=guard, id=1)
    r2 = SimpleNamespace(user_id=guard.id, user=guard, id=2)
    r3 = SimpleNamespace(user_id=guard.id, user=guard, id=3)
    summaries = {1: SimpleNamespace(scanned=8, missed=2, exceptions=1, finished=True, incomplete=False,
                                    duration_seconds=1200),
                 2: SimpleNamespace(scanned=5, missed=5, exceptions=0, finished=False, incomplete=True,
                                    duration_seconds=None),
                 3: SimpleNamespace(scanned=1, missed=0, exceptions=2, finished=False, incomplete=False,
                                    duration_seconds=None)}  # still running: not in completion %
    monkeypatch.setattr(sv, "rounds_between", lambda site_id, start, end: [r1, r2, r3])
    monkeypatch.setattr(sv, "round_summary", lambda r, now=None: summaries[r.id])
    day = datetime(2026, 11, 1, tzinfo=timezone.utc)
    stats = sv.guard_stats(site, day, day + timedelta(days=1), now=day + timedelta(days=1))
    assert [(g.rounds, g.completion, g.average_minutes, g.exceptions) for g in stats] == [(3, "65%", "20", 3)]


# ---------------------------------------------------------------- pages


def test_board_page_and_partial_for_supervisor(client, auth, demo):
    auth.login("supervisor01")
    page = client.get(f"/patrol/board?site={demo.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'hx-trigger="every 60s"' in html and "配电房" in html and "普通" not in html
    assert "Vary" in page.headers and "HX-Request" in page.headers["Vary"]
    part = client.get(f"/patrol/board?site={demo.id}", headers={"HX-Request": "true"})
    assert part.status_code == 200 and "<html" not in part.get_data(as_text=True)
    assert 'id="patrol-board"' in part.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/patrol/board", "/patrol/compliance/grid", "/patrol/compliance",
                                  "/patrol/compliance?period=week", "/patrol/anomalies"])
def test_pages_by_role(client, auth, demo, path):
    """Supervisors and admins 200; a guard 403; another site 404."""
    sep = "&" if "?" in path else "?"
    for login, status in (("supervisor01", 200), ("admin01", 200), ("guard01", 403)):
        auth.login(login)
        assert client.get(f"{path}{sep}site={demo.id}").status_code == status, login
        auth.logout()
    auth.login("supervisor01")
    assert client.get(f"{path}{sep}site=99999").status_code == 404


def test_bad_date_is_400_chinese(client, auth, demo):
    auth.login("supervisor01")
    response = client.get(f"/patrol/compliance/grid?site={demo.id}&date=2026-13-01")
    assert response.status_code == 400 and "日期格式" in response.get_data(as_text=True)


def test_home_shows_overdue_key_areas_to_supervisor(client, auth, demo):
    auth.login("supervisor01")
    html = client.get("/").get_data(as_text=True)
    assert 'id="home-patrol-board"' in html and "从未巡查" in html
    auth.logout()
    auth.login("guard01")
    assert 'id="home-patrol-board"' not in client.get("/").get_data(as_text=True)


# ---------------------------------------------------------------- 补巡 (make-up)


def _missed_window(place) -> rules.Window:
    now = datetime.now(timezone.utc)
    return rules.window_of(now - timedelta(hours=12), SH, [], place.patrol_interval_min)


def test_makeup_form_and_field_action_are_chained(client, auth, demo):
    place = db.session.scalar(select(Place).where(Place.site_id == demo.id, Place.code == "CP05"))
    window = _missed_window(place)
    auth.login("supervisor01")
    form = client.get("/patrol/makeups/new", query_string={"place": place.id, "window": window.start.isoformat()})
    html = form.get_data(as_text=True)
    assert form.status_code == 200 and 'data-action="makeup"' in html and "data-outbox" in html
    data = {"place_id": place.id, "window_start": window.start.isoformat(), "reason": "对讲机通知临时处理纠纷"}
    key = str(uuid.uuid4())
    first = client.post("/patrol/makeups", data=data, headers=headers(key))
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["message"].startswith("已补巡：配电房")
    replay = client.post("/patrol/makeups", data=data, headers=headers(key))
    assert replay.status_code == 200
    makeup = db.session.scalar(select(PatrolMakeup))
    assert makeup.user_id == find_user_by_login("supervisor01").id
    assert db.session.scalar(select(ChainEntry).where(ChainEntry.kind == "patrol_makeup")).record_id == makeup.id
    again = client.post("/patrol/makeups", data=data, headers=headers())
    assert again.status_code == 409 and again.get_json()["message"] == "该时段已补巡。"


def test_makeup_refusals(client, auth, demo):
    place = db.session.scalar(select(Place).where(Place.site_id == demo.id, Place.code == "CP05"))
    window = _missed_window(place)
    auth.login("guard01")

    def post(**d):
        return client.post("/patrol/makeups", data={"place_id": place.id, "reason": "原因", **d}, headers=headers())

    assert post(window_start=window.start.isoformat(), reason=" ").status_code == 422
    bad = post(window_start=(window.start + timedelta(minutes=5)).isoformat())
    assert bad.status_code == 400 and bad.get_json()["message"] == "补巡时段无效。"
    current = rules.window_of(datetime.now(timezone.utc), SH, [], place.patrol_interval_min)
    assert post(window_start=current.start.isoformat()).status_code == 422
    not_key = db.session.scalar(select(Place).where(Place.site_id == demo.id, Place.code == "CP01"))
    assert client.post("/patrol/makeups", data={"place_id": not_key.id, "reason": "x",
                                                 "window_start": window.start.isoformat()},
                       headers=headers()).status_code == 404


def test_guard_stats_with_real_rounds(setup, factories):
    """End to end with patrol.rounds: one finished round of 2 stops (1 scanned), 30 minutes."""
    from wuye_field.patrol.models import Round, RoundFinish

    site, areas, guard, sup = setup
    route = factories.route(site, [areas["A"], areas["B"]], name="夜巡", expected_minutes=30)
    start = datetime(2026, 11, 26, 2, 0, tzinfo=timezone.utc)
    round_ = Round(client_uuid=str(uuid.uuid4()), user_id=guard.id, site_id=site.id, route_id=route.id,
                   planned=f"{areas['A'].id},{areas['B'].id}", window_ends_at=start + timedelta(hours=4),
                   device_time=start, received_at=start)
    db.session.add(round_)
    db.session.flush()
    add_scan(site, areas["A"], guard, start + timedelta(minutes=10), round_id=round_.id)
    db.session.add(RoundFinish(client_uuid=str(uuid.uuid4()), user_id=guard.id, site_id=site.id, round_id=round_.id,
                               reason="对讲机呼叫", device_time=start + timedelta(minutes=30),
                               received_at=start + timedelta(minutes=30)))
    db.session.flush()
    _sites, report = sv.compliance_report(sup, site.id, date(2026, 11, 26), date(2026, 11, 26),
                                          now=datetime(2026, 11, 27, 12, tzinfo=timezone.utc))
    assert report.rounds_available
    assert [(g.user.id, g.rounds, g.completion, g.average_minutes) for g in report.guards] == [
        (guard.id, 1, "50%", "30")]
