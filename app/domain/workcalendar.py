"""The working-day calendar: the State Council holiday arrangement (with 调休) as data.

Deadlines are local time in China (UTC+8, no daylight saving since 1991), so every function
returns aware datetimes in :data:`CST`. A fixed offset is used on purpose: it needs no tz
database (Windows has none without the ``tzdata`` package) and is exact for every date this
software handles. Conventions (docs/deadlines.md): the trigger day is not counted; a period of
days ends at the end of its last day (23:59:59 local unless told otherwise). Beyond the years
the calendar holds, only weekends are days off and the result says which years were missing.
"""

from __future__ import annotations

import calendar as _stdcal
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from app.domain.datafiles import RuleFileError, json_files, load_validated, resource_dir

CST = timezone(timedelta(hours=8), "CST")
END_OF_DAY = time(23, 59, 59)
SCHEMA = "calendar_year.schema.json"


def to_local(moment: datetime) -> datetime:
    """``moment`` in China local time; a naive datetime is refused (ambiguous)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("naive datetime: deadlines need an aware time (UTC or local)")
    return moment.astimezone(CST)


def end_of(day: date, at: time = END_OF_DAY) -> datetime:
    """The aware local datetime of ``day`` at ``at`` (by default the end of the day)."""
    return datetime.combine(day, at, tzinfo=CST)


def version_key(version: str) -> tuple[int, ...]:
    """``"2025.10"`` -> ``(2025, 10)``, so versions compare numerically."""
    return tuple(int(part) for part in version.split("."))


@dataclass(frozen=True)
class YearCalendar:
    """One year's arrangement: days off in holiday periods and adjusted working days."""

    year: int
    version: str
    source: Mapping[str, Any]
    holidays: Mapping[date, str]
    workdays: Mapping[date, str]
    origin: str = ""

    @property
    def verified(self) -> bool:
        """Whether the notice this year comes from was checked against the primary text."""
        return bool(self.source.get("verified", False))


@dataclass(frozen=True)
class Due:
    """A computed due time and the calendar years that were missing while computing it."""

    at: datetime
    missing_years: tuple[int, ...] = ()

    @property
    def calendar_missing(self) -> bool:
        """True when a year without holiday data was crossed (weekends only were used)."""
        return bool(self.missing_years)


@dataclass
class _Tracker:
    """Collects years that a computation touched without calendar data."""

    cal: WorkCalendar
    missing: set[int] = field(default_factory=set)

    def working(self, day: date) -> bool:
        if not self.cal.has_year(day.year):
            self.missing.add(day.year)
        return self.cal.is_working_day(day)

    def due(self, at: datetime) -> Due:
        return Due(at, tuple(sorted(self.missing)))


class WorkCalendar:
    """Working days per the official arrangement; weekends only for years it lacks."""

    def __init__(self, years: Iterable[YearCalendar]) -> None:
        self._years = {y.year: y for y in years}

    @property
    def years(self) -> list[int]:
        """The years this calendar holds data for."""
        return sorted(self._years)

    def year(self, year: int) -> YearCalendar | None:
        """The data for ``year``, if held."""
        return self._years.get(year)

    def has_year(self, year: int) -> bool:
        """Whether the official arrangement for ``year`` is loaded."""
        return year in self._years

    def is_working_day(self, day: date) -> bool:
        """True on a working day: adjusted working days count, holidays do not."""
        data = self._years.get(day.year)
        if data is not None:
            if day in data.workdays:
                return True
            if day in data.holidays:
                return False
        return day.weekday() < 5

    def day_name(self, day: date) -> str:
        """The holiday or 调休 name of ``day``, or "" for an ordinary day."""
        data = self._years.get(day.year)
        if data is None:
            return ""
        return data.holidays.get(day) or data.workdays.get(day, "")

    def next_working_day(self, day: date) -> date:
        """``day`` itself if it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def add_working_days(self, start: datetime, n: int, *, at: time = END_OF_DAY) -> Due:
        """End of the n-th working day after the local day of ``start`` (that day not counted)."""
        if n < 0:
            raise ValueError("n must be >= 0")
        track = _Tracker(self)
        day = to_local(start).date()
        track.working(day)
        remaining = n
        while remaining:
            day += timedelta(days=1)
            if track.working(day):
                remaining -= 1
        return track.due(end_of(day, at))

    def add_calendar_days(
        self, start: datetime, n: int, *, at: time = END_OF_DAY, roll_to_working_day: bool = False
    ) -> Due:
        """End of the n-th calendar day after ``start``'s day; optionally moved off a day off."""
        if n < 0:
            raise ValueError("n must be >= 0")
        day = to_local(start).date() + timedelta(days=n)
        return self._finish(day, at, roll_to_working_day)

    def add_months(
        self, start: datetime, n: int, *, at: time = END_OF_DAY, roll_to_working_day: bool = False
    ) -> Due:
        """End of the same day-number n months later (the month's last day if it has none)."""
        if n < 0:
            raise ValueError("n must be >= 0")
        local = to_local(start).date()
        month_index = local.month - 1 + n
        year, month = local.year + month_index // 12, month_index % 12 + 1
        last = _stdcal.monthrange(year, month)[1]
        return self._finish(date(year, month, min(local.day, last)), at, roll_to_working_day)

    def add_hours(self, start: datetime, n: int) -> Due:
        """``start`` plus n elapsed hours, in local time (no calendar involved)."""
        if n < 0:
            raise ValueError("n must be >= 0")
        return Due(to_local(start) + timedelta(hours=n))

    def _finish(self, day: date, at: time, roll: bool) -> Due:
        track = _Tracker(self)
        track.working(day)
        if roll:
            while not track.working(day):
                day += timedelta(days=1)
        return track.due(end_of(day, at))


def _parse_days(items: list[dict[str, str]], year: int, file: str, key: str) -> dict[date, str]:
    out: dict[date, str] = {}
    for index, item in enumerate(items):
        try:
            day = date.fromisoformat(item["date"])
        except ValueError as exc:
            raise RuleFileError(file, f"{key}[{index}].date", f"不是有效日期：{exc}") from exc
        if day.year != year:
            raise RuleFileError(file, f"{key}[{index}].date", f"不在 {year} 年内")
        out[day] = item["name"]
    return out


def parse_year(data: Mapping[str, Any], file: str) -> YearCalendar:
    """A validated calendar document -> YearCalendar (checks dates and overlaps)."""
    year = int(data["year"])
    holidays = _parse_days(data["holidays"], year, file, "holidays")
    workdays = _parse_days(data["workdays"], year, file, "workdays")
    both = sorted(set(holidays) & set(workdays))
    if both:
        raise RuleFileError(file, "workdays", f"{both[0]} 同时是放假日和调休上班日")
    return YearCalendar(year, str(data["version"]), dict(data["source"]), holidays, workdays, file)


def load_year_file(file: Traversable | Path) -> YearCalendar:
    """Load and validate one ``cn-<year>.json`` file."""
    return parse_year(load_validated(file, SCHEMA), getattr(file, "name", str(file)))


def load_calendar(directory: Path | None = None, *, packaged: bool = True) -> WorkCalendar:
    """The packaged years plus the files in ``directory``; per year the highest version wins."""
    chosen: dict[int, YearCalendar] = {}
    folders: list[Traversable | Path] = [resource_dir("calendar")] if packaged else []
    if directory is not None:
        folders.append(directory)
    for folder in folders:
        for file in json_files(folder):
            year = load_year_file(file)
            held = chosen.get(year.year)
            if held is None or version_key(year.version) > version_key(held.version):
                chosen[year.year] = year
    return WorkCalendar(chosen.values())


@functools.cache
def default_calendar() -> WorkCalendar:
    """The packaged calendar (loaded once)."""
    return load_calendar()


def is_working_day(day: date) -> bool:
    """Whether ``day`` is a working day on the packaged calendar."""
    return default_calendar().is_working_day(day)


def add_working_days(start: datetime, n: int) -> Due:
    """End of the n-th working day after ``start`` on the packaged calendar."""
    return default_calendar().add_working_days(start, n)


def add_calendar_days(start: datetime, n: int) -> Due:
    """End of the n-th calendar day after ``start``."""
    return default_calendar().add_calendar_days(start, n)


def add_hours(start: datetime, n: int) -> Due:
    """``start`` plus n hours, local time."""
    return default_calendar().add_hours(start, n)
