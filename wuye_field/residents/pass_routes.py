"""Residents pre-register a visitor for their own unit at the building's window (G9): no sign-in, no
JavaScript; the unit and the resident's phone as the desk has registered them prove it; rate-limited per
address and per phone like the repair form. The pass (number and QR) is shown once, for the resident to send
to the visitor; the gate scans or types it (gate.passes)."""
from __future__ import annotations

import logging

from flask import current_app, render_template, request

from wuye_field.core.errors import DomainError, FieldErrors
from wuye_field.core.masking import mask_name
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.gate import passes
from wuye_field.gate.qr import qr_svg
from wuye_field.gate.rules import normalize_phone
from wuye_field.residents import window
from wuye_field.residents.blueprint import bp
from wuye_field.residents.requests import Limits, TooManyRequests, check_rate

log = logging.getLogger(__name__)


def _form(building, *, values=None, errors=None, status: int = 200):
    return render_template("residents/pass_form.html", token=building.public_token, building_name=building.name,
                           values=values or {}, errors=errors or {}, max_days=passes.RESIDENT_MAX_DAYS), status


def _message(error: DomainError):
    db.session.rollback()
    return render_template("residents/message.html", message=error.message), error.status


@bp.route("/b/<token>/pass", methods=["GET", "POST"])
def public_pass(token: str):
    """The visitor pre-registration form; on a verified unit and phone, the pass with its QR (201)."""
    try:
        building = window.building_for_token(token)
        if request.method == "GET":
            return _form(building)
        config = current_app.config
        check_rate(Limits(config["RESIDENT_LIMIT_PER_IP"], config["RESIDENT_LIMIT_PER_PHONE"],
                          enabled=config["RATELIMIT_ENABLED"]),
                   request.remote_addr or "-", normalize_phone(request.form.get("resident_phone"))[:20])
        issued = passes.issue_for_resident(building, request.form.to_dict(), now=utcnow())
    except FieldErrors as exc:
        db.session.rollback()
        return _form(building, values=request.form, errors=exc.errors, status=422)
    except TooManyRequests as exc:
        log.warning("resident pass form rate-limited on %s", request.path)
        return _message(exc)
    except DomainError as exc:
        return _message(exc)
    db.session.commit()
    return render_template("residents/pass_issued.html", token=token, gate_pass=issued, qr=qr_svg(issued.number),
                           visitor=mask_name(issued.visitor_name)), 201
