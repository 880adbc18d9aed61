"""The inspector's round (issue 17 item 3; A1, A4, A5): what the client's inspector or the company's quality
supervisor records on the phone, each as an append-only `AssessmentEntry` on the site's chain.

- Who: the round (scores, on-site deductions, accepting or rejecting a proposed deduction, a reprimand) is the
  inspector's or a supervisor's of that site; the inspector signs as the client, a supervisor or the site's
  admin as the site manager. Anyone else: NotFound for a site not theirs (kept in quarantine when they lost
  the role while offline, R12), Forbidden for a role that may not.
- A month not yet begun takes nothing; a closed month (`reports` MonthClose) and a month both have signed
  take nothing more: 409 with a Chinese message (the phone shows it on 「上传记录」).
- Rejecting a proposed deduction needs the reason; a reprimand needs the document's number and its scan.
The chain head is held from the first check to the append, so a signature and an entry racing each other
cannot both pass.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from wuye_field.accounts.models import User
from wuye_field.assessment import entries, proposals, sheet
from wuye_field.assessment.models import (ACCEPT, CHAIN_COLUMNS, KINDS, ONSITE, REJECT, REPRIMAND, REPRIMAND_KINDS,
                                          SCORE, SIGN, SIGNER_ROLES, AssessmentEntry)
from wuye_field.audit import chain
from wuye_field.core.errors import DomainError, Forbidden, NotFound
from wuye_field.core.months import month_days, site_today
from wuye_field.core.text import clean_text, text_problem
from wuye_field.extensions import db
from wuye_field.photos import links as photo_links
from wuye_field.places.models import Site
from wuye_field.places.services import get_site
from wuye_field.reports.close import closed
from wuye_field.reports.figures import month_bounds
from wuye_field.sync.models import FIELD_COLUMNS
from wuye_field.sync.receipt import Receipt

ROUND_ROLES = ("inspector", "supervisor")   # score, deduct on site, decide proposals, record reprimands
MANAGERS = ("supervisor", "admin")          # the site manager's signature
SIGNERS = {"inspector": ("inspector",), "manager": MANAGERS}
VIEWERS = ("inspector", "supervisor", "admin")
NOTE_LIMIT, NUMBER_LIMIT = 500, 60
chain.register_tables({"assessment_entry": FIELD_COLUMNS + CHAIN_COLUMNS})


def _bad(message: str, code: str) -> DomainError:
    return DomainError(message, status=400, code=code)


def _text(raw, limit: int, field: str, required: str | None = None) -> str:
    problem = text_problem(raw, multiline=True)
    if problem:
        raise _bad(problem, f"bad_{field}")
    value = clean_text(raw or "", multiline=True)
    if required and not value:
        raise _bad(required, f"{field}_required")
    if len(value) > limit:
        raise _bad(_("不能超过 %(n)s 个字。", n=limit), f"long_{field}")
    return value


def _site(user: User, raw_site_id, roles: tuple[str, ...]) -> Site:
    try:
        site_id = int(raw_site_id)
    except (TypeError, ValueError):
        raise NotFound(_("小区不存在，或您无权查看。")) from None
    get_site(user, site_id, *VIEWERS)  # NotFound (and quarantine when the role ended) for a site not theirs
    if site_id not in user.site_ids(*roles):
        raise Forbidden(_("您在这个小区不能做这项考核记录。"), scope_site_id=site_id)
    return db.session.get(Site, site_id)


def _month(site: Site, raw, now: datetime) -> str:
    month = (raw or "").strip()
    first, _last = month_days(month)
    if first > site_today(site.timezone, now):
        raise _bad(_("%(month)s 还没有开始，不能记录考核。", month=month), "future_month")
    return month


def refusal(site_id: int, month: str) -> str | None:
    """Why `month` of the site takes no more entries (closed, or signed by both), or None."""
    if closed(site_id, month) is not None:
        return _("%(month)s 已关账，考核记录不能再更改。", month=month)
    if entries.signed_by_both(site_id, month):
        return _("%(month)s 的考核已由甲方检查员和管理处双方签字，不能再更改。", month=month)
    return None


def _points(raw, maximum: float, *, positive: bool) -> float:
    try:
        value = round(float(str(raw or "").strip()), 1)
    except ValueError:
        raise _bad(_("分数请填数字。"), "bad_points") from None
    lowest_ok = value > 0 if positive else value >= 0
    if not lowest_ok or value > maximum:
        highest = f"{maximum:g}"
        raise _bad(_("分数应在 %(lo)s 到 %(hi)s 之间。", lo=0, hi=highest), "bad_points")
    return value


def _item(site: Site, month: str, raw, now: datetime):
    at = min(now, month_bounds(site, month)[3])
    item = sheet.sheet_at(site.id, at).item((raw or "").strip())
    if item is None:
        raise _bad(_("考核表里没有这一项。"), "bad_item")
    return item


def _proposal_key(site: Site, month: str, raw, now: datetime) -> str:
    key = (raw or "").strip()
    if key not in {p.key for p in proposals.propose(site, month, now=now)}:
        raise _bad(_("这项建议扣分本月已不存在，请刷新页面后再看。"), "bad_proposal")
    return key


def _columns(kind: str, user: User, site: Site, month: str, values, photos: list[str], now: datetime) -> dict:
    """The kind's own columns from the form, checked."""
    if kind == SCORE:
        item = _item(site, month, values.get("item"), now)
        return {"item": item.code, "points": _points(values.get("points"), item.max_points, positive=False)}
    if kind == ONSITE:
        item = _item(site, month, values.get("item"), now)
        return {"item": item.code, "points": _points(values.get("points"), item.max_points, positive=True),
                "note": _text(values.get("note"), NOTE_LIMIT, "note", _("请写明现场发现的问题。"))}
    if kind in (ACCEPT, REJECT):
        key = _proposal_key(site, month, values.get("proposal_key"), now)
        reason = _text(values.get("note"), NOTE_LIMIT, "note",
                       _("驳回建议扣分须写明理由。") if kind == REJECT else None)
        return {"proposal_key": key, "note": reason}
    if kind == REPRIMAND:
        reprimand_kind = values.get("reprimand_kind", "")
        if reprimand_kind not in REPRIMAND_KINDS:
            raise _bad(_("请选择通报批评的类别。"), "bad_reprimand_kind")
        if not photos:
            raise _bad(_("请拍下通报批评文件（扫描件或照片）。"), "scan_required")
        return {"reprimand_kind": reprimand_kind,
                "doc_number": _text(values.get("doc_number"), NUMBER_LIMIT, "doc_number", _("请填写文件编号。")),
                "note": _text(values.get("note"), NOTE_LIMIT, "note")}
    role = values.get("signer_role", "")
    if role not in SIGNER_ROLES:
        raise _bad(_("请选择以什么身份签字。"), "bad_signer")
    if any(s.role == role for s in entries.decisions(site.id, month).signatures):
        raise DomainError(_("%(who)s已经签过字。", who=str(SIGNER_ROLES[role])), status=409, code="already_signed")
    return {"signer_role": role}


def record(user: User, values, receipt: Receipt, *, photo_ids: str | None = "", photo_limit: int = 10,
           now: datetime) -> AssessmentEntry:
    """Store one entry of the round from the form `values` (`kind`, `site_id`, `month` and the kind's fields).
    Flushes and chains; the caller commits."""
    kind = values.get("kind", "")
    if kind not in KINDS:
        raise _bad(_("不知道要记录什么，请刷新页面。"), "bad_kind")
    roles = SIGNERS.get(values.get("signer_role", ""), MANAGERS) if kind == SIGN else ROUND_ROLES
    site = _site(user, values.get("site_id"), roles)
    month = _month(site, values.get("month"), now)
    photos = photo_links.parse_photo_ids(photo_ids, photo_limit) if kind in (ONSITE, REPRIMAND) else []
    chain.lock(site.id)  # held to the commit: no signature slips in between this check and the append
    why = refusal(site.id, month)
    if why:
        raise DomainError(why, status=409, code="month_locked")
    entry = AssessmentEntry(**receipt.columns(), user_id=user.id, site_id=site.id, month=month, kind=kind,
                            **_columns(kind, user, site, month, values, photos, now))
    db.session.add(entry)
    db.session.flush()
    photo_links.link_photos(entries.PHOTO_OWNER, entry.id, user_id=user.id, site_id=site.id, photo_ids=photos)
    chain.append_records(site.id, "assessment_entry", [entry.id], now=receipt.received_at)
    return entry
