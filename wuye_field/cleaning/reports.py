"""The supervisor's cleaning reports: the day and the week per site, and the CSV export. Reads only."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from wuye_field.accounts.models import User
from wuye_field.audit.settings_history import Timeline, timelines
from wuye_field.cleaning import rules
from wuye_field.cleaning.checkoff import CHECKOFF_PHOTOS
from wuye_field.cleaning.models import (
    SCHEDULE_SETTING, CleaningTask, ReClean, SpotCheck, TaskCheckoff, frequency_of, tasks_of_places,
)
from wuye_field.cleaning.setup import OVERSEERS, assignees_by_area, cleaning_areas
from wuye_field.cleaning.today import done_map, occurrence_counts
from wuye_field.core.csv_export import csv_text
from wuye_field.core.time import as_utc
from wuye_field.photos import links as photo_links
from wuye_field.defects import records as defect_records
from wuye_field.defects.models import Defect
from wuye_field.extensions import db
from wuye_field.places.models import Place, Site
from wuye_field.places.services import get_site, sites_for

# ---------------------------------------------------------------- supervisor reports


@dataclass
class Tally:
    """Counts of occurrences: due = on_time + late + missed + open (+ upcoming)."""

    due: int = 0
    on_time: int = 0
    late: int = 0
    missed: int = 0
    open: int = 0
    spot_pass: int = 0
    spot_fail: int = 0

    def add(self, status: str) -> None:
        self.due += 1
        if status == rules.ON_TIME:
            self.on_time += 1
        elif status == rules.LATE:
            self.late += 1
        elif status == rules.MISSED:
            self.missed += 1
        else:
            self.open += 1

    @property
    def done(self) -> int:
        return self.on_time + self.late

    @property
    def rate(self) -> str:
        return f"{round(100 * self.on_time / self.due)}%" if self.due else "—"


@dataclass
class Row:
    """One occurrence in a report."""

    day: date
    task: CleaningTask
    occ: rules.Occurrence
    status: str
    done_at: datetime | None
    done_by: User | None
    method: str = ""
    photos: int = 0
    note: str = ""
    skew_flagged: bool = False


@dataclass
class DayReport:
    site: Site
    day: date
    total: Tally
    by_area: list[tuple[Place, Tally]]
    by_cleaner: list[tuple[str, Tally]]
    rows: list[Row]
    carried: list[Row]
    issues: list[Defect] = field(default_factory=list)

    @property
    def missed_rows(self) -> list[Row]:
        return [r for r in self.rows if r.status == rules.MISSED]


def overseen_sites(actor: User) -> list[Site]:
    """The sites whose cleaning `actor` supervises or administers, by name."""
    return sites_for(actor, *OVERSEERS)


def report_rows(site: Site, first: date, last: date, *, now: datetime) -> list[Row]:
    """Every occurrence counted on the site's local days first…last with its status, by day and area."""
    tz = ZoneInfo(site.timezone)
    places = cleaning_areas(site.id)
    tasks = list(db.session.scalars(tasks_of_places(p.id for p in places)))
    start, end = rules.at(first, time(0), tz), rules.end_of_day(last, tz)
    schedules = timelines(site.id, "cleaning_task", SCHEDULE_SETTING)
    occs = [(task, occ) for task in tasks for occ in _occurrences(task, schedules.get(task.id), first, last, tz)
            if occurrence_counts(task, occ)]
    recleans = list(db.session.scalars(select(ReClean).where(
        ReClean.site_id == site.id, ReClean.due_at >= as_utc(start), ReClean.due_at < as_utc(end))))
    occs += [(r.task, rules.reclean_occurrence(r.id, as_utc(r.created_at), as_utc(r.due_at), tz)) for r in recleans]
    checkoffs = _checkoffs([t.id for t in tasks], {o.slot for _t, o in occs})
    users = _users({c.user_id for c in checkoffs.values()})
    photos = _photo_counts([c.id for c in checkoffs.values()])
    rows = []
    for task, occ in occs:
        first_done = checkoffs.get((task.id, occ.slot))
        done_at = as_utc(first_done.done_at) if first_done else None
        rows.append(Row(occ.day, task, occ, rules.classify(occ, done_at, now), done_at,
                        users.get(first_done.user_id) if first_done else None,
                        first_done.method if first_done else "",
                        photos.get(first_done.id, 0) if first_done else 0,
                        first_done.note if first_done else "", bool(first_done and first_done.skew_flagged)))
    rows.sort(key=lambda r: (r.day, r.task.place.code, r.occ.due, r.task.id))
    return rows


def _occurrences(task: CleaningTask, line: Timeline | None, first: date, last: date, tz) -> list[rules.Occurrence]:
    """The task's occurrences on local days first…last, each under the schedule in force when it starts
    (C1–C16 settings with history: a change cuts the period where it falls)."""
    start, end = as_utc(rules.at(first, time(0), tz)), as_utc(rules.end_of_day(last, tz))
    if line is None:
        return rules.occurrences_between(task.frequency, first, last, tz)
    cuts = [start, *line.changes_between(start, end), end]
    result = []
    for piece_start, piece_end in zip(cuts, cuts[1:], strict=False):
        frequency = frequency_of(line.at(piece_start, task.schedule))
        result += [occ for occ in rules.occurrences_between(frequency, first, last, tz)
                   if piece_start <= occ.start < piece_end or (piece_start == start and occ.start < start)]
    return result


def _checkoffs(task_ids: list[int], slots: set[str]) -> dict[tuple[int, str], TaskCheckoff]:
    """(task, slot) → its earliest check-off."""
    if not task_ids or not slots:
        return {}
    result: dict[tuple[int, str], TaskCheckoff] = {}
    for row in db.session.scalars(select(TaskCheckoff).where(TaskCheckoff.task_id.in_(task_ids),
                                                             TaskCheckoff.slot.in_(slots))
                                  .order_by(TaskCheckoff.done_at, TaskCheckoff.id)):
        result.setdefault((row.task_id, row.slot), row)
    return result


def _photo_counts(checkoff_ids: list[int]) -> dict[int, int]:
    return photo_links.photo_counts(CHECKOFF_PHOTOS, checkoff_ids)


def _users(ids) -> dict[int, User]:
    ids = set(ids)
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


def day_report(actor: User, site_id: int, day: date, *, now: datetime) -> DayReport:
    """Per site and local day: due, on time, late, missed; per area and per cleaner; spot checks; and
    the missed occurrences of longer frequencies that are still not done. NotFound unless overseer."""
    site = get_site(actor, site_id, *OVERSEERS)
    rows = report_rows(site, day, day, now=now)
    return _day_report(site, day, rows, now=now)


def _day_report(site: Site, day: date, rows: list[Row], *, now: datetime) -> DayReport:
    tz = ZoneInfo(site.timezone)
    total, areas, cleaners = Tally(), {}, defaultdict(Tally)
    assignees = assignees_by_area(site.id)
    for row in rows:
        total.add(row.status)
        areas.setdefault(row.task.place_id, (row.task.place, Tally()))[1].add(row.status)
        for name in _charged(row, assignees):
            cleaners[name].add(row.status)
    _add_spot_checks(site, day, tz, areas, cleaners)
    carried = _carried(site, day, tz, now)
    by_area = sorted(areas.values(), key=lambda pair: pair[0].code)
    start, end = as_utc(rules.at(day, time(0), tz)), as_utc(rules.end_of_day(day, tz))
    areas_ids = [place.id for place in cleaning_areas(site.id)]
    issues = defect_records.defects_at_places(site.id, areas_ids, start, end)  # found at cleaning areas that day
    return DayReport(site=site, day=day, total=total, by_area=by_area, by_cleaner=sorted(cleaners.items()),
                     rows=rows, carried=carried, issues=issues)


def _charged(row: Row, assignees: dict[int, list[User]]) -> list[str]:
    """Whom an occurrence counts for: who did it; if nobody did, every cleaner of the area."""
    if row.done_by is not None:
        return [row.done_by.name]
    people = assignees.get(row.task.place_id, [])
    return [u.name for u in people] or [_("（未分配）")]


def _add_spot_checks(site: Site, day: date, tz, areas: dict, cleaners: dict) -> None:
    start, end = as_utc(rules.at(day, time(0), tz)), as_utc(rules.end_of_day(day, tz))
    checks = db.session.scalars(select(SpotCheck).where(SpotCheck.site_id == site.id, SpotCheck.received_at >= start,
                                                        SpotCheck.received_at < end))
    users = {}
    for check in checks:
        for item in check.items:
            tally = areas.setdefault(item.task.place_id, (item.task.place, Tally()))[1]
            if item.cleaner_id is not None and item.cleaner_id not in users:
                users[item.cleaner_id] = db.session.get(User, item.cleaner_id)
            person = users[item.cleaner_id].name if item.cleaner_id else _("（未分配）")
            for target in (tally, cleaners[person]):
                if item.passed:
                    target.spot_pass += 1
                else:
                    target.spot_fail += 1


def _carried(site: Site, day: date, tz, now: datetime) -> list[Row]:
    """Occurrences of longer frequencies counted before `day` that are past due and still not done."""
    day_start = as_utc(rules.at(day, time(0), tz))
    schedules = timelines(site.id, "cleaning_task", SCHEDULE_SETTING)
    tasks = [(t, frequency_of(schedules[t.id].at(day_start, t.schedule)) if t.id in schedules else t.frequency)
             for t in db.session.scalars(tasks_of_places(p.id for p in cleaning_areas(site.id)))]
    found = [(t, occ) for t, frequency in tasks if frequency.carries
             and (occ := rules.previous_occurrence(frequency, day, tz)) is not None
             and occ.due < now and occurrence_counts(t, occ)]
    done = done_map([t.id for t, _o in found], {o.slot for _t, o in found})
    return [Row(occ.day, t, occ, rules.MISSED, None, None) for t, occ in found if (t.id, occ.slot) not in done]


@dataclass
class WeekReport:
    site: Site
    monday: date
    days: list[tuple[date, Tally]]
    by_area: list[tuple[Place, Tally]]
    total: Tally


def week_report(actor: User, site_id: int, day: date, *, now: datetime) -> WeekReport:
    """The Monday–Sunday week containing `day`: counts per day and per area. NotFound unless overseer."""
    site = get_site(actor, site_id, *OVERSEERS)
    monday = rules.week_start(day)
    rows = report_rows(site, monday, monday + timedelta(days=6), now=now)
    days = {monday + timedelta(days=i): Tally() for i in range(7)}
    areas: dict[int, tuple[Place, Tally]] = {}
    total = Tally()
    for row in rows:
        days[row.day].add(row.status)
        areas.setdefault(row.task.place_id, (row.task.place, Tally()))[1].add(row.status)
        total.add(row.status)
    return WeekReport(site=site, monday=monday, days=list(days.items()),
                      by_area=sorted(areas.values(), key=lambda p: p[0].code), total=total)


STATUS_LABELS = {
    rules.ON_TIME: _l("按时完成"), rules.LATE: _l("超时完成"), rules.MISSED: _l("未完成"), rules.OPEN: _l("进行中"),
    rules.UPCOMING: _l("未开始"),
}


def status_label(status: str) -> str:
    return str(STATUS_LABELS[status])


def export_csv(actor: User, site_id: int, first: date, last: date, *, now: datetime) -> str:
    """The occurrences of a site's local days first…last as CSV text (UTF-8 with BOM, Excel opens it).

    NotFound unless `actor` supervises or administers the site.
    """
    return export_text(get_site(actor, site_id, *OVERSEERS), first, last, now=now)


def export_text(site: Site, first: date, last: date, *, now: datetime) -> str:
    """The CSV text of cleaning.csv for a site's local days first…last (no access check)."""
    tz = ZoneInfo(site.timezone)
    header = [_("日期"), _("小区"), _("区域编号"), _("区域"), _("任务"), _("标准"), _("频次"), _("时段"), _("截止"),
              _("状态"), _("完成时间"), _("完成人"), _("方式"), _("照片"), _("备注"), _("责任人")]
    assignees = assignees_by_area(site.id)
    rows = ([
        row.day.isoformat(), site.name, row.task.place.code, row.task.place.name, row.task.title,
        row.task.standard or "", row.task.frequency_label, row.occ.slot,
        row.occ.due.astimezone(tz).strftime("%Y-%m-%d %H:%M"), status_label(row.status),
        row.done_at.astimezone(tz).strftime("%Y-%m-%d %H:%M") if row.done_at else "",
        row.done_by.name if row.done_by else "", {"scan": _("扫码"), "tap": _("点击")}.get(row.method, ""),
        row.photos, row.note, "、".join(_charged(row, assignees)),
    ] for row in report_rows(site, first, last, now=now))
    return csv_text(header, rows)
