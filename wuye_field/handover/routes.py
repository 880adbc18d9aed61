"""Handover pages and field actions: a post's page and timeline, hand over, accept, correct, configure."""
from __future__ import annotations

from flask import current_app, jsonify, render_template, request, url_for
from flask_login import current_user, login_required

from wuye_field.accounts.services import LoginThrottle
from wuye_field.audit.settings_history import parse_effective_from
from wuye_field.core.errors import FieldErrors
from wuye_field.core.htmx import render, see_other
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.handover import handovers, posts, timeline
from wuye_field.handover.blueprint import bp
from wuye_field.handover.models import POST_KINDS
from wuye_field.sync.idempotency import current_receipt, idempotent_action



@bp.get("/")
@login_required
def index():
    """The user's posts with their status; supervisors also see the posts late in accepting."""
    now = utcnow()
    statuses = [timeline.post_status(post, now=now) for post in posts.posts_for(current_user)]
    late = [s for s in statuses if s.late and s.post.site_id in current_user.site_ids("supervisor", "admin")]
    return render("handover/index.html", "handover/_posts.html", statuses=statuses, late=late)


@bp.get("/posts/<int:post_id>")
@login_required
def post(post_id: int):
    """A post: hand over, accept the handover awaiting acceptance, and the timeline (htmx: the timeline)."""
    post = posts.get_post(current_user, post_id)
    now = utcnow()
    entries = timeline.timeline(post, now=now)
    status = timeline.post_status(post, now=now, entries=entries)
    return render("handover/post.html", "handover/_timeline.html", post=post, state=status, entries=entries,
                  can_work=posts.can_work(current_user, post))


@bp.post("/posts/<int:post_id>/handovers")
@login_required
@idempotent_action
def submit(post_id: int):
    """The outgoing person's handover (outbox action `handover-submit`) → 201 JSON; replays → 200."""
    handover, pending = handovers.submit_handover(
        current_user, post_id, handovers.read_handover_form(request.form), current_receipt(),
        photo_ids=request.form.get("photo_ids"), photo_limit=current_app.config["PHOTOS_PER_RECORD"])
    return jsonify(status="stored", message=handovers.handover_message(handover, pending),
                   handover={"id": handover.id, "client_uuid": handover.client_uuid, "pending_photos": pending}), 201


@bp.get("/handovers/<int:handover_id>/correct")
@login_required
def correct_form(handover_id: int):
    """The correction form, prefilled from the latest version of the handover."""
    handover = handovers.get_handover(current_user, handover_id)
    latest = handovers.latest_version(handover)
    counts = [(item.name, item.counted, item.state, item.note) for item in latest.items]
    return render_template("handover/correct.html", post=handover.post, handover=latest, counts=counts)


@bp.post("/handovers/<int:handover_id>/corrections")
@login_required
@idempotent_action
def correct(handover_id: int):
    """A correction of a handover (outbox action `handover-correct`): a new version with a reason."""
    handover, pending = handovers.correct_handover(
        current_user, handover_id, handovers.read_handover_form(request.form), request.form.get("reason", ""),
        current_receipt(), photo_ids=request.form.get("photo_ids"), photo_limit=current_app.config["PHOTOS_PER_RECORD"])
    return jsonify(status="stored", message=handovers.handover_message(handover, pending),
                   handover={"id": handover.id, "corrects": handover.corrects_id, "pending_photos": pending}), 201


@bp.post("/handovers/<int:handover_id>/cosign")
@login_required
def cosign(handover_id: int):
    """Both on one phone: check the incoming person's password (online), answer with their accept form."""
    handover = handovers.get_handover(current_user, handover_id)
    try:
        config = current_app.config
        throttle = LoginThrottle(config["LOGIN_LIMIT_PER_ACCOUNT"], config["LOGIN_LIMIT_PER_IP"],
                                 enabled=config["RATELIMIT_ENABLED"])
        incoming, token = handovers.cosign(current_user, handover_id, request.form.get("login", ""),
                                          request.form.get("password", ""), secret=config["SECRET_KEY"],
                                          now=utcnow(), throttle=throttle, address=request.remote_addr or "-")
    except handovers.HandoverRefused as refused:
        db.session.rollback()
        return render_template("handover/_cosign_form.html", handover=handover, error=refused.message)
    return render_template("handover/_accept_form.html", handover=handover, acceptor=incoming, token=token)


@bp.post("/handovers/<int:handover_id>/acceptance")
@login_required
@idempotent_action
def accept(handover_id: int):
    """The incoming person's acceptance (outbox action `handover-accept`) → 201 JSON; replays → 200."""
    acceptance = handovers.accept_handover(current_user, handover_id, handovers.read_accept_form(request.form),
                                          current_receipt(), secret=current_app.config["SECRET_KEY"])
    handover = handovers.get_handover(current_user, handover_id)
    return jsonify(status="stored", message=handovers.acceptance_message(acceptance, handover),
                   acceptance={"id": acceptance.id, "handover": handover_id,
                               "differences": len(acceptance.differences)}), 201


# ---------------------------------------------------------------- configuration (管理处)


@bp.get("/admin/sites/<int:site_id>/posts")
@login_required
def admin_posts(site_id: int):
    """A site's posts with a form to add one (admins of the site)."""
    posts.admin_post(current_user, None, site_id)
    return render("handover/admin_posts.html", "handover/_admin_post_list.html", site_id=site_id,
                  posts=posts.site_posts(site_id), values={}, errors={}, kinds=POST_KINDS)


@bp.post("/admin/sites/<int:site_id>/posts")
@login_required
def admin_create_post(site_id: int):
    """Add a post; errors re-render the form (200) with Chinese messages."""
    posts.admin_post(current_user, None, site_id)
    try:
        posts.save_post(current_user, site_id, request.form.to_dict(), now=utcnow())
    except FieldErrors as invalid:
        db.session.rollback()
        return render("handover/admin_posts.html", "handover/_admin_post_form.html", site_id=site_id,
                      posts=posts.site_posts(site_id), values=request.form, errors=invalid.errors, kinds=POST_KINDS)
    db.session.commit()
    return see_other(url_for("handover.admin_posts", site_id=site_id))


@bp.get("/admin/posts/<int:post_id>")
@login_required
def admin_edit_post(post_id: int):
    """The form to change a post's shifts, window and equipment."""
    post = posts.admin_post(current_user, post_id)
    return render_template("handover/admin_post.html", post=post, values=posts.post_values(post), errors={},
                           kinds=POST_KINDS)


@bp.post("/admin/posts/<int:post_id>")
@login_required
def admin_update_post(post_id: int):
    """Save a post's settings (logged in the admin change log); errors re-render the form."""
    post, now = posts.admin_post(current_user, post_id), utcnow()
    try:
        start = parse_effective_from(request.form.get("effective_from"), post.site.timezone, now=now)
        posts.save_post(current_user, post.site_id, request.form.to_dict(), now=now, post=post, effective_from=start)
    except FieldErrors as invalid:
        db.session.rollback()
        post = posts.admin_post(current_user, post_id)
        return render("handover/admin_post.html", "handover/_admin_post_form.html", post=post,
                      values=request.form, errors=invalid.errors, kinds=POST_KINDS, site_id=post.site_id)
    db.session.commit()
    return see_other(url_for("handover.admin_posts", site_id=post.site_id))
