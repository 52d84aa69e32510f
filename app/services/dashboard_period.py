"""Reporting periods for the dashboard: half-open ranges of Beijing-time calendar days.

A period ``[start, end)`` holds every day from ``start`` up to, not including, ``end``. The
store keeps instants as UTC text (``2024-05-01T08:30:00.000000Z``); :meth:`Period.utc_bounds`
turns the period into the two UTC texts that bound it, so an index range answers it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from app.domain.workcalendar import CST
from app.errors import UserError
from app.timeutil import format_utc


@dataclass(frozen=True)
class Period:
    """Calendar days ``start`` (included) to ``end`` (excluded), Beijing time."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise UserError(
                f"统计期间无效：截止日期 {self.end.isoformat()} 须晚于起始日期 "
                f"{self.start.isoformat()}（截止日当天不计入）"
            )

    def utc_bounds(self) -> tuple[str, str]:
        """The store's UTC texts of ``start`` 00:00 and ``end`` 00:00, Beijing time."""
        return utc_text_of_day(self.start), utc_text_of_day(self.end)

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def label(self) -> str:
        """``2024-01-01 至 2024-03-31`` (both days included)."""
        return f"{self.start.isoformat()} 至 {self.last_day.isoformat()}"

    def months(self) -> list[date]:
        """The first day of every calendar month the period touches, in order."""
        out: list[date] = []
        month = self.start.replace(day=1)
        while month < self.end:
            out.append(month)
            month = next_month(month)
        return out


def utc_text_of_day(day: date) -> str:
    """The store's UTC text of 00:00 Beijing time on ``day``."""
    return format_utc(datetime.combine(day, time(), CST))


def next_month(first: date) -> date:
    return date(first.year + 1, 1, 1) if first.month == 12 else date(first.year, first.month + 1, 1)


def this_month(today: date) -> Period:
    first = today.replace(day=1)
    return Period(first, next_month(first))


def this_quarter(today: date) -> Period:
    first = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    end = first
    for _ in range(3):
        end = next_month(end)
    return Period(first, end)


def this_year(today: date) -> Period:
    return Period(date(today.year, 1, 1), date(today.year + 1, 1, 1))


def chart_months(period: Period, at_least: int = 12) -> Period:
    """The months a monthly chart shows: the period's months, widened back to ``at_least``
    months ending with the period's last month (one bar for "this month" says little)."""
    end = next_month(period.last_day.replace(day=1))
    start = end
    for _ in range(at_least):
        start = (
            date(start.year - 1, 12, 1)
            if start.month == 1
            else start.replace(month=start.month - 1)
        )
    return Period(min(start, period.start.replace(day=1)), end)
