"""Pure gate rules: ID check digits (G3), phones (G4), plates incl. new energy (G5), month days."""
from __future__ import annotations

from datetime import date

import pytest

from wuye_field.core.masking import mask_id_number, mask_name, mask_phone
from wuye_field.gate import rules


def test_an_18_digit_id_is_valid_only_with_its_check_digit():
    assert rules.id18_valid("11010519491231002X")
    assert not rules.id18_valid("110105194912310021")  # wrong check digit
    assert not rules.id18_valid("11010519491331002X")  # month 13: no such birth date
    assert not rules.id18_valid("1101051949123100")  # too short
    assert rules.normalize_id_number(" 11010519491231002x ") == "11010519491231002X"


@pytest.mark.parametrize("phone, ok", [("13812341234", True), ("1381234123", False), ("23812341234", False),
                                       ("138123412345", False)])
def test_a_phone_is_11_digits_starting_with_1(phone, ok):
    assert rules.phone_valid(phone) is ok


@pytest.mark.parametrize("raw, kind", [
    ("粤B12345", "ordinary"), ("粤b·12345", "ordinary"), ("京A1234学", "ordinary"),
    ("粤BD12345", "new_energy"), ("粤BFA1234", "new_energy"), ("粤B12345D", "new_energy"),
    ("粤B1234", None), ("粤I12345", None), ("AB12345", None), ("粤BD123", None), ("粤B123456", None),
])
def test_plates_ordinary_and_new_energy(raw, kind):
    assert rules.plate_kind(rules.normalize_plate(raw)) == kind


def test_masks_keep_the_ends_only():
    assert mask_id_number("11010519491231002X") == "110***********002X"
    assert mask_phone("13812341234") == "138****1234"
    assert mask_name("王建国") == "王**"
    assert mask_id_number("") == ""


def test_month_days_and_previous_month():
    assert len(rules.month_days(2026, 2)) == 28 and rules.month_days(2026, 12)[-1] == date(2026, 12, 31)
    assert rules.previous_month(2026, 1) == (2025, 12)
