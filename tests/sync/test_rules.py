"""Pure rules of the offline protocol: key parsing, clock skew, request fingerprints."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from wuye_field.sync.idempotency import clock_skew, parse_key, request_fingerprint
from wuye_field.sync.receipt import ClockSkew

NOW = datetime(2026, 5, 1, 6, 0, tzinfo=timezone.utc)


def test_parse_key_accepts_uuids_in_any_case_and_canonicalises():
    assert parse_key("6F9619FF-8B86-D011-B42D-00CF4FC964FF") == "6f9619ff-8b86-d011-b42d-00cf4fc964ff"
    assert parse_key(" 6f9619ff8b86d011b42d00cf4fc964ff ") == "6f9619ff-8b86-d011-b42d-00cf4fc964ff"


def test_parse_key_refuses_non_uuids():
    for raw in (None, "", "abc", "1", "6f9619ff-8b86-d011-b42d-00cf4fc964ff; drop table"):
        assert parse_key(raw) is None


def test_clock_skew_within_ten_minutes_is_not_flagged():
    assert clock_skew(NOW + timedelta(minutes=9), NOW, 600) == ClockSkew(540.0, False)
    assert clock_skew(NOW - timedelta(seconds=600), NOW, 600) == ClockSkew(-600.0, False)


def test_clock_skew_beyond_ten_minutes_is_flagged_either_way():
    """R13: a device clock days off is flagged."""
    assert clock_skew(NOW - timedelta(days=3), NOW, 600) == ClockSkew(-259200.0, True)
    assert clock_skew(NOW + timedelta(minutes=11), NOW, 600).flagged


def test_unknown_send_time_is_unknown_skew():
    assert clock_skew(None, NOW, 600) == ClockSkew(None, False)


def test_fingerprint_ignores_field_order_and_csrf_token():
    a = request_fingerprint("POST", "/patrol/scans", [("place", "t"), ("note", "x"), ("csrf_token", "1")])
    b = request_fingerprint("post", "/patrol/scans", [("note", "x"), ("place", "t"), ("csrf_token", "2")])
    assert a == b


def test_fingerprint_changes_with_values_path_and_files():
    base = request_fingerprint("POST", "/patrol/scans", [("note", "x")])
    assert base != request_fingerprint("POST", "/patrol/scans", [("note", "y")])
    assert base != request_fingerprint("POST", "/other", [("note", "x")])
    assert base != request_fingerprint("POST", "/patrol/scans", [("note", "x")], [("photo", "ab" * 32)])
    assert (request_fingerprint("POST", "/p", [], [("photo", "ab" * 32)])
            != request_fingerprint("POST", "/p", [], [("photo", "cd" * 32)]))


def test_fingerprint_keeps_repeated_fields():
    assert (request_fingerprint("POST", "/p", [("a", "1"), ("a", "2")])
            != request_fingerprint("POST", "/p", [("a", "1")]))
