"""The gate phone: the gate page of a post, visitor in / out (outbox actions), a visitor's details."""
from __future__ import annotations

from flask import current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from wuye_field.core.database import writes_on_get
from wuye_field.core.time import to_site_time, utcnow
from wuye_field.extensions import db
from wuye_field.gate import dutylog, home, parcels, slips, vehicles, visitors
from wuye_field.gate.blueprint import bp
from wuye_field.sync.idempotency import current_receipt, idempotent_action


def field_action(rule: str):
    """A gate field action on the outbox's rails: POST, signed in, idempotent (replays store nothing twice)."""
    def wrap(view):
        return bp.post(rule)(login_required(idempotent_action(view)))
    return wrap


def _stored(message: str, **body):
    """The answer to a stored field action: 201 JSON with the Chinese message the phone shows."""
    return jsonify(status="stored", message=message, **body), 201


def _photos() -> dict:
    return {"photo_ids": request.form.get("photo_ids"), "photo_limit": current_app.config["PHOTOS_PER_RECORD"]}


@bp.get("/posts/<int:post_id>")
@login_required
def post(post_id: int):
    """The gate page of a post: register a visitor, those still inside (kept offline for the gate phone)."""
    return render_template("gate/post.html", gate=home.gate_context(current_user, post_id))


@field_action("/visitors")
def visitor_in():
    """A visitor comes in (outbox action `visitor-in`) → 201 JSON; bad fields → 422 with the reasons."""
    visitor = visitors.register_visitor(current_user, request.form.to_dict(), current_receipt())
    when = to_site_time(visitor.device_time, home.site_tz(visitor.site_id)).strftime("%H:%M")
    return _stored(_("已登记访客：%(name)s %(time)s", name=visitor.person.name, time=when), visitor={"id": visitor.id})


@field_action("/visitors/<int:visitor_id>/out")
def visitor_out(visitor_id: int):
    """The visitor left (outbox action `visitor-out`) → 201 JSON."""
    leaving = visitors.visitor_out(current_user, visitor_id, current_receipt())
    return _stored(_("已登记离开"), exit={"id": leaving.id})


@field_action("/releases")
def release_check():
    """Goods against a slip (outbox action `release-check`) → 201 JSON: released, or refused and recorded."""
    record, message = slips.check_release(current_user, request.form.to_dict(), current_receipt(), **_photos())
    return _stored(message, release={"id": record.id, "outcome": record.outcome, "flag": record.flag})


@field_action("/releases/stopped")
def release_stop():
    """Goods going out without a slip, stopped (outbox action `release-stop`) → 201 JSON."""
    record = slips.stop_goods(current_user, request.form.to_dict(), current_receipt(), **_photos())
    return _stored(_("已记录无条拦截"), release={"id": record.id})


@field_action("/vehicles")
def vehicle_in():
    """A vehicle comes in (outbox action `vehicle-in`) → 201 JSON; a malformed plate → 422 in Chinese."""
    entry = vehicles.vehicle_in(current_user, request.form.to_dict(), current_receipt())
    return _stored(_("已登记进场：%(plate)s", plate=entry.plate), vehicle={"id": entry.id})


@field_action("/vehicles/<int:entry_id>/out")
def vehicle_out(entry_id: int):
    """The vehicle left (outbox action `vehicle-out`) → 201 JSON."""
    leaving = vehicles.vehicle_out(current_user, entry_id, current_receipt())
    return _stored(_("已登记离场"), exit={"id": leaving.id})


@field_action("/parcels")
def parcel_in():
    """A parcel received (outbox action `parcel-in`) → 201 JSON."""
    parcel, pending = parcels.parcel_in(current_user, request.form.to_dict(), current_receipt(), **_photos())
    return _stored(_("已登记收件：%(unit)s %(n)d 件", unit=parcel.unit, n=parcel.count),
                   parcel={"id": parcel.id, "pending_photos": pending})


@field_action("/parcels/<int:parcel_id>/out")
def parcel_out(parcel_id: int):
    """The parcel handed over (outbox action `parcel-out`) → 201 JSON."""
    handed = parcels.parcel_out(current_user, parcel_id, request.form.to_dict(), current_receipt(), **_photos())
    return _stored(_("已交付：%(who)s", who=handed.to_whom), handover={"id": handed.id})


@field_action("/dutylog")
def duty_log():
    """A duty-log entry (outbox action `duty-log`) → 201 JSON."""
    entry, pending = dutylog.write_entry(current_user, request.form.to_dict(), current_receipt(), **_photos())
    return _stored(_("已记入值班记录") + (_("（%(n)d 张照片待上传）", n=pending) if pending else ""),
                   entry={"id": entry.id})


@bp.get("/visitors/<int:visitor_id>")
@login_required
@writes_on_get
def visitor(visitor_id: int):
    """A visitor's record; the full phone and ID number for those who may see them (logged, G6)."""
    record = visitors.get_visitor(current_user, visitor_id)
    view = visitors.full_view(current_user, record, now=utcnow())
    db.session.commit()
    return render_template("gate/visitor.html", visitor=record, view=view, tz=home.site_tz(record.site_id))
