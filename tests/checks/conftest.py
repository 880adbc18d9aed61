"""Shared fixtures of the checks tests: DEMO with its equipment and default plans, people, form posting."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.sync import helpers
from wuye_field.accounts.models import User
from wuye_field.checks.models import CheckPlan, Equipment
from wuye_field.extensions import db


def piece(code: str) -> Equipment:
    return db.session.scalar(select(Equipment).where(Equipment.code == code))


def plan(key: str) -> CheckPlan:
    return db.session.scalar(select(CheckPlan).where(CheckPlan.key == key))


def user(staff_no: str) -> User:
    return db.session.scalar(select(User).where(User.staff_no == staff_no))


def post_check(client, code: str, plan_key: str, key: str | None = None, **fields):
    data = {"equipment_id": str(piece(code).id), "plan_id": str(plan(plan_key).id)} | fields
    return client.post("/checks/done", data=data, headers=helpers.headers(key))


def login(client, auth, staff_no: str):
    auth.logout()
    auth.login(staff_no)
    return client


@pytest.fixture
def guard(client, auth, demo):
    auth.login("guard01")
    return client
