"""What domains add to pages that belong to none of them: the home page's sections, a place page's panels
and the pages a phone keeps offline.

One registry per app (`app.extensions`), filled by each domain's `views.register(app)`, which the factory
calls; read by dashboard (sections), places (panels) and sync (offline pages) without importing a domain.
A provider is a function: `provider(user)` for a home section or offline pages, `provider(place, user)` for
a place panel, `provider(post, user, now)` for handover notes. Providers run in the order they were added
(sections and panels are then sorted by order).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app

HOME_SECTIONS = "home_sections"  # provider(user) → Section | None   (read by wuye_field.dashboard.sections)
PLACE_PANELS = "place_panels"  # provider(place, user) → Panel | None   (wuye_field.places.panels)
OFFLINE_PAGES = "offline_pages"  # provider(user) → iterable of URLs   (wuye_field.sync.offline)
OFFLINE_ASSETS = "offline_assets"  # provider(user) → iterable of static URLs   (wuye_field.sync.offline)
# provider(site_id, name, first, last) → CSV text | None: an export frozen with a closed month (reports)
FROZEN_EXPORTS = "frozen_exports"  # (read by wuye_field.core.csv_export.frozen_export)
# provider(post, user, now) → list of lines: what a duty above handover (the gate) hands on at a post's
# shift change (visitors still inside, duty-log entries needing follow-up); read by wuye_field.handover.
HANDOVER_NOTES = "handover_notes"
# provider(site, first, last, now) → {name: CSV text}: exports of a package beside reports (the survey) that a
# month close stores with its own (read by wuye_field.reports.files.freeze; then served via FROZEN_EXPORTS)
MONTH_EXPORTS = "month_exports"
# provider(order, user) → Section | None: a duty above work orders that raised the order (checks' planned
# upkeep) gives its completion form: `context["action"]` is where the form posts, `template` the fields it
# adds (the plan's checklist); read by wuye_field.workorders.queries (the order page's 「完工」 form).
ORDER_COMPLETION = "order_completion"
KINDS = (HOME_SECTIONS, PLACE_PANELS, OFFLINE_PAGES, OFFLINE_ASSETS, FROZEN_EXPORTS, HANDOVER_NOTES, MONTH_EXPORTS,
         ORDER_COMPLETION)
_EXTENSION = "wuye_field.registry"


@dataclass(frozen=True)
class Section:
    """A card on the home page: `template` rendered with `section.context`; lower `order` comes first."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 100


def add(app: Flask, kind: str, *providers: Callable) -> None:
    """Add providers of `kind` to the app's registry (a provider added twice counts once)."""
    if kind not in KINDS:
        raise ValueError(f"unknown registry {kind!r}; one of {', '.join(KINDS)}")
    entries = app.extensions.setdefault(_EXTENSION, {name: [] for name in KINDS})[kind]
    for provider in providers:
        if provider not in entries:
            entries.append(provider)


def providers(kind: str) -> list[Callable]:
    """The current app's providers of `kind`, in the order they were added."""
    return list(current_app.extensions.get(_EXTENSION, {}).get(kind, ()))
