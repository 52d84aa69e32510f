"""The case list's read side in plain sqlite3: ids in order, then rows one page at a time.

Kept free of SQLAlchemy on purpose: the main window's first page comes from here, and a start
that imports no ORM reaches a usable window in a fraction of the time (bench/bench_startup.py).
The ORM session path (:mod:`app.services.case_queries`) runs the same SQL on its connection.

Orders: without a text filter, newest opened first (``opened_on DESC, id DESC``, served by
``ix_cases_opened``); with one, the search index's own order (newest opened first, see
:mod:`app.store.search`), so a page of a broad search never sorts every match.
"""

import sqlite3
from collections.abc import Sequence
from datetime import date, datetime
from typing import NamedTuple

from app.domain.labels import DOMAIN_LABELS, STATUS_LABELS, label
from app.store.search import build_query, split_terms
from app.timeutil import format_utc, utc_now

_OVERDUE_CASES = (
    "SELECT d.case_id FROM deadlines d WHERE +d.met_at IS NULL AND +d.due_at < :now"
    " AND d.cancelled_at IS NULL AND NOT d.deleted"
)
"""Cases with an open deadline past due. The unary ``+`` keeps SQLite off ``ix_deadlines_open``,
which would walk every open deadline for each case instead of the case's own few."""


class CaseFilter(NamedTuple):
    """What the case list shows. Empty fields mean "any".

    This and :class:`CaseRow` are named tuples, not frozen dataclasses: both are made on the
    way to the main window's first paint, and a dataclass compiles its methods at import
    (~0.7 ms each) and sets each field of a frozen row through ``object.__setattr__``."""

    text: str = ""
    domain: str = ""
    status: str = ""
    overdue_only: bool = False
    unit_id: str = ""


class CaseRow(NamedTuple):
    id: str
    case_number: str
    title: str
    domain: str
    status: str
    unit_name: str
    opened_on: date
    parties: str
    penalty_fen: int | None
    sync_state: str
    overdue: bool


def ids_sql(
    flt: CaseFilter, now: datetime | None = None, limit: int | None = None
) -> tuple[str, dict[str, str]]:
    """The ordered id query for ``flt`` and its parameters."""
    where = ["NOT c.deleted"]
    params: dict[str, str] = {}
    for column in ("domain", "status", "unit_id"):
        value = getattr(flt, column)
        if value:
            where.append(f"c.{column} = :{column}")
            params[column] = value
    if flt.overdue_only:
        where.append(f"c.id IN ({_OVERDUE_CASES})")
        params["now"] = format_utc(now or utc_now())
    terms = split_terms(flt.text)
    if terms:
        matched, search_params = build_query(terms)
        params.update(search_params)
        sql = (
            "SELECT c.id FROM case_search JOIN cases c ON c.id = case_search.case_id "
            + matched.replace("SELECT case_id FROM case_search WHERE ", "WHERE ", 1)
            + " AND "
            + " AND ".join(where)
            + " ORDER BY case_search.rowid DESC"
        )
    else:
        sql = "SELECT c.id FROM cases c WHERE " + " AND ".join(where)
        sql += " ORDER BY c.opened_on DESC, c.id DESC"
    if limit is not None:
        sql += f" LIMIT {max(0, int(limit))}"
    return sql, params


def list_ids(conn: sqlite3.Connection, flt: CaseFilter, *, limit: int | None = None) -> list[str]:
    sql, params = ids_sql(flt, limit=limit)
    return [row[0] for row in conn.execute(sql, params)]


def fetch_rows(conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, CaseRow]:
    """Rows for one page of ids (the table model asks for about 200 at a time)."""
    if not ids:
        return {}
    marks = ", ".join("?" for _ in ids)
    now = format_utc(utc_now())
    names: dict[str, list[str]] = {}
    for case_id, name in conn.execute(
        f"SELECT case_id, name FROM parties WHERE case_id IN ({marks}) AND NOT deleted"
        " ORDER BY case_id, id",
        list(ids),
    ):
        names.setdefault(case_id, []).append(name)
    rows: dict[str, CaseRow] = {}
    for (
        case_id,
        number,
        title,
        domain,
        status,
        unit_name,
        opened_on,
        penalty_fen,
        sync_state,
        overdue,
    ) in conn.execute(
        "SELECT c.id, c.case_number, c.title, c.domain, c.status, u.name, c.opened_on,"
        " c.penalty_fen, c.sync_state,"
        " EXISTS (SELECT 1 FROM deadlines d WHERE d.case_id = c.id AND +d.met_at IS NULL"
        "         AND +d.due_at < ? AND d.cancelled_at IS NULL AND NOT d.deleted)"
        f" FROM cases c JOIN units u ON u.id = c.unit_id WHERE c.id IN ({marks})",
        [now, *ids],
    ):
        rows[case_id] = CaseRow(
            id=case_id,
            case_number=number,
            title=title,
            domain=label(DOMAIN_LABELS, domain),
            status=label(STATUS_LABELS, status),
            unit_name=unit_name,
            opened_on=date.fromisoformat(opened_on),
            parties="、".join(names.get(case_id, [])),
            penalty_fen=penalty_fen,
            sync_state=sync_state,
            overdue=bool(overdue),
        )
    return rows
