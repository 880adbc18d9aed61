"""The work-order state machine: which event kinds each state allows and where they lead (pure, no DB).

    new ──assign/grab──▶ assigned ──arrive──▶ arrived ──done──▶ done ──visit──▶ visited ──close──▶ closed
              ▲  assign (reassign) from assigned/arrived/on_hold ─┘        │ not satisfied: reopen ─▶ assigned
    assigned/arrived ──hold──▶ on_hold ──resume──▶ (the state it was held from)
    new/assigned/arrived/on_hold ──cancel──▶ cancelled;  done ──close (reason: resident unreachable)──▶ closed

`check(state, kind)` raises `IllegalTransition` (409, Chinese) for every pair not in the table.
"""
from __future__ import annotations

from flask_babel import gettext as _

from wuye_field.core.errors import DomainError

# from state → {event kind: to state}; None = "decided by the service" (resume returns to the held-from state)
TRANSITIONS: dict[str, dict[str, str | None]] = {
    "": {"raise": "new"},
    "new": {"assign": "assigned", "grab": "assigned", "cancel": "cancelled"},
    "assigned": {"assign": "assigned", "arrive": "arrived", "hold": "on_hold", "cancel": "cancelled"},
    "arrived": {"assign": "assigned", "hold": "on_hold", "done": "done", "cancel": "cancelled"},
    "on_hold": {"assign": "assigned", "resume": None, "cancel": "cancelled"},
    "done": {"visit": "visited", "close": "closed"},
    "visited": {"reopen": "assigned", "close": "closed"},
    "closed": {},
    "cancelled": {},
}

# Why a kind is refused, by the state the order is in (fallback: a generic message naming both).
_REFUSALS = {
    ("grab", "*"): lambda: _("这张工单已经派给别人了，不能再抢。"),
    ("arrive", "new"): lambda: _("工单还没有派给维修工，不能到场。"),
    ("arrive", "arrived"): lambda: _("已经点过到场了。"),
    ("arrive", "on_hold"): lambda: _("工单已暂停，请先恢复再点到场。"),
    ("done", "new"): lambda: _("工单还没有派单，不能完成。"),
    ("done", "assigned"): lambda: _("请先点「已到场」，再完成工单。"),
    ("done", "on_hold"): lambda: _("工单已暂停，请先恢复再完成。"),
    ("done", "done"): lambda: _("工单已经完成了。"),
    ("hold", "new"): lambda: _("工单还没有派单，不能暂停。"),
    ("hold", "on_hold"): lambda: _("工单已经暂停了。"),
    ("resume", "*"): lambda: _("工单没有暂停，无需恢复。"),
    ("visit", "*"): lambda: _("工单完成后才能回访。"),
    ("visit", "visited"): lambda: _("这张工单已经回访过了。"),
    ("reopen", "*"): lambda: _("只有回访不满意的工单才能重新派工。"),
    ("close", "*"): lambda: _("工单完成后才能关闭。"),
    ("assign", "done"): lambda: _("工单已完成，不能再派单；回访不满意会自动重新派工。"),
    ("cancel", "done"): lambda: _("工单已完成，不能取消。"),
    ("*", "closed"): lambda: _("工单已关闭，不能再操作。"),
    ("*", "cancelled"): lambda: _("工单已取消，不能再操作。"),
    ("raise", "*"): lambda: _("工单已经存在。"),
}


class IllegalTransition(DomainError):
    """The order's state does not allow this step (409)."""

    status = 409
    code = "illegal_transition"


def allowed(state: str, kind: str) -> bool:
    """True when an order in `state` accepts an event of `kind`."""
    return kind in TRANSITIONS.get(state, {})


def kinds_from(state: str) -> set[str]:
    """The event kinds an order in `state` accepts (for showing only the buttons that work)."""
    return set(TRANSITIONS.get(state, {}))


def refusal(state: str, kind: str) -> str:
    """The Chinese sentence telling why `kind` is not possible in `state`."""
    for key in ((kind, state), ("*", state), (kind, "*")):
        if key in _REFUSALS:
            return _REFUSALS[key]()
    from wuye_field.workorders.models import STATES  # labels only

    return _("工单当前状态为「%(state)s」，不能执行此操作。", state=str(STATES.get(state, state)))


def check(state_or_order, kind: str) -> str | None:
    """Raise IllegalTransition unless `kind` is allowed; return the target state (None = service decides).

    Accepts a state string or anything with a `.state` (a WorkOrder).
    """
    state = getattr(state_or_order, "state", state_or_order)
    if not allowed(state, kind):
        raise IllegalTransition(refusal(state, kind))
    return TRANSITIONS[state][kind]
