"""A site's work-order settings (admins): SLA minutes per priority, grabbing, signatures, trades, price list.

Defaults are the seed's numbers (`DEFAULT_SLA`, W1–W3); a site may promise more (25 min on
site, W2). Every change is written to the admin change log (`log_admin_change`).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from wuye_field.accounts.models import User
from wuye_field.audit.services import log_admin_change
from wuye_field.audit.settings_history import change_setting, parse_effective_from
from wuye_field.core.errors import DomainError, FieldErrors, NotFound
from wuye_field.core.text import clean_text, text_problem
from wuye_field.extensions import db
from wuye_field.places.models import Site
from wuye_field.places.services import get_site
from wuye_field.workorders import queries, steps
from wuye_field.workorders.models import (
    CATEGORIES, PRIORITIES, OrderSettings, PriceItem, SlaPolicy, TechnicianTrade,
)

ADMIN_ROLES = ("admin",)
MAX_ARRIVE_MINUTES = 24 * 60
MAX_FINISH_MINUTES = 30 * 24 * 60
MAX_PRICE_FEN = 10_000_000  # 100,000 元
SLA_SETTING = queries.SLA_SETTING


@dataclass(frozen=True)
class SlaRow:
    """One priority's clocks on a site (minutes; arrive None = no arrival clock)."""

    priority: str
    label: str
    arrive: int | None
    finish: int
    is_default: bool


@dataclass
class SettingsView:
    """Everything the settings page shows for one site."""

    site: Site
    sla: list[SlaRow]
    switches: OrderSettings
    technicians: list[tuple[User, set[str]]]
    prices: list[PriceItem]


# ---------------------------------------------------------------- reads (no role check: used by services)


def sla_minutes(site_id: int) -> dict[str, dict[str, int | None]]:
    """{priority: {"arrive": minutes | None, "finish": minutes}} for the site: its policy over the defaults."""
    result = {}
    for priority in PRIORITIES:
        arrive, finish = queries.sla_minutes(site_id, priority)
        result[priority] = {"arrive": arrive, "finish": finish}
    return result


def trades_of(user_id: int, site_id: int) -> set[str]:
    """The categories a technician works on a site (for grabbing)."""
    return set(db.session.scalars(select(TechnicianTrade.category).where(
        TechnicianTrade.user_id == user_id, TechnicianTrade.site_id == site_id)))


def price_list(site_id: int, *, active_only: bool = True) -> list[PriceItem]:
    """The site's published price list (W7), by name."""
    query = select(PriceItem).where(PriceItem.site_id == site_id)
    if active_only:
        query = query.where(PriceItem.active.is_(True))
    return list(db.session.scalars(query.order_by(PriceItem.active.desc(), PriceItem.name)))


def settings_view(actor: User, site_id: int) -> SettingsView:
    """The settings page of a site. NotFound unless `actor` administers it."""
    site = get_site(actor, site_id, *ADMIN_ROLES)
    minutes = sla_minutes(site.id)
    stored = set(db.session.scalars(select(SlaPolicy.priority).where(SlaPolicy.site_id == site.id)))
    rows = [SlaRow(p, str(label), minutes[p]["arrive"], minutes[p]["finish"], p not in stored)
            for p, label in PRIORITIES.items()]
    technicians = [(u, trades_of(u.id, site.id)) for u in queries.technicians_of(site.id)]
    return SettingsView(site=site, sla=rows, switches=queries.settings_for(site.id), technicians=technicians,
                        prices=price_list(site.id, active_only=False))


# ---------------------------------------------------------------- changes (admins; each one logged)


def _minutes(raw, *, required: bool, maximum: int, errors: dict, name: str) -> int | None:
    text = str(raw if raw is not None else "").strip()
    if not text:
        if required:
            errors[name] = _("请填写分钟数。")
        return None
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= maximum:
        errors[name] = _("请填写 1–%(max)d 之间的整数（分钟）。", max=maximum)
        return None
    return int(text)


def update_sla(actor: User, site_id: int, values: dict, *, now: datetime) -> dict:
    """Save the clocks from form values `<priority>_arrive` / `<priority>_finish` (minutes).

    The emergency arrival clock is required (W1); the others may be blank (no arrival clock).
    Raises FieldErrors (Chinese, per field). From 「生效时间」 (`effective_from`, default now, never earlier)
    new orders take the new clocks; orders raised before keep theirs. Effective-dated (settings_history).
    """
    site = get_site(actor, site_id, *ADMIN_ROLES)
    errors: dict[str, str] = {}
    wanted = {}
    for priority in PRIORITIES:
        arrive = _minutes(values.get(f"{priority}_arrive"), required=priority == "emergency",
                          maximum=MAX_ARRIVE_MINUTES, errors=errors, name=f"{priority}_arrive")
        finish = _minutes(values.get(f"{priority}_finish"), required=True, maximum=MAX_FINISH_MINUTES,
                          errors=errors, name=f"{priority}_finish")
        if arrive is not None and finish is not None and arrive > finish:
            errors[f"{priority}_arrive"] = _("到场时限不能长于完成时限。")
        wanted[priority] = {"arrive": arrive, "finish": finish}
    start = parse_effective_from(values.get("effective_from"), site.timezone, now=now)
    if errors:
        raise FieldErrors(errors)
    change_setting(actor, site.id, "site", SLA_SETTING, wanted, now=now, effective_from=start,
                   default=sla_minutes(site.id), label=SLA_SETTING)
    if start is None:  # the policy rows hold the clocks in force now (the settings page shows them)
        policies = {p.priority: p for p in db.session.scalars(select(SlaPolicy).where(SlaPolicy.site_id == site.id))}
        for priority, clock in wanted.items():
            policy = policies.get(priority) or SlaPolicy(site_id=site.id, priority=priority)
            policy.arrive_minutes, policy.finish_minutes = clock["arrive"], clock["finish"]
            db.session.add(policy)
        db.session.flush()
    return wanted



def update_switches(actor: User, site_id: int, *, allow_grab: bool, require_signature: bool,
                    now: datetime) -> OrderSettings:
    """Turn grabbing (抢单) and the resident's signature on or off for the site; logged when changed."""
    site = get_site(actor, site_id, *ADMIN_ROLES)
    current = db.session.get(OrderSettings, site.id)
    before = {"allow_grab": bool(current and current.allow_grab),
              "require_signature": bool(current and current.require_signature)}
    after = {"allow_grab": bool(allow_grab), "require_signature": bool(require_signature)}
    if current is None:
        current = OrderSettings(site_id=site.id)
        db.session.add(current)
    current.allow_grab, current.require_signature = after["allow_grab"], after["require_signature"]
    db.session.flush()
    if before != after:
        log_admin_change(actor, site.id, "workorders.settings", before, after, now=now)
    return current


def set_trades(actor: User, site_id: int, user_id: int, categories, *, now: datetime) -> set[str]:
    """Set the categories a technician of the site works. NotFound for a user who is not one;
    FieldErrors for an unknown category."""
    site = get_site(actor, site_id, *ADMIN_ROLES)
    if user_id not in {u.id for u in queries.technicians_of(site.id)}:
        raise NotFound(_("维修工不存在，或不在本小区。"))
    wanted = set(categories)
    if wanted - set(CATEGORIES):
        raise FieldErrors({"categories": _("工种无效。")})
    rows = {t.category: t for t in db.session.scalars(select(TechnicianTrade).where(
        TechnicianTrade.user_id == user_id, TechnicianTrade.site_id == site.id))}
    before = set(rows)
    for category in before - wanted:
        db.session.delete(rows[category])
    for category in wanted - before:
        db.session.add(TechnicianTrade(user_id=user_id, site_id=site.id, category=category))
    db.session.flush()
    if before != wanted:
        log_admin_change(actor, site.id, f"workorders.trades user={user_id}", sorted(before), sorted(wanted), now=now)
    return wanted


def parse_price(raw) -> int | None:
    """'35' or '35.5' 元 → fen (3500 / 3550); None when not a positive amount (steps.parse_amount rules)."""
    try:
        fen = steps.parse_amount(str(raw or ""))
    except DomainError:
        return None
    return fen if fen and fen <= MAX_PRICE_FEN else None


def add_price_item(actor: User, site_id: int, *, name: str, unit: str, price: str, now: datetime) -> PriceItem:
    """Publish a priced item (W7). FieldErrors for a missing name or a bad price."""
    site = get_site(actor, site_id, *ADMIN_ROLES)
    errors = {}
    if message := text_problem(name):
        errors["name"] = message
    name, unit = clean_text(name), clean_text(unit) or "次"
    if not name or len(name) > 60:
        errors["name"] = _("请填写项目名称（不超过 60 字）。")
    if len(unit) > 12:
        errors["unit"] = _("单位不超过 12 字。")
    fen = parse_price(price)
    if fen is None:
        errors["price"] = _("请填写价格（元），例如 35 或 35.50。")
    if errors:
        raise FieldErrors(errors)
    item = PriceItem(site_id=site.id, name=name, unit=unit, price_fen=fen, active=True)
    db.session.add(item)
    db.session.flush()
    log_admin_change(actor, site.id, "workorders.price_item", None,
                     {"id": item.id, "name": name, "unit": unit, "price_fen": fen}, now=now)
    return item


def set_price_active(actor: User, item_id: int, active: bool, *, now: datetime) -> PriceItem:
    """Withdraw or re-publish a price item (rows are kept: done orders point at them). Logged."""
    item = db.session.get(PriceItem, item_id)
    if item is None or item.site_id not in actor.site_ids(*ADMIN_ROLES):
        raise NotFound(_("价目不存在，或您无权修改。"))
    if item.active != active:
        log_admin_change(actor, item.site_id, "workorders.price_item", {"id": item.id, "active": item.active},
                         {"id": item.id, "active": active}, now=now)
        item.active = active
        db.session.flush()
    return item
