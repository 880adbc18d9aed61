"""What the gate adds to the home page (the gate guard's post, the supervisor's board) and to the pages
kept offline; the HANDOVER_NOTES it hands on at a shift change."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import url_for

from wuye_field.accounts.models import User
from wuye_field.core.registry import Section
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.gate import dutylog, parcels, passes, roster, slips, vehicles, visitors
from wuye_field.gate.models import DUTY_CATEGORIES, ID_TYPES, VEHICLE_KINDS, Visitor
from wuye_field.handover.models import HandoverPost, posts_of_sites
from wuye_field.handover.posts import can_work
from wuye_field.places.models import Building, Site
from wuye_field.places.services import site_buildings


def site_tz(site_id: int) -> str:
    return db.session.get(Site, site_id).timezone


def gate_posts(user: User) -> list[HandoverPost]:
    """The guard posts a gate guard works: the ones they are rostered on now first, then the others."""
    if not user.has_role("gate"):
        return []
    posts = [p for p in db.session.scalars(posts_of_sites(user.site_ids("gate")))
             if p.kind == "guard" and can_work(user, p)]
    rostered = {p.id for p in roster.posts_rostered_for(user, utcnow())}
    return sorted(posts, key=lambda p: (p.id not in rostered, p.code != "GATE", p.code))


@dataclass
class GateContext:
    post: HandoverPost
    buildings: list[Building]
    inside: list[tuple[Visitor, visitors.VisitorView]]
    watch: list[dict] = field(default_factory=list)
    slips: list[dict] = field(default_factory=list)
    vehicles: list = field(default_factory=list)
    overstaying: set = field(default_factory=set)
    vehicle_kinds: dict = field(default_factory=lambda: VEHICLE_KINDS)
    parcels: list = field(default_factory=list)
    duty_categories: dict = field(default_factory=lambda: DUTY_CATEGORIES)
    id_types: dict = field(default_factory=lambda: ID_TYPES)
    passes: list[dict] = field(default_factory=list)

    @property
    def building_options(self) -> list[tuple[int, str]]:
        return [(b.id, b.name) for b in self.buildings]


def gate_context(user: User, post_id: int) -> GateContext:
    """What the gate page of a post shows `user` (a gate guard, guard or supervisor of its site)."""
    post = visitors.gate_post(user, post_id)
    inside = [(v, visitors.list_view(user, v)) for v in visitors.visitors_inside(post.site_id)]
    now = utcnow()
    return GateContext(post, site_buildings(post.site), inside, passes.watch_for_phone(post.site_id),
                       slips.slips_for_phone(post.site_id, now), vehicles.inside(post.site_id),
                       {v.id for v in vehicles.overstaying(post.site_id, now)}, parcels=parcels.waiting(post.site_id),
                       passes=passes.passes_for_phone(post.site_id, now))


def gate_section(user: User) -> Section | None:
    """The gate guard's home: the gate page of their post, first on the page."""
    posts = gate_posts(user)
    if not posts:
        return None
    return Section("gate/_home.html", {"gate": gate_context(user, posts[0].id), "posts": posts}, order=5)


def board_section(user: User) -> Section | None:
    """Supervisors: the posts with no one on duty now in red, links to the roster and the gate's day."""
    if not user.has_role("supervisor"):
        return None
    now = utcnow()
    lines = roster.board(user, now=now)
    if not lines:
        return None
    site_ids = sorted(user.site_ids("supervisor"))
    unsigned = {site_id: dutylog.unsigned_days(site_id, now) for site_id in site_ids}
    return Section("gate/_board.html", {"lines": lines, "site_ids": site_ids, "unsigned": unsigned}, order=35)


def desk_section(user: User) -> Section | None:
    """The desk: passes for expected visitors (G9) and goods-release slips (G10)."""
    site_ids = sorted(user.site_ids("desk"))
    return Section("gate/_desk.html", {"site_ids": site_ids, "categories": DUTY_CATEGORIES},
                   order=60) if site_ids else None


def admin_section(user: User) -> Section | None:
    """Admins: the gate settings of their sites (retention of visitors' data, ID rule, limits)."""
    site_ids = sorted(user.site_ids("admin"))
    return Section("gate/_admin.html", {"site_ids": site_ids}, order=890) if site_ids else None


def gate_pages(user: User) -> list[str]:
    return [url_for("gate.post", post_id=p.id) for p in gate_posts(user)]
