"""The state machine: every transition in the table works, every other one is refused in Chinese."""
from __future__ import annotations

import re

import pytest

from wuye_field.workorders import states
from wuye_field.workorders.models import EVENT_KINDS, STATES

CJK = re.compile(r"[\u4e00-\u9fff]")
ALL_STATES = [""] + list(STATES)
STEP_KINDS = [k for k in EVENT_KINDS if k != "settle"]  # settling a conflict never changes the state


@pytest.mark.parametrize("state", ALL_STATES)
@pytest.mark.parametrize("kind", STEP_KINDS)
def test_every_pair_allowed_or_refused_in_chinese(app, state, kind):
    if states.allowed(state, kind):
        target = states.check(state, kind)
        assert target is None or target in STATES
        return
    with pytest.raises(states.IllegalTransition) as refused:
        states.check(state, kind)
    assert refused.value.status == 409 and CJK.search(refused.value.message), (state, kind, refused.value.message)


def test_the_table_is_the_issue_flow(app):
    """new → assigned → arrived → done → visited → closed; hold/resume; cancel only while open."""
    path = [("", "raise"), ("new", "assign"), ("assigned", "arrive"), ("arrived", "done"), ("done", "visit"),
            ("visited", "close")]
    assert [states.check(s, k) for s, k in path] == ["new", "assigned", "arrived", "done", "visited", "closed"]
    assert states.check("visited", "reopen") == "assigned"
    assert states.check("arrived", "hold") == "on_hold" and states.check("on_hold", "resume") is None
    assert {s for s in STATES if states.allowed(s, "cancel")} == {"new", "assigned", "arrived", "on_hold"}
    assert states.kinds_from("closed") == states.kinds_from("cancelled") == set()


@pytest.mark.parametrize(("state", "kind", "words"), [
    ("assigned", "done", "请先点「已到场」"),
    ("arrived", "arrive", "已经点过到场"),
    ("closed", "assign", "已关闭"),
    ("cancelled", "done", "已取消"),
    ("assigned", "grab", "不能再抢"),
    ("assigned", "visit", "完成后才能回访"),
    ("done", "cancel", "不能取消"),
])
def test_refusals_say_why(app, state, kind, words):
    with pytest.raises(states.IllegalTransition) as refused:
        states.check(state, kind)
    assert words in refused.value.message
