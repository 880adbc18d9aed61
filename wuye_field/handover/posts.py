"""Handover posts (H1): the posts of a site, who may work them, and the admin's post settings.
Plain values in (the actor, `now=`), flush only; the caller commits once."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from wuye_field.accounts.models import User
from wuye_field.audit.services import log_admin_change
from wuye_field.audit.settings_history import change_setting, timelines
from wuye_field.core.errors import FieldErrors, NotFound, other_site
from wuye_field.core.text import clean_text, text_problem
from wuye_field.extensions import db
from wuye_field.handover import rules
from wuye_field.handover.models import (
    DEFAULT_LATE_AFTER_MIN, DEFAULT_WINDOW_MIN, POST_KINDS, HandoverPost, posts_of_sites,
)

VIEW_ROLES = ("guard", "desk", "supervisor", "admin")
POST_SUBJECT = "handover_post"
DATED_POST_SETTINGS = {"shift_starts": _l("班次开始时间"), "window_min": _l("交接提前分钟"),  # H1: effective-dated
                       "late_after_min": _l("逾期未接班分钟")}
WORK_ROLES = {"guard": ("guard", "supervisor"), "desk": ("desk", "supervisor")}


# ---------------------------------------------------------------- posts (configuration)

DEMO_POSTS = [
    ("GATE", "东门岗", "guard", "07:00,19:00", "对讲机=2\n门禁钥匙=1\n警棍=1\n交接班记录本=1"),
    ("PATROL", "巡逻队", "guard", "07:00,19:00", "对讲机=4\n巡更钥匙=1\n警棍=2\n手电筒=2"),
    ("CCTV", "监控室", "guard", "08:00,20:00", "对讲机=1\n消防控制室钥匙=1\n值班记录本=1"),
    ("DESK", "客服台", "desk", "08:30,17:30", "对讲机=1\n公共钥匙=3\n报修登记本=1"),
]


def post_values(post: HandoverPost) -> dict:
    """The configuration of a post as the admin log records it."""
    return {"code": post.code, "name": post.name, "kind": post.kind, "shift_starts": post.shift_starts,
            "window_min": post.window_min, "late_after_min": post.late_after_min, "equipment": post.equipment,
            "active": post.active}


def validate_post(values: dict) -> dict:
    """Clean post settings (strings from a form); raise FieldErrors with Chinese messages per field."""
    errors: dict[str, str] = {}
    clean = {"code": (values.get("code") or "").strip().upper(), "name": clean_text(values.get("name")),
             "kind": values.get("kind") or "guard", "equipment": ""}
    if not clean["code"] or len(clean["code"]) > 16:
        errors["code"] = _("请填写岗位编号（最多 16 位）。")
    if not clean["name"] or len(clean["name"]) > 40:
        errors["name"] = _("请填写岗位名称（最多 40 字）。")
    elif message := text_problem(values.get("name")):
        errors["name"] = message
    if clean["kind"] not in POST_KINDS:
        errors["kind"] = _("请选择岗位类型。")
    try:
        starts = rules.parse_clocks(values.get("shift_starts") or "")
        if not starts:
            raise ValueError
        clean["shift_starts"] = ",".join(t.strftime("%H:%M") for t in starts)
    except ValueError:
        errors["shift_starts"] = _("班次开始时间格式应为 07:00,19:00。")
    for name, default, low, high in (("window_min", DEFAULT_WINDOW_MIN.get(clean["kind"], 10), 0, 120),
                                     ("late_after_min", DEFAULT_LATE_AFTER_MIN, 5, 240)):
        raw = str(values.get(name) or "").strip()
        if not raw:
            clean[name] = default
        elif raw.isdigit() and low <= int(raw) <= high:
            clean[name] = int(raw)
        else:
            errors[name] = _("请填写 %(low)d–%(high)d 之间的分钟数。", low=low, high=high)
    lines = []
    if message := text_problem(values.get("equipment"), multiline=True):
        errors["equipment"] = message
    for line in clean_text(values.get("equipment"), multiline=True).splitlines():
        name, sep, count = line.strip().partition("=")
        if not name.strip():
            continue
        if len(name.strip()) > 40 or (sep and not count.strip().isdigit()):
            errors["equipment"] = _("器材每行一件，格式：对讲机=2。")
            break
        lines.append(f"{name.strip()}={int(count) if sep else 1}")
    if not lines and "equipment" not in errors:
        errors["equipment"] = _("请至少填写一件交接器材。")
    clean["equipment"] = "\n".join(lines)
    if errors:
        raise FieldErrors(errors)
    return clean


@dataclass(frozen=True)
class PostSettings:
    """A post's H1 settings in force at one moment."""

    shift_starts: str
    window_min: int
    late_after_min: int

    @property
    def starts(self):
        return rules.parse_clocks(self.shift_starts)


def post_settings(post: HandoverPost) -> Callable[[datetime], PostSettings]:
    """`at(moment) → PostSettings`: the post's shift starts, window and late-after time in force then
    (effective-dated, settings_history subject "handover_post"); read once per report or timeline."""
    lines = {name: timelines(post.site_id, POST_SUBJECT, name, subject_ids=[post.id]).get(post.id)
             for name in DATED_POST_SETTINGS}

    def at(moment: datetime) -> PostSettings:
        return PostSettings(**{name: line.at(moment, getattr(post, name)) if line else getattr(post, name)
                               for name, line in lines.items()})
    return at


def save_post(actor: User, site_id: int, values: dict, *, now: datetime,
              post: HandoverPost | None = None, effective_from: datetime | None = None) -> HandoverPost:
    """Create (post=None) or change a post of `site_id`; every change goes to the admin change log.

    A post's shift starts, handover window and late-after time (H1) change from `effective_from` (default
    now, never earlier): shifts before it keep the settings they were measured with; the columns follow at
    once unless the change is scheduled for later. Raises FieldErrors for bad input or a code already used.
    """
    clean = validate_post(values)
    clash = db.session.scalar(select(HandoverPost.id).where(HandoverPost.site_id == site_id,
                                                            HandoverPost.code == clean["code"]))
    if clash is not None and (post is None or clash != post.id):
        raise FieldErrors({"code": _("岗位编号已存在。")})
    before = post_values(post) if post else None
    if post is None:
        post = HandoverPost(site_id=site_id, active=True)
        db.session.add(post)
    else:
        for name in DATED_POST_SETTINGS:
            value = clean.pop(name)
            change_setting(actor, site_id, POST_SUBJECT, name, value, subject_id=post.id, now=now,
                           effective_from=effective_from, default=getattr(post, name),
                           label=_("交接岗位 %(code)s %(what)s", code=post.code,
                                   what=str(DATED_POST_SETTINGS[name])))
            if effective_from is None or effective_from <= now:
                setattr(post, name, value)
    for key, value in clean.items():
        setattr(post, key, value)
    db.session.flush()
    after = post_values(post)
    if before is not None:  # the dated settings were logged by change_setting, with their start
        before, after = ({k: v for k, v in d.items() if k not in DATED_POST_SETTINGS} for d in (before, after))
    if before != after:
        log_admin_change(actor, site_id, _("交接岗位 %(code)s", code=post.code), before, after, now=now)
    return post


def ensure_demo_posts(site_id: int) -> None:
    """Create the demo posts of a site that are missing (idempotent)."""
    have = set(db.session.scalars(select(HandoverPost.code).where(HandoverPost.site_id == site_id)))
    for code, name, kind, starts, equipment in DEMO_POSTS:
        if code not in have:
            db.session.add(HandoverPost(site_id=site_id, code=code, name=name, kind=kind, shift_starts=starts,
                                        window_min=DEFAULT_WINDOW_MIN[kind], equipment=equipment))
    db.session.flush()


def posts_for(user: User) -> list[HandoverPost]:
    """The active posts of every site where `user` holds a role that sees handovers."""
    return list(db.session.scalars(posts_of_sites(user.site_ids(*VIEW_ROLES))))


def site_posts(site_id: int) -> list[HandoverPost]:
    """Every post of a site (active first), for the admin pages."""
    return list(db.session.scalars(select(HandoverPost).where(HandoverPost.site_id == site_id)
                                   .order_by(HandoverPost.active.desc(), HandoverPost.code)))


def get_post(user: User, post_id: int) -> HandoverPost:
    """The post if `user` may see it (any handover role on its site); NotFound otherwise (never say which)."""
    post = db.session.get(HandoverPost, post_id)
    if post is None or not post.active or post.site_id not in user.site_ids(*VIEW_ROLES):
        raise NotFound(_("找不到这个岗位，或您无权查看。"), site_id=other_site(post, user.site_ids(*VIEW_ROLES)))
    return post


def can_work(user: User, post: HandoverPost) -> bool:
    """True when `user` may hand over or take over `post` (guards at guard posts, the desk at the desk)."""
    return post.site_id in user.site_ids(*WORK_ROLES.get(post.kind, ()))


def admin_post(user: User, post_id: int | None, site_id: int | None = None) -> HandoverPost | None:
    """A post (or, with post_id None, a site) the user administers; NotFound otherwise."""
    if post_id is not None:
        post = db.session.get(HandoverPost, post_id)
        if post is None or post.site_id not in user.site_ids("admin"):
            raise NotFound(_("找不到这个岗位，或您无权查看。"), site_id=other_site(post, user.site_ids("admin")))
        return post
    if site_id not in user.site_ids("admin"):
        raise NotFound(_("找不到这个小区，或您无权查看。"))
    return None
