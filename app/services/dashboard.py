"""The supervision dashboard (督办看板): open deadlines and the unit's figures for a period.

Plain SQL through :meth:`Store.reading` (no ORM, no Qt), returning plain dataclasses that the
command line, the spreadsheet export and the window all show. The pieces:

- :mod:`app.services.dashboard_deadlines`: due today, due soon, overdue, by node and person;
- :mod:`app.services.dashboard_figures`: the review's figures and monthly counts;
- :mod:`app.services.dashboard_xlsx`: the .xlsx export.

Every figure's definition: docs/dashboard.md.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import datetime

from app.domain.workcalendar import CST
from app.errors import UserError
from app.services.dashboard_deadlines import DeadlineBoard, GroupCount, deadline_board
from app.services.dashboard_figures import (
    DEFAULT_COMPLETE_THRESHOLD,
    EntryRules,
    MonthCount,
    UnitFigures,
    builtin_entry_rules,
    event_counts,
    unit_figures,
)
from app.services.dashboard_period import Period
from app.store.db import Store
from app.timeutil import utc_now

DEFAULT_SOON_DAYS = 3
ALL_UNITS = "全部单位"


@dataclass(frozen=True)
class UnitChoice:
    """A unit the dashboard can be limited to."""

    id: str
    code: str
    name: str
    kind: str


@dataclass(frozen=True)
class DashboardQuery:
    """What to show: a period, a unit (by code; None for all) and the deadline window."""

    period: Period
    unit_code: str | None = None
    now: datetime = field(default_factory=utc_now)
    soon_days: int = DEFAULT_SOON_DAYS
    complete_threshold: int = DEFAULT_COMPLETE_THRESHOLD


@dataclass(frozen=True)
class Dashboard:
    """Everything the dashboard shows for one query."""

    query: DashboardQuery
    figures: UnitFigures
    deadlines: DeadlineBoard
    months: tuple[MonthCount, ...]


def list_units(store: Store) -> list[UnitChoice]:
    """Units that have cases (the ones worth choosing), enforcement units first, by code."""
    with store.reading() as conn:
        rows = conn.execute(
            "SELECT u.id, u.code, u.name, u.kind FROM units u "
            "WHERE NOT u.deleted AND EXISTS (SELECT 1 FROM cases c WHERE c.unit_id = u.id) "
            "ORDER BY u.kind <> 'enforcement', u.code"
        ).fetchall()
    return [UnitChoice(*row) for row in rows]


def _resolve_unit(conn: sqlite3.Connection, code: str | None) -> tuple[str | None, str]:
    if code is None:
        return None, ALL_UNITS
    row = conn.execute(
        "SELECT id, name FROM units WHERE code = ? AND NOT deleted", (code,)
    ).fetchone()
    if row is None:
        raise UserError(f"未找到单位代码为 {code} 的单位")
    return str(row[0]), str(row[1])


def compute_dashboard(
    store: Store, query: DashboardQuery, *, rules: EntryRules | None = None
) -> Dashboard:
    """Count the figures and list the deadlines for ``query`` (one read connection)."""
    if query.soon_days < 0 or query.soon_days > 366:
        raise UserError("“即将到期”的天数须在 0 到 366 之间")
    if not 0 <= query.complete_threshold <= 100:
        raise UserError("完整度阈值须在 0 到 100 之间")
    rules = rules or builtin_entry_rules()
    with store.reading() as conn:
        unit_id, unit_name = _resolve_unit(conn, query.unit_code)
        events = event_counts(conn, period=query.period, unit_id=unit_id)
        figures = unit_figures(
            conn,
            period=query.period,
            unit_id=unit_id,
            unit_code=query.unit_code,
            unit_name=unit_name,
            now=query.now,
            rules=rules,
            events=events,
            complete_threshold=query.complete_threshold,
        )
        board = deadline_board(conn, now=query.now, soon_days=query.soon_days, unit_id=unit_id)
    return Dashboard(query, figures, board, events.months)


def to_dict(dashboard: Dashboard) -> dict[str, object]:
    """The dashboard as JSON-ready data (``xianjie dashboard --json``)."""
    f = dashboard.figures
    board = dashboard.deadlines
    return {
        "period": {
            "from": f.period.start.isoformat(),
            "to": f.period.end.isoformat(),
            "to_exclusive": True,
        },
        "unit": {"code": f.unit_code, "name": f.unit_name},
        "figures": {
            fig.key: {
                "label": fig.label,
                "value": fig.value,
                "of": fig.of,
                "percent": fig.percent,
                "note": fig.note,
            }
            for fig in f.figures()
        },
        "referrals_with_deadline": f.referrals_with_deadline,
        "entry_rule_verified": f.entry_rule_verified,
        "complete_threshold": f.complete_threshold,
        "deadlines": {
            "now": board.now.astimezone(CST).isoformat(),
            "today": board.today.isoformat(),
            "soon_days": board.soon_days,
            "overdue": board.count("overdue"),
            "due_today": board.count("today"),
            "due_soon": board.count("soon"),
            "by_node": [_group(g) for g in board.by_node],
            "by_person": [_group(g) for g in board.by_person],
            "items": [
                {
                    "case_id": i.case_id,
                    "case_number": i.case_number,
                    "case_title": i.case_title,
                    "unit": i.unit_name,
                    "rule_id": i.rule_id,
                    "node": i.node,
                    "node_label": i.node_label,
                    "label": i.label,
                    "owed_by": i.owed_by,
                    "person": i.person,
                    "due_at": i.due_at.astimezone(CST).isoformat(),
                    "bucket": i.bucket,
                    "source": i.source,
                }
                for i in board.items
            ],
        },
        "months": [
            {
                "month": m.month.isoformat()[:7],
                "transfers": m.transfers,
                "filed": m.filed,
                "not_filed": m.not_filed,
                "referrals_received": m.referrals_received,
            }
            for m in dashboard.months
        ],
    }


def _group(g: GroupCount) -> dict[str, object]:
    return {
        "key": g.key,
        "label": g.label,
        "overdue": g.overdue,
        "today": g.today,
        "soon": g.soon,
    }
