"""The month's arithmetic (A1–A4), on plain values only: no query, no request, no clock.

- An item starts from the inspector's score when given, else from its maximum; accepted *and pending*
  proposals (count × points) and on-site deductions come off; an item of the complaints group deducts
  double (A3); an item never goes below 0. The inspection part is the sum of the items (out of 100).
- Pending proposals (neither accepted nor rejected yet) count as proposed: the field data stands until
  someone rejects it with a reason; the result says 「待确认 N 项」.
- total = inspection × 0.6 + survey × 0.4 (A2), rounded to 2 decimals before grading.
- No survey score (no survey, or too few responses): the total cannot be computed; the result is
  *incomplete* with a message and no grade — unless a veto fails the month anyway (A4).
- Vetoes (A4): a major incident, any recorded reprimand, dissatisfaction over 40 %.
- Grade from the site's thresholds (`SiteSettings.assessment_level`); vetoed → 不合格; bond −1 % for a
  failed month, +1 % for an excellent one.
- Streaks: consecutive failed months, counted back across year boundaries; an incomplete month is
  skipped (neither extends nor breaks the run, so a missing survey never hides a failure); after 2 a
  rectification order, after 5 the client may end the contract.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field

from flask_babel import lazy_gettext as _l

from wuye_field.assessment.inputs import Decisions, Proposal, Sheet
from wuye_field.core.months import previous_month

INSPECTION_WEIGHT, SURVEY_WEIGHT = 0.6, 0.4  # A2
COMPLAINT_FACTOR = 2  # A3
COMPLAINT_GROUP = "complaints"
DISSATISFACTION_VETO = 0.4  # A4 (4): strictly more than 40 %
RECTIFY_AFTER, TERMINATE_AFTER = 2, 5  # 第3篇 五: failed months in a row
BOND_PERCENT = {"excellent": 1, "fail": -1}
GRADES = {"excellent": _l("优秀"), "pass": _l("合格"), "basic": _l("基本合格"), "fail": _l("不合格")}
VETO_LABELS = {"major_incident": _l("重大安全事故"), "reprimand_authority": _l("上级或甲方领导书面通报批评"),
               "reprimand_instruction": _l("不服从甲方管理被通报批评"), "dissatisfaction": _l("不满意率超过40%")}
STREAK_MONTHS = 60  # how far back a streak is looked for


@dataclass(frozen=True)
class Deduction:
    source: str          # "proposal" or "onsite"
    key: str             # the proposal's key, or "onsite:<entry id>"
    label: str
    count: int
    points: float        # per unit
    total: float         # count × points × (2 for complaints)
    status: str          # "accepted" / "pending" / "rejected" (rejected ones cost nothing)
    evidence_url: str = ""
    standard: str = ""
    reason: str = ""


@dataclass(frozen=True)
class ItemResult:
    code: str
    group: str
    name: str
    max_points: float
    start: float
    deductions: tuple[Deduction, ...]
    score: float


@dataclass(frozen=True)
class MonthResult:
    """One site-month's assessment as plain values; `as_dict()` is what the page, the CLI, the PDF and
    the month close show."""

    items: tuple[ItemResult, ...]
    inspection: float
    survey: float | None
    total: float | None
    level: str | None        # excellent / pass / basic / fail; None while incomplete
    vetoes: tuple[str, ...]
    bond_percent: int
    pending: int
    complete: bool
    message: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def grade(self) -> str:
        return str(GRADES[self.level]) if self.level else ""

    def as_dict(self) -> dict:
        data = asdict(self)
        data.update(grade=self.grade, vetoes=[{"code": v, "label": str(VETO_LABELS[v])} for v in self.vetoes])
        return data


def _status(key: str, decisions: Decisions) -> tuple[str, str]:
    if key in decisions.rejected:
        return "rejected", decisions.rejected[key]
    return ("accepted" if key in decisions.accepted else "pending"), ""


def item_results(sheet: Sheet, proposals: Iterable[Proposal], decisions: Decisions) -> tuple[ItemResult, ...]:
    """Each item's score (A3 doubled for the complaints group, floored at 0)."""
    by_item: dict[str, list[Deduction]] = {item.code: [] for item in sheet.items}
    factor = {item.code: COMPLAINT_FACTOR if item.group == COMPLAINT_GROUP else 1 for item in sheet.items}
    for p in proposals:
        if p.item not in by_item:
            continue
        status, reason = _status(p.key, decisions)
        cost = 0.0 if status == "rejected" else round(p.count * p.points * factor[p.item], 2)
        by_item[p.item].append(Deduction("proposal", p.key, p.label, p.count, p.points, cost, status,
                                         p.evidence_url, p.standard, reason))
    for d in decisions.onsite:
        if d.item in by_item:
            by_item[d.item].append(Deduction("onsite", f"onsite:{d.entry_id}", d.note, 1, d.points,
                                             round(d.points * factor[d.item], 2), "accepted"))
    results = []
    for item in sheet.items:
        start = min(float(decisions.item_scores.get(item.code, item.max_points)), float(item.max_points))
        lines = tuple(by_item[item.code])
        score = max(0.0, round(start - sum(d.total for d in lines), 2))
        results.append(ItemResult(item.code, item.group, str(item.name), float(item.max_points), start, lines, score))
    return tuple(results)


def vetoes(*, major_incidents: int, reprimand_kinds: Iterable[str], dissatisfaction: float | None) -> tuple[str, ...]:
    """A4's vetoes that apply, in the manual's order."""
    kinds = set(reprimand_kinds)
    found = []
    if major_incidents:
        found.append("major_incident")
    if "authority" in kinds:
        found.append("reprimand_authority")
    if "instruction" in kinds or kinds - {"authority", "instruction"}:
        found.append("reprimand_instruction")
    if dissatisfaction is not None and dissatisfaction > DISSATISFACTION_VETO:
        found.append("dissatisfaction")
    return tuple(found)


def month_result(sheet: Sheet, proposals: Iterable[Proposal], decisions: Decisions, *, survey: float | None,
                 survey_message: str, major_incidents: int, dissatisfaction: float | None,
                 level_of: Callable[[float], str]) -> MonthResult:
    """The month's result from plain values; `level_of` is the site's `SiteSettings.assessment_level`."""
    proposals = list(proposals)
    items = item_results(sheet, proposals, decisions)
    inspection = round(sum(i.score for i in items), 2)
    found = vetoes(major_incidents=major_incidents, reprimand_kinds=[r.kind for r in decisions.reprimands],
                   dissatisfaction=dissatisfaction)
    pending = sum(1 for p in proposals if p.key not in decisions.accepted and p.key not in decisions.rejected)
    total = None if survey is None else round(inspection * INSPECTION_WEIGHT + survey * SURVEY_WEIGHT, 2)
    if found:
        level = "fail"
    elif total is None:
        level = None
    else:
        level = level_of(total)
    message = ""
    if survey is None:
        missing = str(_l("本月没有满意度调查得分，无法计算总分（结果不完整）。"))
        message = f"{missing} {survey_message}".strip()
    return MonthResult(items, inspection, survey, total, level, found, BOND_PERCENT.get(level or "", 0), pending,
                       complete=total is not None, message=message)


def consecutive_failures(month: str, levels: Mapping[str, str | None], *, months: int = STREAK_MONTHS) -> int:
    """Failed months in a row ending with `month` (itself included), across year boundaries.

    `levels` maps "YYYY-MM" → level ("fail", "pass" …) or None for an incomplete month (skipped); a month
    absent from `levels` (no result at all) ends the run."""
    count, current = 0, month
    for _i in range(months):
        if current not in levels:
            break
        level = levels[current]
        if level is not None and level != "fail":
            break
        count += level == "fail"
        current = previous_month(current)
    return count


def consequences(streak: int) -> dict:
    """What a run of failed months brings: a rectification order after 2, the contract's end after 5."""
    return {"streak": streak, "rectification": streak >= RECTIFY_AFTER, "termination": streak >= TERMINATE_AFTER}
