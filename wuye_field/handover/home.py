"""What handover adds to the home page and to the pages kept offline."""
from __future__ import annotations

from flask import url_for

from wuye_field.core.time import utcnow
from wuye_field.core.registry import Section
from wuye_field.handover import services


def handover_section(user) -> Section | None:
    """Posts the user hands over at (window open now first); supervisors also see late acceptances."""
    posts = [p for p in services.posts_for(user) if services.can_work(user, p) or user.has_role("supervisor", "admin")]
    if not posts:
        return None
    now = utcnow()
    statuses = sorted((services.post_status(p, now=now) for p in posts), key=lambda s: not s.window_open)
    overseen = set(user.site_ids("supervisor", "admin"))
    late = [s for s in statuses if s.late and s.post.site_id in overseen]
    return Section("handover/_home.html", {"statuses": statuses, "late": late}, order=40)


def handover_pages(user) -> list[str]:
    """The handover list and the page of every post the user works at (handing over works offline)."""
    posts = [p for p in services.posts_for(user) if services.can_work(user, p)]
    if not posts:
        return []
    return [url_for("handover.index")] + [url_for("handover.post", post_id=p.id) for p in posts]
