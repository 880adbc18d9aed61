"""Handing over and accepting a post (H1–H5, P8, P9): submit, correct, co-sign, accept, and
the messages the phone shows. Services take plain values (the actor, `now=`, the device time) and never
touch the request. Every record is append-only and linked into the site's hash chain in the same
transaction."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from wuye_field.accounts.models import User
from wuye_field.accounts.services import LoginFailed, LoginThrottle, TooManyAttempts, sign_in
from wuye_field.audit import chain
from wuye_field.core.errors import DomainError, NotFound
from wuye_field.core.text import clean_text
from wuye_field.core.time import as_utc, to_site_time
from wuye_field.photos import links as photo_links
from wuye_field.extensions import db
from wuye_field.handover import rules
from wuye_field.handover.models import (
    ITEM_STATES, MATTERS_MAX, NOTE_MAX, Handover, HandoverAcceptance, HandoverAcceptanceItem, HandoverItem,
    HandoverMatter, HandoverPost, HandoverTakeover, handovers_of_post,
)
from wuye_field.handover.posts import can_work, get_post, post_settings
from wuye_field.sync.models import FIELD_COLUMNS
from wuye_field.sync.receipt import Receipt

log = logging.getLogger(__name__)

PHOTO_OWNER = "handover"
COSIGN_SALT = "wuye-handover-cosign"

# What each chained kind hashes (explicit columns: a column added later never changes old content).
CHAIN_KINDS = {
    "handover": FIELD_COLUMNS + ("post_id", "shift_start", "root_id", "corrects_id", "reason", "note"),
    "handover_item": ("handover_id", "site_id", "position", "name", "expected", "counted", "state", "note",
                      "created_at"),
    "handover_matter": ("handover_id", "site_id", "position", "text", "important", "created_at"),
    "handover_acceptance": FIELD_COLUMNS + ("handover_id", "root_id", "recorded_by_id", "cosigned", "note"),
    "handover_acceptance_item": ("acceptance_id", "item_id", "site_id", "name", "handed", "counted", "note",
                                 "created_at"),
    "handover_takeover": ("acceptance_id", "matter_id", "site_id", "created_at"),
}
chain.register_tables(CHAIN_KINDS)


class HandoverRefused(DomainError):
    """A handover or acceptance broke a rule; the message says which (the phone shows it)."""

    status = 422
    code = "handover_refused"


# ---------------------------------------------------------------- reading handovers


def group_of(handover: Handover) -> int:
    """The id shared by a handover and all its corrections (the original's id)."""
    return handover.root_id or handover.id


def _acceptance_of(group_id: int) -> HandoverAcceptance | None:
    return db.session.scalar(select(HandoverAcceptance).where(HandoverAcceptance.root_id == group_id))


def _versions(group_id: int) -> list[Handover]:
    return list(db.session.scalars(select(Handover).where((Handover.id == group_id) | (Handover.root_id == group_id))
                                   .order_by(Handover.id)))


def latest_version(handover: Handover) -> Handover:
    """The newest version (the last correction, or the handover itself) of a handover's group."""
    return _versions(group_of(handover))[-1]


def last_handover(post: HandoverPost) -> Handover | None:
    """The latest version of the post's most recent handover (by shift), or None."""
    latest = db.session.scalar(handovers_of_post(post.id).limit(1))
    return _versions(group_of(latest))[-1] if latest else None


def prefill(post: HandoverPost) -> list[tuple[str, int]]:
    """[(item, count)] to prefill a new handover (P9): what the last incoming person counted, else what
    the last handover said, else the post's configured counts; items added to the post since come last."""
    counts: dict[str, int] = {}
    last = last_handover(post)
    if last is not None:
        counts = {item.name: item.counted for item in last.items}
        acceptance = _acceptance_of(group_of(last))
        if acceptance is not None:
            counts.update({item.name: item.counted for item in acceptance.items})
    result = [(name, counts.pop(name, default)) for name, default in post.equipment_list]
    return result + list(counts.items())


def get_handover(user: User, handover_id: int) -> Handover:
    """A handover record on a post the user may see; NotFound otherwise."""
    handover = db.session.get(Handover, handover_id)
    if handover is None:
        raise NotFound(_("找不到这条交接记录，或您无权查看。"))
    get_post(user, handover.post_id)
    return handover


# ---------------------------------------------------------------- handing over


@dataclass(frozen=True)
class ItemInput:
    name: str
    counted: str
    state: str = "ok"
    note: str = ""


@dataclass(frozen=True)
class HandoverInput:
    """What the outgoing person filled in (strings as the form sent them)."""

    items: list[ItemInput]
    matters: list[tuple[str, bool]] = field(default_factory=list)
    note: str = ""


def read_handover_form(form) -> HandoverInput:
    """Read `item-N-*`, `matter-N-*` and `note` from a form (anything with `.get`)."""
    items, n = [], 0
    while form.get(f"item-{n}-name") is not None and n < 100:
        items.append(ItemInput(form.get(f"item-{n}-name", ""), form.get(f"item-{n}-counted", ""),
                               form.get(f"item-{n}-state", "ok") or "ok", form.get(f"item-{n}-note", "")))
        n += 1
    matters = []
    for m in range(MATTERS_MAX):
        text = clean_text(form.get(f"matter-{m}-text"), multiline=True)
        if text:
            matters.append((text, bool(form.get(f"matter-{m}-important"))))
    return HandoverInput(items, matters, form.get("note", ""))


def _count(raw: str, name: str) -> int:
    raw = (raw or "").strip()
    if not raw.isdigit() or int(raw) > 999:
        raise HandoverRefused(_("「%(item)s」的数量须为 0–999 的整数。", item=name), code="invalid_count")
    return int(raw)


def _text(raw: str | None, what: str) -> str:
    text = clean_text(raw, multiline=True)
    if len(text) > NOTE_MAX:
        raise HandoverRefused(_("%(what)s最多 %(n)d 个字。", what=what, n=NOTE_MAX), code="too_long")
    return text


def _checked_items(expected: dict[str, int], data: HandoverInput) -> list[HandoverItem]:
    """HandoverItems from the input, against the `expected` counts (H2: missing/broken need a note)."""
    if not data.items:
        raise HandoverRefused(_("请清点交接器材。"), code="no_items")
    items, seen = [], set()
    for position, item in enumerate(data.items):
        name = item.name.strip()
        if name not in expected or name in seen:
            raise HandoverRefused(_("「%(item)s」不在本岗位的器材清单中，请刷新页面后重试。", item=name),
                                  code="unknown_item")
        seen.add(name)
        counted = _count(item.counted, name)
        state = item.state if item.state in ITEM_STATES else "ok"
        note = _text(item.note, _("「%(item)s」的说明", item=name))
        short = expected[name] - counted
        if short > 0 and state == "ok":
            raise HandoverRefused(_("「%(item)s」比上一班少 %(n)d 个：请选「缺失」并写明情况。", item=name, n=short),
                                  code="missing_unexplained")
        if state != "ok" and not note:
            raise HandoverRefused(_("「%(item)s」%(state)s，请写明情况。", item=name, state=ITEM_STATES[state]),
                                  code="note_required")
        items.append(HandoverItem(position=position, name=name, expected=expected[name], counted=counted,
                                  state=state, note=note))
    missing = [name for name in expected if name not in seen]
    if missing:
        raise HandoverRefused(_("请清点全部器材：%(items)s 未填写。", items="、".join(missing)), code="items_missing")
    return items


def _store(handover: Handover, items: list[HandoverItem], data: HandoverInput, *, photo_ids: list[str],
           received_at: datetime) -> int:
    """Insert a handover with its items and matters, link its photos and chain it all. Returns photos pending."""
    site_id = handover.site_id
    db.session.add(handover)
    db.session.flush()
    for item in items:
        item.handover_id, item.site_id, item.created_at = handover.id, site_id, received_at
    matters = [HandoverMatter(handover_id=handover.id, site_id=site_id, position=i, text=_text(text, _("未完事项")),
                              important=important, created_at=received_at)
               for i, (text, important) in enumerate(data.matters)]
    db.session.add_all(items + matters)
    db.session.flush()
    pending = photo_links.link_photos(PHOTO_OWNER, handover.id, user_id=handover.user_id, site_id=site_id,
                                  photo_ids=photo_ids)
    chain.append_records(site_id, "handover", [handover.id], now=received_at)
    chain.append_records(site_id, "handover_item", [i.id for i in items], now=received_at)
    chain.append_records(site_id, "handover_matter", [m.id for m in matters], now=received_at)
    db.session.expire(handover, ["items", "matters"])
    return pending


def submit_handover(user: User, post_id: int, data: HandoverInput, receipt: Receipt, *, photo_ids: str | None = "",
                    photo_limit: int = 10) -> tuple[Handover, int]:
    """The outgoing `user` hands over `post_id` for the shift nearest the device time (H1, H2, P8, P9).

    Returns the stored handover and how many of its photos have not arrived.
    Raises NotFound (404) for a post the user may not work, HandoverRefused (422) for counts that do not
    add up, a missing/broken item without a note, or over-long text; DomainError (400) for bad photo ids.
    """
    post = get_post(user, post_id)
    if not can_work(user, post):
        raise NotFound(_("找不到这个岗位，或您无权查看。"))
    items = _checked_items(dict(prefill(post)), data)
    photos = photo_links.parse_photo_ids(photo_ids, photo_limit)
    starts = post_settings(post)(receipt.device_time).starts  # the shifts as they stood when it was made
    shift = rules.shift_for(starts, receipt.device_time, post.site.timezone)
    handover = Handover(**receipt.columns(), user_id=user.id, site_id=post.site_id, post_id=post.id,
                        shift_start=shift, note=_text(data.note, _("备注")))
    pending = _store(handover, items, data, photo_ids=photos, received_at=receipt.received_at)
    log.info("handover %s of post %s by %s for shift %s", handover.id, post.code, user.staff_no, shift.isoformat())
    return handover, pending


def correct_handover(user: User, handover_id: int, data: HandoverInput, reason: str, receipt: Receipt, *,
                     photo_ids: str | None = "", photo_limit: int = 10) -> tuple[Handover, int]:
    """A correction (H5): a new version of handover `handover_id` pointing at it, with a reason.

    Only its author or a supervisor of the site may correct, and only before it was accepted.
    Raises NotFound, HandoverRefused (no reason, already accepted, counts as in `submit_handover`).
    """
    original = get_handover(user, handover_id)
    if original.user_id != user.id and original.site_id not in user.site_ids("supervisor"):
        raise NotFound(_("找不到这条交接记录，或您无权查看。"))
    reason = _text(reason, _("更正原因"))
    if not reason:
        raise HandoverRefused(_("请写明更正原因。"), code="reason_required")
    group = group_of(original)
    accepted = _acceptance_of(group)
    if accepted is not None:
        raise HandoverRefused(_("这次交接已由%(name)s接班，不能再更正；请在下一次交接中说明。",
                                name=accepted.user.name), code="already_accepted")
    latest = _versions(group)[-1]
    # A correction is checked against what the shift started from, not against the version it corrects.
    items = _checked_items({item.name: item.expected for item in latest.items}, data)
    correction = Handover(**receipt.columns(), user_id=user.id, site_id=original.site_id,
                          post_id=original.post_id, shift_start=original.shift_start, root_id=group,
                          corrects_id=latest.id, reason=reason, note=_text(data.note, _("备注")))
    pending = _store(correction, items, data, photo_ids=photo_links.parse_photo_ids(photo_ids, photo_limit),
                     received_at=receipt.received_at)
    return correction, pending


# ---------------------------------------------------------------- accepting


def _serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=COSIGN_SALT)


def cosign(outgoing: User, handover_id: int, login: str, password: str, *, secret: str, now: datetime,
           throttle: LoginThrottle | None = None, address: str = "-") -> tuple[User, str]:
    """Both on one phone: the incoming person proves who they are with their own password.

    Returns (incoming user, token); the token lets `outgoing`'s session record the acceptance as that
    user for this handover only, so the password itself is never stored in the phone's outbox.
    Raises HandoverRefused for a wrong password, the outgoing person themself or someone who may not
    take the post, or too many wrong passwords (the login throttle counts these too, R14);
    NotFound for a handover the outgoing user cannot see.
    """
    handover = get_handover(outgoing, handover_id)
    throttle = throttle or LoginThrottle("", "", enabled=False)
    try:
        incoming = sign_in(login or "", password or "", address=address, throttle=throttle, now=now.timestamp())
    except (LoginFailed, TooManyAttempts) as exc:
        raise HandoverRefused(exc.message, code="cosign_failed") from exc
    if incoming.id == handover.user_id:
        raise HandoverRefused(_("接班人不能是交班人本人。"), code="same_person")
    if not can_work(incoming, handover.post):
        raise HandoverRefused(_("%(name)s不在本岗位的接班人员中。", name=incoming.name), code="not_on_post")
    token = _serializer(secret).dumps({"u": incoming.id, "g": group_of(handover), "by": outgoing.id,
                                       "t": as_utc(now).isoformat()})
    return incoming, token


def _cosigned_user(token: str, session_user: User, group: int, secret: str) -> User:
    try:
        data = _serializer(secret).loads(token)
    except BadSignature as exc:
        raise HandoverRefused(_("接班人验证无效，请重新输入接班人密码。"), code="cosign_invalid") from exc
    if data.get("g") != group or data.get("by") != session_user.id:
        raise HandoverRefused(_("接班人验证无效，请重新输入接班人密码。"), code="cosign_invalid")
    user = db.session.get(User, data.get("u"))
    if user is None or not user.active:
        raise HandoverRefused(_("接班人账号已停用。"), code="cosign_invalid")
    return user


@dataclass(frozen=True)
class AcceptInput:
    """What the incoming person filled in: a count (and a note when it differs) per item id, the important
    matters taken over, a note and, when on the outgoing person's phone, the co-sign token."""

    counts: dict[int, str]
    notes: dict[int, str] = field(default_factory=dict)
    takeovers: set[int] = field(default_factory=set)
    note: str = ""
    cosign_token: str = ""


def read_accept_form(form) -> AcceptInput:
    """Read `count-<item id>`, `diff-<item id>`, `takeover` (repeated), `note`, `cosign` from a form."""
    counts, notes = {}, {}
    for key in form:
        prefix, _sep, rest = key.partition("-")
        if rest.isdigit() and prefix in ("count", "diff"):
            (counts if prefix == "count" else notes)[int(rest)] = form.get(key, "")
    takeovers = {int(v) for v in form.getlist("takeover") if str(v).isdigit()}
    return AcceptInput(counts, notes, takeovers, form.get("note", ""), form.get("cosign", ""))


def accept_handover(session_user: User, handover_id: int, data: AcceptInput, receipt: Receipt, *,
                    secret: str) -> HandoverAcceptance:
    """The incoming person accepts handover `handover_id` (H2–H4, P8, P9).

    The acceptor is `session_user`, or the co-signed user when `data.cosign_token` is given (both on one
    phone). Each item is confirmed or differs with a note; every 「重要」 matter must be taken over.
    Raises NotFound; HandoverRefused (422) for the outgoing person accepting their own handover, an
    important matter not taken over, a difference without a note, bad counts; 409 when already accepted.
    """
    received_at = receipt.received_at
    handover = get_handover(session_user, handover_id)
    group = group_of(handover)
    acceptor = _cosigned_user(data.cosign_token, session_user, group, secret) if data.cosign_token else session_user
    if not can_work(acceptor, handover.post):
        raise NotFound(_("找不到这条交接记录，或您无权查看。"))
    if acceptor.id == handover.user_id:
        raise HandoverRefused(_("交班人不能自己接班。请接班人用自己的手机确认，或在本机输入接班人的密码。"),
                              code="same_person")
    existing = _acceptance_of(group)
    if existing is not None:
        when = to_site_time(existing.device_time, handover.post.site.timezone).strftime("%H:%M")
        raise HandoverRefused(_("这次交接已由%(name)s于 %(time)s 接班。", name=existing.user.name, time=when),
                              status=409, code="already_accepted")
    open_matters = [m for m in handover.important_matters if m.id not in data.takeovers]
    if open_matters:
        raise HandoverRefused(_("有「重要」事项未接手：%(items)s。请逐项确认接手后再接班。",
                                items="；".join(m.text for m in open_matters)), code="important_not_taken")
    lines = []
    for item in handover.items:
        counted = _count(data.counts.get(item.id, ""), item.name)
        note = _text(data.notes.get(item.id), _("「%(item)s」的差异说明", item=item.name))
        if counted != item.counted and not note:
            raise HandoverRefused(_("「%(item)s」交班 %(a)d 个、您点到 %(b)d 个：请写明差异。",
                                    item=item.name, a=item.counted, b=counted), code="difference_unexplained")
        lines.append((item, counted, note))
    acceptance = HandoverAcceptance(
        **receipt.columns(), user_id=acceptor.id, site_id=handover.site_id, handover_id=handover.id,
        root_id=group, recorded_by_id=session_user.id, cosigned=acceptor.id != session_user.id,
        note=_text(data.note, _("备注")))
    db.session.add(acceptance)
    db.session.flush()
    rows = [HandoverAcceptanceItem(acceptance_id=acceptance.id, item_id=item.id, site_id=handover.site_id,
                                   name=item.name, handed=item.counted, counted=counted, note=note,
                                   created_at=received_at)
            for item, counted, note in lines]
    takeovers = [HandoverTakeover(acceptance_id=acceptance.id, matter_id=m.id, site_id=handover.site_id,
                                  created_at=received_at) for m in handover.important_matters]
    db.session.add_all(rows + takeovers)
    db.session.flush()
    chain.append_records(handover.site_id, "handover_acceptance", [acceptance.id], now=received_at)
    chain.append_records(handover.site_id, "handover_acceptance_item", [r.id for r in rows], now=received_at)
    chain.append_records(handover.site_id, "handover_takeover", [t.id for t in takeovers], now=received_at)
    db.session.expire(acceptance, ["items", "takeovers"])
    log.info("handover %s accepted by %s (recorded by %s)", handover.id, acceptor.staff_no, session_user.staff_no)
    return acceptance


# ---------------------------------------------------------------- messages for the phone


def handover_message(handover: Handover, pending_photos: int = 0) -> str:
    """「已交班：东门岗 19:00 班」 (+ corrections, + photos still to come)."""
    shift = to_site_time(handover.shift_start, handover.post.site.timezone).strftime("%H:%M")
    if handover.corrects_id:
        message = _("已更正交接：%(post)s %(shift)s 班", post=handover.post.name, shift=shift)
    else:
        message = _("已交班：%(post)s %(shift)s 班", post=handover.post.name, shift=shift)
    if pending_photos:
        message += _("（%(n)d 张照片待上传）", n=pending_photos)
    return message


def acceptance_message(acceptance: HandoverAcceptance, handover: Handover) -> str:
    """「李强已接班：东门岗（1 项有差异）」."""
    message = _("%(name)s已接班：%(post)s", name=acceptance.user.name, post=handover.post.name)
    differences = sum(1 for item in acceptance.items if item.differs)
    if differences:
        message += _("（%(n)d 项有差异）", n=differences)
    return message
