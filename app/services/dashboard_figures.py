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
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from app.services.dashboard_period import Period, chart_months
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


def _rules_cte(rules: EntryRules) -> tuple[str, list[object]]:
    rows: list[str] = ["SELECT NULL, NULL, NULL, NULL WHERE 0"]
    params: list[object] = []
    for (spec_id, version), days in sorted(rules.by_version.items()):
        rows.append("SELECT ?, ?, ?, 0")
        params.extend((spec_id, version, days))
    for spec_id, days in sorted(rules.latest.items()):
        rows.append("SELECT ?, NULL, ?, 1")
        params.extend((spec_id, days))
    return "entry_rules(category, version, days, latest) AS (" + " UNION ALL ".join(
        rows
    ) + ")", params


_ENTRY_SQL = """
WITH {rules},
decided AS (
    SELECT c.id, c.decided_on, c.created_at,
           COALESCE(
               (SELECT r.days FROM entry_rules r
                WHERE r.latest = 0 AND r.category = c.category AND r.version = c.spec_version),
               (SELECT r.days FROM entry_rules r WHERE r.latest = 1 AND r.category = c.category),
               ?) AS days,
           COALESCE(json_extract(c.fields, '$._completeness'), -1) AS completeness
    FROM cases c
    WHERE NOT c.deleted AND c.decided_on >= ? AND c.decided_on < ?
      AND (? IS NULL OR c.unit_id = ?)
),
entered AS (
    SELECT d.*, COALESCE(
               (SELECT min(e.occurred_at) FROM events e
                WHERE e.case_id = d.id AND e.kind = 'platform_entered' AND NOT e.deleted
                  AND e.occurred_at >= strftime('%Y-%m-%dT%H:%M:%S', d.decided_on, '-8 hours')
                                       || '.000000Z'),
               d.created_at) AS entered_at
    FROM decided d
)
SELECT count(*),
       COALESCE(sum(date(substr(entered_at, 1, 19), '+8 hours')
                    <= date(decided_on, '+' || days || ' days')), 0),
       COALESCE(sum(completeness >= ?), 0)
FROM entered
"""

_EVENTS_SQL = """
SELECT e.kind, count(*)
FROM events e JOIN cases c ON c.id = e.case_id
WHERE e.kind IN ({kinds}) AND e.occurred_at >= ? AND e.occurred_at < ?
  AND NOT e.deleted AND NOT c.deleted AND (? IS NULL OR c.unit_id = ?)
GROUP BY e.kind
"""

_MONTHLY_SQL = """
SELECT e.kind, substr(datetime(substr(e.occurred_at, 1, 19), '+8 hours'), 1, 7), count(*)
FROM events e JOIN cases c ON c.id = e.case_id
WHERE e.kind IN ({kinds}) AND e.occurred_at >= ? AND e.occurred_at < ?
  AND NOT e.deleted AND NOT c.deleted AND (? IS NULL OR c.unit_id = ?)
GROUP BY 1, 2
"""

_REPLIES_SQL = """
WITH received AS (
    SELECT e.id, e.case_id, e.occurred_at
    FROM events e JOIN cases c ON c.id = e.case_id
    WHERE e.kind = 'referral_received' AND e.occurred_at >= ? AND e.occurred_at < ?
      AND NOT e.deleted AND NOT c.deleted AND (? IS NULL OR c.unit_id = ?)
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


def unit_figures(
    conn: sqlite3.Connection,
    *,
    period: Period,
    unit_id: str | None,
    unit_code: str | None,
    unit_name: str,
    now: datetime,
    rules: EntryRules,
    complete_threshold: int = DEFAULT_COMPLETE_THRESHOLD,
) -> UnitFigures:
    """Count the figures of one unit's cases (every unit's when ``unit_id`` is None)."""
    lo, hi = period.utc_bounds()
    cte, rule_params = _rules_cte(rules)
    entered, on_time, complete = conn.execute(
        _ENTRY_SQL.format(rules=cte),
        [
            *rule_params,
            rules.default_days,
            period.start.isoformat(),
            period.end.isoformat(),
            unit_id,
            unit_id,
            complete_threshold,
        ],
    ).fetchone()
    kinds = list(EVENT_FIGURES)
    counts = dict.fromkeys(EVENT_FIGURES.values(), 0)
    for kind, n in conn.execute(
        _EVENTS_SQL.format(kinds=_placeholders(kinds)), [*kinds, lo, hi, unit_id, unit_id]
    ):
        counts[EVENT_FIGURES[kind]] = n
    with_deadline, answered, late, overdue = conn.execute(
        _REPLIES_SQL, [lo, hi, unit_id, unit_id, format_utc(now)]
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


def monthly_counts(
    conn: sqlite3.Connection, *, period: Period, unit_id: str | None
) -> list[MonthCount]:
    """Event counts per month over :func:`chart_months` of ``period`` (empty months included)."""
    months = chart_months(period)
    lo, hi = months.utc_bounds()
    kinds = list(EVENT_FIGURES)
    found: dict[tuple[str, str], int] = {}
    for kind, month, n in conn.execute(
        _MONTHLY_SQL.format(kinds=_placeholders(kinds)), [*kinds, lo, hi, unit_id, unit_id]
    ):
        found[(EVENT_FIGURES[kind], month)] = n
    out: list[MonthCount] = []
    for first in months.months():
        key = first.isoformat()[:7]
        out.append(
            MonthCount(
                first,
                found.get(("transfers", key), 0),
                found.get(("filed", key), 0),
                found.get(("not_filed", key), 0),
                found.get(("referrals_received", key), 0),
            )
        )
    return out
