"""Masking personal data for people who may not see it in full (H6): phones, names, ID numbers.

Shared by every domain that shows a resident's or a visitor's details (work orders, the gate); the rules
of who sees what stay in each domain, the way a value is masked is the same everywhere.
"""
from __future__ import annotations


def mask_phone(phone: str | None) -> str:
    """138****1234: the first three and last four digits of a number of 7 or more; shorter → all stars."""
    text = (phone or "").strip()
    if not text:
        return ""
    if len(text) < 7:
        return "*" * len(text)
    return text[:3] + "****" + text[-4:]


def mask_name(name: str | None) -> str:
    """王**: the family name (first character) and two stars, whatever the length (the length is private too)."""
    text = (name or "").strip()
    return text[:1] + "**" if text else ""


def mask_id_number(number: str | None) -> str:
    """110***********1234: the first three and last four characters, a star for each one between
    (an 18-digit resident ID keeps its length, so a guard sees that the whole number was taken)."""
    text = (number or "").strip()
    if not text:
        return ""
    if len(text) < 8:
        return "*" * len(text)
    return text[:3] + "*" * (len(text) - 7) + text[-4:]
