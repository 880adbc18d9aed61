"""What the round page shows (a phone at the site, online or from its cache): the sheet's items with the
scores given, the month's proposed deductions with their decision, on-site deductions, reprimands, who has
signed and what the user may still do."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _

from wuye_field.accounts.models import User
from wuye_field.assessment import entries, proposals, sheet
from wuye_field.assessment.inputs import Decisions, Item, OnSiteDeduction, Proposal, Signature
from wuye_field.assessment.models import REPRIMAND_KINDS, SIGNER_ROLES
from wuye_field.assessment.round import MANAGERS, ROUND_ROLES, VIEWERS, refusal
from wuye_field.core.errors import Forbidden
from wuye_field.photos import links as photo_links
from wuye_field.core.months import month_days, month_of, parse_month, previous_month, site_today
from wuye_field.places.models import Site
from wuye_field.places.services import get_site, sites_for
from wuye_field.reports.figures import month_bounds


@dataclass
class ItemRow:
    item: Item
    score: float | None                      # the inspector's latest score, None while unscored
    onsite: list[OnSiteDeduction] = field(default_factory=list)


@dataclass
class ProposalRow:
    proposal: Proposal
    accepted: bool = False
    rejected: bool = False
    reason: str = ""


@dataclass
class RoundPage:
    site: Site
    sites: list[Site]
    month: str
    previous: str
    current: str
    items: list[ItemRow]
    proposals: list[ProposalRow]
    decisions: Decisions
    signatures: dict[str, Signature]
    locked: str | None                       # why the month takes no more entries
    can_round: bool                          # score, deduct, decide, record reprimands
    sign_as: list[str]                       # the sides the user may still sign for
    photos: dict[int, list]                  # entry id → its photos that have arrived
    pending: dict[int, int]                  # entry id → photos named but not arrived yet
    signer_roles: dict = field(default_factory=lambda: SIGNER_ROLES)
    reprimand_kinds: dict = field(default_factory=lambda: REPRIMAND_KINDS)

    @staticmethod
    def pts(value: float) -> str:
        """Points as written on the sheet: 20, 2.5."""
        return f"{value:g}"


def viewable_sites(user: User) -> list[Site]:
    return sites_for(user, *VIEWERS)


def round_page(user: User, site_id: int | None, raw_month: str | None, *, now: datetime) -> RoundPage:
    """The round of a site-month (the user's first site and the current month unless asked)."""
    sites = viewable_sites(user)
    if not sites:
        raise Forbidden(_("只有甲方检查员、主管和管理处可以打开考核检查。"))
    site = get_site(user, site_id, *VIEWERS) if site_id is not None else sites[0]
    today = site_today(site.timezone, now)
    month = parse_month(raw_month, today=today)
    if month_days(month)[0] > today:
        month = month_of(today)
    sheet_now = sheet.sheet_at(site.id, min(now, month_bounds(site, month)[3]))
    rows = entries.month_entries(site.id, month)
    photos = entries.entry_photos([e.id for e in rows])
    decided = entries.fold(rows, photos)
    items = [ItemRow(item, decided.item_scores.get(item.code)) for item in sheet_now.items]
    by_code = {row.item.code: row for row in items}
    for deduction in decided.onsite:
        if deduction.item in by_code:
            by_code[deduction.item].onsite.append(deduction)
    proposed = [ProposalRow(p, p.key in decided.accepted, p.key in decided.rejected, decided.rejected.get(p.key, ""))
                for p in proposals.propose(site, month, now=now)]
    signatures = {s.role: s for s in decided.signatures}
    locked = refusal(site.id, month)
    may_sign = {"inspector": site.id in user.site_ids("inspector"), "manager": site.id in user.site_ids(*MANAGERS)}
    return RoundPage(
        site=site, sites=sites, month=month, previous=previous_month(month), current=month_of(today),
        items=items, proposals=proposed, decisions=decided, signatures=signatures, locked=locked,
        can_round=site.id in user.site_ids(*ROUND_ROLES) and not locked,
        sign_as=[] if locked else [r for r in SIGNER_ROLES if may_sign[r] and r not in signatures],
        photos=photos, pending=photo_links.pending_photo_counts(entries.PHOTO_OWNER, [e.id for e in rows]))
