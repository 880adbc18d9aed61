"""The CSV exports of a month, frozen when it is closed (R30): each export's text is stored beside the
snapshot (`MonthCloseFile`, append-only, on the chain), and an export asked for exactly that month returns
the stored text (through the FROZEN_EXPORTS registry that every domain's export consults)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy import select

from wuye_field.audit import chain
from wuye_field.checks import exports as checks
from wuye_field.cleaning import reports as cleaning
from wuye_field.core import registry
from wuye_field.core.csv_export import csv_text
from wuye_field.core.months import month_days, month_of
from wuye_field.extensions import db
from wuye_field.handover import month as handover
from wuye_field.patrol import exports as patrol_exports
from wuye_field.patrol import month as patrol
from wuye_field.places.models import Site
from wuye_field.reports.models import FILE_CHAIN_COLUMNS, MonthCloseFile
from wuye_field.workorders import reports as workorders

chain.register_tables({"month_close_file": FILE_CHAIN_COLUMNS})

Export = Callable[[Site, date, date, datetime], str]
EXPORTS: dict[str, Export] = {
    "scans": lambda site, first, last, now: csv_text(*patrol_exports.scans_rows(site, first, last)),
    "inspections": lambda site, first, last, now: csv_text(*patrol_exports.inspections_rows(site, first, last)),
    "windows": lambda site, first, last, now: csv_text(*patrol.window_rows(site, first, last, now=now)),
    "makeups": lambda site, first, last, now: csv_text(*patrol.makeup_rows(site, first, last)),
    "cleaning": lambda site, first, last, now: cleaning.export_text(site, first, last, now=now),
    "workorders": lambda site, first, last, now: workorders.export_text(site, first, last, now=now),
    "handovers": lambda site, first, last, now: csv_text(*handover.export_rows(site, first, last, now=now)),
    "checks": lambda site, first, last, now: checks.checks_csv(site, first, last),
}


def freeze(site: Site, month: str, *, now: datetime) -> list[MonthCloseFile]:
    """Store every export of the month as it is now, and chain them. Flushes."""
    first, last = month_days(month)
    texts = {name: export(site, first, last, now) for name, export in EXPORTS.items()}
    for provider in registry.providers(registry.MONTH_EXPORTS):  # packages beside reports (the survey)
        texts.update(provider(site, first, last, now))
    files = [MonthCloseFile(site_id=site.id, month=month, name=name, text=text, closed_at=now)
             for name, text in texts.items()]
    db.session.add_all(files)
    db.session.flush()
    chain.append_records(site.id, "month_close_file", [f.id for f in files], now=now)
    return files


def frozen_text(site_id: int, name: str, first: date, last: date) -> str | None:
    """The stored text of export `name` when first…last is exactly a closed month; None otherwise."""
    month = month_of(first)
    if (first, last) != month_days(month):
        return None
    return db.session.scalar(select(MonthCloseFile.text).where(
        MonthCloseFile.site_id == site_id, MonthCloseFile.month == month, MonthCloseFile.name == name))
