"""record_scan and friends, called without a request (plain values in, Scan out)."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest

from wuye_field.accounts.services import find_user_by_login
from wuye_field.core.errors import DomainError, NotFound
from wuye_field.core.time import as_utc
from wuye_field.extensions import db
from wuye_field.patrol import services
from wuye_field.places.services import reissue_tag
from wuye_field.sync.receipt import ClockSkew
from tests.sync import helpers

MADE = datetime(2026, 5, 1, 6, 5, tzinfo=timezone.utc)  # 14:05 in Shanghai
RECEIVED = MADE + timedelta(hours=3)


def _record(user, token, device_time=MADE, skew=None, **overrides):
    values = {"via": "link", "note": "", "photo_ids": ""} | overrides
    return services.record_scan(user, token, helpers.receipt(device_time, received=RECEIVED, skew=skew), **values)


def test_record_scan_stores_both_times_and_the_place(demo):
    guard = find_user_by_login("guard01")
    place = helpers.place(demo)
    view = _record(guard, place.tag_token, note="  门已锁  ", skew=ClockSkew(-900.0, True))
    scan = view.scan
    assert scan.id and scan.place_id == place.id and scan.site_id == demo.id and scan.user_id == guard.id
    assert scan.note == "门已锁" and scan.via == "link"
    assert scan.device_time == MADE and scan.received_at == RECEIVED
    assert scan.skew_flagged and scan.clock_skew_seconds == -900.0
    assert view.pending_photos == 0
    assert services.scan_message(view) == "已打卡：配电房 14:05"


@pytest.mark.parametrize("login", ["guard01", "supervisor01", "admin01"])
def test_patrolling_roles_may_scan(demo, login):
    assert _record(find_user_by_login(login), helpers.place(demo).tag_token).scan.id


@pytest.mark.parametrize("login", ["cleaner01", "tech01", "desk01"])
def test_other_roles_get_not_found(demo, login):
    with pytest.raises(NotFound):
        _record(find_user_by_login(login), helpers.place(demo).tag_token)


def test_cleaning_area_is_not_a_checkpoint(demo):
    with pytest.raises(NotFound):
        _record(find_user_by_login("guard01"), helpers.place(demo, "CL02").tag_token)


def test_place_of_another_site_is_not_found(demo, factories):
    other = factories.site()
    secret = factories.place(other)
    with pytest.raises(NotFound):
        _record(find_user_by_login("guard01"), secret.tag_token)


def test_retired_tag_is_recorded_as_retired_with_the_places_name(demo):
    """Issue 4: a replaced tag's scan is recorded for review (not refused), with a warning naming the place."""
    place = helpers.place(demo)
    old = place.tag_token
    reissue_tag(place, actor=find_user_by_login("admin01"), now=MADE)
    db.session.flush()
    view = _record(find_user_by_login("guard01"), old)
    assert view.scan.tag_retired and view.scan.place_id == place.id
    assert "配电房" in view.warning and "更换" in view.warning


def test_note_over_500_characters_is_refused(demo):
    guard = find_user_by_login("guard01")
    assert _record(guard, helpers.place(demo).tag_token, note="字" * 500).scan.id
    with pytest.raises(DomainError) as caught:
        _record(guard, helpers.place(demo).tag_token, note="字" * 501)
    assert caught.value.code == "note_too_long"


def test_via_values(demo):
    guard, token = find_user_by_login("guard01"), helpers.place(demo).tag_token
    assert _record(guard, token, via="camera").scan.via == "camera"
    assert _record(guard, token, via="scan").scan.via == "camera"  # the outbox's scanner says "scan"
    assert _record(guard, token, via="").scan.via == "link"
    assert _record(guard, token, via="manual").scan.via == "manual"
    with pytest.raises(DomainError):
        _record(guard, token, via="teleport")


def test_photo_ids_are_checked(demo):
    guard, token = find_user_by_login("guard01"), helpers.place(demo).tag_token
    with pytest.raises(DomainError):
        _record(guard, token, photo_ids="not-a-uuid")
    with pytest.raises(DomainError):
        _record(guard, token, photo_ids=",".join(str(uuid.uuid4()) for _ in range(11)))
    same = str(uuid.uuid4())
    assert _record(guard, token, photo_ids=f"{same}, {same.upper()},").pending_photos == 1


def test_photos_of_another_user_do_not_count(demo):
    """A record names photos by UUID; only its author's photo with that UUID fills the slot."""
    from wuye_field.photos.models import Photo

    guard, other = find_user_by_login("guard01"), find_user_by_login("guard02")
    photo_uuid = str(uuid.uuid4())
    db.session.add(Photo(client_uuid=photo_uuid, user_id=other.id, device_time=MADE, received_at=MADE, sha256="0" * 64,
                         display_key="k", thumb_key="k", width=1, height=1, format_in="JPEG", bytes_in=1, bytes_out=1))
    db.session.flush()
    assert _record(guard, helpers.place(demo).tag_token, photo_ids=photo_uuid).pending_photos == 1


def test_recent_scans_newest_first_with_pending_counts(demo):
    guard, place = find_user_by_login("guard01"), helpers.place(demo)
    for minutes in range(7):
        _record(guard, place.tag_token, device_time=MADE + timedelta(minutes=minutes),
                photo_ids=str(uuid.uuid4()) if minutes == 6 else "")
    recent = services.recent_scans(place)
    assert len(recent) == 5
    assert [as_utc(v.scan.device_time) for v in recent] == [MADE + timedelta(minutes=m) for m in (6, 5, 4, 3, 2)]
    assert [v.pending_photos for v in recent] == [1, 0, 0, 0, 0]


def test_control_characters_are_removed_from_notes(demo):
    """Found by the randomised test: a NUL in a note made PostgreSQL refuse the row (a 500)."""
    view = _record(find_user_by_login("guard01"), helpers.place(demo).tag_token, note="a\x00b\x07c\n第二行\t!")
    assert view.scan.note == "abc\n第二行\t!"


@pytest.mark.parametrize("token", ["", "x" * 65, "abc\x00def", "../etc", "a b"])
def test_malformed_tokens_are_not_found(demo, token):
    with pytest.raises(NotFound):
        _record(find_user_by_login("guard01"), token)
