"""The plain values the month's score is computed from, shared by the sheet, the proposed deductions,
the inspector's round and the scoring: each part of the assessment produces or reads these, so the
arithmetic (`scoring`) takes plain values and never queries."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Rule:
    """One deduction rule of an item: `points` off per unit of evidence (a missed window, a late order …),
    proposed from the field data under the stable `key` (e.g. "P2.missed")."""

    key: str
    label: str
    points: float
    standard: str = ""      # the docs/standards.md id the rule measures (P2, C3, W1 …)
    enabled: bool = True
    limit: float | None = None  # the rule's own threshold where it has one (findings: days open)


@dataclass(frozen=True)
class Item:
    """One line of the scoring sheet (A5): its group, its maximum points and its deduction rules."""

    code: str
    group: str
    name: str  # or a lazy translation
    max_points: float
    rules: tuple[Rule, ...] = ()


@dataclass(frozen=True)
class Sheet:
    """A site's scoring sheet in force at one moment; its items' maximum points add up to 100."""

    items: tuple[Item, ...]

    def item(self, code: str) -> Item | None:
        return next((item for item in self.items if item.code == code), None)


@dataclass(frozen=True)
class Proposal:
    """A deduction the product proposes for a month from its field data, with the records behind it:
    `count` units of evidence, listed at `evidence_url`, costing `points` on `item`."""

    key: str                # stable within a site-month: the rule's key, e.g. "P2.missed"
    item: str               # the sheet item's code
    label: str
    count: int
    points: float
    evidence_url: str
    standard: str = ""


@dataclass(frozen=True)
class OnSiteDeduction:
    """A deduction the inspector adds on the round, with a note and photos."""

    entry_id: int
    item: str
    points: float
    note: str
    photo_ids: tuple[int, ...]
    by: str
    at: datetime


@dataclass(frozen=True)
class Reprimand:
    """A recorded reprimand (A4 veto 2 or 3): `kind` is "authority" (a written reprimand from the
    authorities or the client's leadership) or "instruction" (for not following the client's
    management), with the document's number and a scan."""

    entry_id: int
    kind: str
    number: str
    note: str
    photo_ids: tuple[int, ...]
    by: str
    at: datetime


@dataclass(frozen=True)
class Signature:
    """A sign-off of the month: `role` is "inspector" or "manager"."""

    entry_id: int
    role: str
    name: str  # or a lazy translation
    at: datetime


@dataclass(frozen=True)
class Decisions:
    """Everything people decided about a site-month, read from the round's append-only records (the
    latest record wins where one replaces another): items the inspector scored (the score the item
    starts from instead of its maximum), on-site deductions, proposals accepted or rejected (with the
    reason), reprimands and signatures."""

    item_scores: Mapping[str, float] = field(default_factory=dict)
    onsite: tuple[OnSiteDeduction, ...] = ()
    accepted: frozenset[str] = frozenset()
    rejected: Mapping[str, str] = field(default_factory=dict)
    reprimands: tuple[Reprimand, ...] = ()
    signatures: tuple[Signature, ...] = ()
