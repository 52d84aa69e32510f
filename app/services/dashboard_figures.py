"""The unit's figures for a period, counted the way the Xuzhou review counted them.

Definitions (docs/dashboard.md gives them in full, with their sources):

- **penalty cases entered**: cases (not deleted) whose penalty decision date ``decided_on``
  falls in the period. Every case the client holds is a general-procedure case (simple-procedure
  penalties are not entered), so this is the review's "一般程序行政处罚案件录入数".
- **entered on time**: of those, the cases whose entry day (Beijing time) is at most N calendar
  days after ``decided_on``. N is the entry deadline of the case's entry standard (its
  ``category`` at its ``spec_version``, else that standard's newest version, else 7 days).
  The entry instant is the first ``platform_entered`` event on or after the decision day;
  without one, the case's ``created_at`` (the case was entered in this client, which is the
  unit's way onto the platform).
- **complete**: of those, the cases whose ``fields._completeness`` (the forms engine's score
  of the case against its entry standard, 0-100, written when the case is saved) is at least
  the threshold (default 100). A case without the key is not counted as complete.
- **transfers / filed / not filed / referrals received**: timeline events ``transferred``,
  ``police_filed``, ``police_not_filed`` and ``referral_received`` that occurred in the period,
  on the unit's cases.
- **answered on time**: of the referrals received in the period that carry a reply deadline
  (``referrals.reply_due_at`` of the case's referral received nearest to the event), those with
  a final ``reply_sent`` event (``data.final`` not false) after the receipt and no later than
  the deadline; **answered late** after it; **unanswered overdue** none yet and the deadline
  before ``now``.
"""

from __future__ import annotations

import functools
import sqlite3
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from app.services.dashboard_period import Period, chart_months, utc_text_of_day
from app.timeutil import format_utc

DEFAULT_ENTRY_DAYS = 7
DEFAULT_COMPLETE_THRESHOLD = 100

EVENT_FIGURES: dict[str, str] = {
    "transferred": "transfers",
    "police_filed": "filed",
    "police_not_filed": "not_filed",
    "referral_received": "referrals_received",
}
"""Timeline event kinds counted in the period, and the figure each one gives."""


@dataclass(frozen=True)
class EntryRules:
    """Entry deadlines (days after the decision) of the installed entry standards."""

    by_version: dict[tuple[str, str], int]
    latest: dict[str, int]
    default_days: int = DEFAULT_ENTRY_DAYS
    verified: bool = False


@functools.cache
def builtin_entry_rules() -> EntryRules:
    """The entry deadlines of the bundled entry standards (loaded once per process)."""
    from app.forms.registry import SpecRegistry

    registry = SpecRegistry.builtin()
    by_version: dict[tuple[str, str], int] = {}
    latest: dict[str, int] = {}
    verified = True
    for spec_id in registry.ids():
        for version in registry.versions(spec_id):
            spec = registry.get(spec_id, version)
            by_version[(spec_id, version)] = spec.entry_deadline.days
            verified = verified and spec.entry_deadline.verified
        latest[spec_id] = registry.latest(spec_id).entry_deadline.days
    return EntryRules(by_version, latest, DEFAULT_ENTRY_DAYS, verified)


@dataclass(frozen=True)
class Figure:
    """One figure as a card, a spreadsheet row or a JSON item shows it."""

    key: str
    label: str
    value: int
    of: int | None = None  # the figure it is a part of, e.g. entered on time of entered
    note: str = ""

    @property
    def percent(self) -> float | None:
        if self.of is None or self.of == 0:
            return None
        return round(100.0 * self.value / self.of, 1)


@dataclass(frozen=True)
class UnitFigures:
    """The unit's figures for ``period`` (all units when ``unit_code`` is None)."""

    period: Period
    unit_code: str | None
    unit_name: str
    penalty_cases: int
    entered_on_time: int
    complete: int
    transfers: int
    filed: int
    not_filed: int
    referrals_received: int
    referrals_with_deadline: int
    answered_on_time: int
    answered_late: int
    unanswered_overdue: int
    entry_days_default: int
    entry_rule_verified: bool
    complete_threshold: int

    def figures(self) -> list[Figure]:
        days = f"决定后{self.entry_days_default}日内录入"
        if not self.entry_rule_verified:
            days += "（期限依据未核实）"
        complete = (
            "完整度100%"
            if self.complete_threshold >= 100
            else f"完整度不低于{self.complete_threshold}%"
        )
        return [
            Figure("penalty_cases", "一般程序行政处罚案件录入数", self.penalty_cases),
            Figure("entered_on_time", "按时录入数", self.entered_on_time, self.penalty_cases, days),
            Figure("complete", "录入完整数", self.complete, self.penalty_cases, complete),
            Figure("transfers", "移送涉嫌犯罪案件数", self.transfers),
            Figure("filed", "公安立案数", self.filed, None, "移送后公安决定立案"),
            Figure("not_filed", "公安不予立案数", self.not_filed, None, "移送后公安决定不予立案"),
            Figure("referrals_received", "收到反向移送数", self.referrals_received),
            Figure(
                "answered_on_time",
                "按期回复检察院数",
                self.answered_on_time,
                self.referrals_with_deadline,
                "占有回复期限的反向移送",
            ),
            Figure("answered_late", "逾期回复数", self.answered_late, self.referrals_with_deadline),
            Figure(
                "unanswered_overdue",
                "逾期未回复数",
                self.unanswered_overdue,
                self.referrals_with_deadline,
            ),
        ]


@dataclass(frozen=True)
class MonthCount:
    """Event counts of one calendar month (for the charts)."""

    month: date  # the first day of the month
    transfers: int
    filed: int
    not_filed: int
    referrals_received: int


def _case_filter(unit_id: str | None, column: str) -> tuple[str, list[object]]:
    """``column`` holds the id of a case that counts: not deleted and, if given, the unit's.

    The subquery is not correlated, so SQLite runs it once into a temporary index instead of
    looking up each event's case.
    """
    if unit_id is None:
        return f"{column} NOT IN (SELECT id FROM cases WHERE deleted)", []
    return f"{column} IN (SELECT id FROM cases WHERE unit_id = ? AND NOT deleted)", [unit_id]


# Decided cases grouped by entry standard, entry delay and completeness; the deadline per
# standard is applied in Python. The delay is the entry instant (Beijing time) minus the
# decision day in days, truncated toward zero: 7.9 (the seventh day after) gives 7, 8.02 gives
# 8, and an entry before the decision gives 0 or less (clipped at -1). So
# ``delay <= N`` holds exactly when the entry day is at most N days after the decision.
# Cases with a platform_entered event (few) look up their first one on or after the decision
# day; the rest (most) use created_at without touching the events table.
_ENTRY_SQL = """
WITH entered_cases AS (
    SELECT DISTINCT case_id FROM events WHERE kind = 'platform_entered' AND NOT deleted
),
entries AS (
    SELECT c.category, c.spec_version, c.decided_on, c.created_at AS entered_at,
           COALESCE(json_extract(c.fields, '$._completeness'), -1) >= ? AS complete
    FROM cases c
    WHERE NOT c.deleted AND c.decided_on >= ? AND c.decided_on < ? {unit}
      AND c.id NOT IN (SELECT case_id FROM entered_cases)
    UNION ALL
    SELECT c.category, c.spec_version, c.decided_on,
           COALESCE(
               (SELECT min(e.occurred_at) FROM events e
                WHERE e.case_id = c.id AND e.kind = 'platform_entered' AND NOT e.deleted
                  AND e.occurred_at >= strftime('%Y-%m-%dT%H:%M:%S', c.decided_on, '-8 hours')
                                       || '.000000Z'),
               c.created_at),
           COALESCE(json_extract(c.fields, '$._completeness'), -1) >= ?
    FROM entered_cases x CROSS JOIN cases c ON c.id = x.case_id
    WHERE NOT c.deleted AND c.decided_on >= ? AND c.decided_on < ? {unit}
)
SELECT category, spec_version,
       max(-1, CAST(julianday(substr(entered_at, 1, 19), '+8 hours') - julianday(decided_on)
                    AS INTEGER)) AS delay,
       count(*), sum(complete)
FROM entries
GROUP BY 1, 2, 3
"""

_EVENTS_SQL = """
SELECT e.kind, e.occurred_at
FROM events e
WHERE e.kind IN ({kinds}) AND e.occurred_at >= ? AND e.occurred_at < ? AND NOT e.deleted
  AND {cases}
"""

_REPLIES_SQL = """
WITH received AS (
    SELECT e.id, e.case_id, e.occurred_at
    FROM events e
    WHERE e.kind = 'referral_received' AND e.occurred_at >= ? AND e.occurred_at < ?
      AND NOT e.deleted AND {cases}
),
matched AS (
    SELECT rc.case_id, rc.occurred_at AS received_at, r.reply_due_at AS due,
           ROW_NUMBER() OVER (
               PARTITION BY rc.id
               ORDER BY abs(julianday(substr(r.received_at, 1, 19))
                            - julianday(substr(rc.occurred_at, 1, 19))), r.id) AS rn
    FROM received rc LEFT JOIN referrals r ON r.case_id = rc.case_id AND NOT r.deleted
),
answered AS (
    SELECT m.due,
           (SELECT min(x.occurred_at) FROM events x
            WHERE x.case_id = m.case_id AND x.kind = 'reply_sent' AND NOT x.deleted
              AND x.occurred_at >= m.received_at
              AND COALESCE(json_extract(x.data, '$.final'), 1) <> 0) AS replied
    FROM matched m WHERE m.rn = 1
)
SELECT count(due),
       COALESCE(sum(due IS NOT NULL AND replied IS NOT NULL AND replied <= due), 0),
       COALESCE(sum(due IS NOT NULL AND replied IS NOT NULL AND replied > due), 0),
       COALESCE(sum(due IS NOT NULL AND replied IS NULL AND due < ?), 0)
FROM answered
"""


def _placeholders(values: Sequence[object]) -> str:
    return ", ".join("?" * len(values))


def entry_days(rules: EntryRules, category: str, version: str) -> int:
    """The entry deadline (days after the decision) of a case's entry standard."""
    days = rules.by_version.get((category, version))
    if days is None:
        days = rules.latest.get(category, rules.default_days)
    return days


def unit_figures(
    conn: sqlite3.Connection,
    *,
    period: Period,
    unit_id: str | None,
    unit_code: str | None,
    unit_name: str,
    now: datetime,
    rules: EntryRules,
    events: EventCounts,
    complete_threshold: int = DEFAULT_COMPLETE_THRESHOLD,
) -> UnitFigures:
    """Count the figures of one unit's cases (every unit's when ``unit_id`` is None); the
    event figures come from :func:`event_counts` over the same period and unit."""
    lo, hi = period.utc_bounds()
    unit_sql, unit_params = ("AND c.unit_id = ?", [unit_id]) if unit_id else ("", [])
    entered = on_time = complete = 0
    bounds = [complete_threshold, period.start.isoformat(), period.end.isoformat(), *unit_params]
    for category, version, delay, n, n_complete in conn.execute(
        _ENTRY_SQL.format(unit=unit_sql), bounds + bounds
    ):
        entered += n
        complete += n_complete
        if delay <= entry_days(rules, category, version):
            on_time += n
    cases_sql, cases_params = _case_filter(unit_id, "e.case_id")
    counts = events.totals
    with_deadline, answered, late, overdue = conn.execute(
        _REPLIES_SQL.format(cases=cases_sql), [lo, hi, *cases_params, format_utc(now)]
    ).fetchone()
    return UnitFigures(
        period=period,
        unit_code=unit_code,
        unit_name=unit_name,
        penalty_cases=entered,
        entered_on_time=on_time,
        complete=complete,
        transfers=counts["transfers"],
        filed=counts["filed"],
        not_filed=counts["not_filed"],
        referrals_received=counts["referrals_received"],
        referrals_with_deadline=with_deadline,
        answered_on_time=answered,
        answered_late=late,
        unanswered_overdue=overdue,
        entry_days_default=rules.default_days,
        entry_rule_verified=rules.verified,
        complete_threshold=complete_threshold,
    )


@dataclass(frozen=True)
class EventCounts:
    """The four event figures over the period, and per month over the chart's months."""

    totals: dict[str, int]
    months: tuple[MonthCount, ...]


def event_counts(conn: sqlite3.Connection, *, period: Period, unit_id: str | None) -> EventCounts:
    """Count ``transferred``, ``police_filed``, ``police_not_filed`` and ``referral_received``
    events in the period, and per month over :func:`chart_months` (empty months included).

    One pass over the events of both ranges: the rows are few (a fraction of all events) and
    bucketing their UTC texts against the boundaries' UTC texts is exact.
    """
    months = chart_months(period)
    starts = [utc_text_of_day(first) for first in months.months()]
    lo, hi = period.utc_bounds()
    chart_lo, chart_hi = months.utc_bounds()
    cases_sql, cases_params = _case_filter(unit_id, "e.case_id")
    kinds = list(EVENT_FIGURES)
    totals = dict.fromkeys(EVENT_FIGURES.values(), 0)
    per_month = {name: [0] * len(starts) for name in totals}
    for kind, at in conn.execute(
        _EVENTS_SQL.format(kinds=_placeholders(kinds), cases=cases_sql),
        [*kinds, min(lo, chart_lo), max(hi, chart_hi), *cases_params],
    ):
        name = EVENT_FIGURES[kind]
        if lo <= at < hi:
            totals[name] += 1
        if chart_lo <= at < chart_hi:
            per_month[name][bisect_right(starts, at) - 1] += 1
    return EventCounts(
        totals,
        tuple(
            MonthCount(
                first,
                per_month["transfers"][n],
                per_month["filed"][n],
                per_month["not_filed"][n],
                per_month["referrals_received"][n],
            )
            for n, first in enumerate(months.months())
        ),
    )
