"""Checking what was typed at the gate: phones (G4), plates (G5), short texts; each adds a Chinese message
for its field to `errors` and returns the cleaned value."""
from __future__ import annotations

from flask_babel import gettext as _

from wuye_field.core.text import clean_text, text_problem
from wuye_field.gate import rules


def check_phone(raw, errors: dict, name: str = "phone", *, required: bool = False) -> str:
    phone = rules.normalize_phone(raw)
    if phone and not rules.phone_valid(phone):
        errors[name] = _("手机号应为 11 位数字，例如 13812345678。")
    elif required and not phone:
        errors[name] = _("请填写手机号。")
    return phone


def check_plate(raw, errors: dict, name: str = "plate", *, required: bool = False) -> str:
    plate = rules.normalize_plate(raw)
    if plate and rules.plate_kind(plate) is None:
        errors[name] = _("车牌号格式不对：应为省份简称 + 字母 + 5 位（新能源 6 位），例如 粤B12345、粤BD12345。")
    elif required and not plate:
        errors[name] = _("请填写车牌号。")
    return plate


def check_text(raw, errors: dict, name: str, limit: int, *, required: str = "") -> str:
    text = clean_text(raw)
    if message := text_problem(raw):
        errors[name] = message
    elif len(text) > limit:
        errors[name] = _("最多 %(n)d 个字。", n=limit)
    elif required and not text:
        errors[name] = required
    return text
