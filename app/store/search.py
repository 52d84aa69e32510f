"""Full-text search over cases: titles, facts, party names and identifiers, document text.

One FTS5 row per case (table ``case_search``, trigram tokenizer, migration 0002; layout and
vocabulary table from migration 0003):

- Each row's **rowid orders the results**: ``(opened_on as a day ordinal) << 32 | n``, where
  ``n`` counts the rows indexed for that day. ``ORDER BY rowid DESC`` is therefore "newest
  opened first" (ties: most recently indexed first), and FTS5 walks its doclists in that order
  and stops at the ``LIMIT``: a query that matches 40,000 of 100,000 cases still costs a
  fraction of a millisecond for the first page.
- Every column ends with a space (:data:`SENTINEL`), so every character of the text starts or
  continues a trigram that has a character after it.
- Terms of three or more characters are trigram phrases. A two-character term (``化工``) is
  below the trigram minimum; it is answered from the index anyway: the vocabulary table
  ``case_search_vocab`` (fts5vocab) lists the indexed trigrams that begin with the term
  (``化工有``, ``化工股`` ...), and the term becomes their OR. Because of the sentinel, every
  occurrence of the two characters begins such a trigram, so this finds exactly what
  ``LIKE '%化工%'`` would, without scanning the table.
- One-character terms fall back to LIKE over the FTS columns (with the rowid order and a
  limit, a common character stops early; a rare one scans).

Several terms separated by spaces must all match. Quotes in a query are dropped; every other
character (``%``, ``_``, ``'``, ``*``, ``-``) is matched literally.

Services that change a case's text, parties, documents or ``opened_on`` call
:func:`reindex_cases` in the same transaction.
"""

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlalchemy.orm import Session

SENTINEL = " "
"""Appended to every indexed column (see the module notes)."""

_COLUMNS = ("title", "facts", "parties", "documents")
_NO_MATCH = '"\uffff\uffff\uffff"'
"""A phrase that never occurs (U+FFFF is a non-character): the OR of zero trigrams."""

_DAY_SHIFT = 32


def search_texts(
    case_number: str,
    title: str,
    facts: str,
    parties: Iterable[tuple[str, str]],
    documents: Iterable[tuple[str, str, str]],
) -> tuple[str, str, str, str]:
    """The four indexed columns of a case, exactly as :func:`reindex_cases` writes them.

    ``parties`` are (name, id_number); ``documents`` are (title, number, text).
    """
    return (
        f"{case_number} {title}{SENTINEL}",
        f"{facts}{SENTINEL}",
        " ".join(f"{name} {id_number}" for name, id_number in parties) + SENTINEL,
        " ".join(f"{t} {n} {body}" for t, n, body in documents) + SENTINEL,
    )


def day_base(opened_on: str | date) -> int:
    """The lowest search rowid of a case opened on ``opened_on``."""
    day = date.fromisoformat(opened_on) if isinstance(opened_on, str) else opened_on
    return day.toordinal() << _DAY_SHIFT


_MAX_ROWID_SQL = "SELECT max(rowid) FROM case_search WHERE rowid >= {lo} AND rowid < {hi}"


class RowidAllocator:
    """Hands out search rowids (see the module notes) within one transaction.

    ``max_rowid`` runs a ``SELECT`` (given as text with integer literals) and returns its
    single value, so the allocator works over a raw sqlite3 connection or a Session.
    """

    def __init__(self, max_rowid: Callable[[str], int | None]) -> None:
        self._max_rowid = max_rowid
        self._next: dict[int, int] = {}

    @classmethod
    def for_sqlite(cls, conn: sqlite3.Connection) -> "RowidAllocator":
        return cls(lambda sql: conn.execute(sql).fetchone()[0])

    def allocate(self, opened_on: str | date) -> int:
        base = day_base(opened_on)
        nxt = self._next.get(base)
        if nxt is None:
            top = self._max_rowid(_MAX_ROWID_SQL.format(lo=base, hi=base + (1 << _DAY_SHIFT)))
            nxt = base + 1 if top is None else int(top) + 1
        self._next[base] = nxt + 1
        return nxt


_SEARCH_INSERT = (
    "INSERT INTO case_search (rowid, case_id, title, facts, parties, documents) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)
SearchRow = tuple[str, str, tuple[str, str, str, str]]
"""(case id, opened_on as YYYY-MM-DD, the four columns from :func:`search_texts`)."""


def insert_search_rows(conn: sqlite3.Connection, rows: Iterable[SearchRow]) -> int:
    """Insert search rows through a raw sqlite3 connection (bulk loads).

    The caller owns the transaction and has removed any earlier rows of these cases.
    """
    alloc = RowidAllocator.for_sqlite(conn)
    params = [(alloc.allocate(opened), case_id, *cols) for case_id, opened, cols in rows]
    conn.executemany(_SEARCH_INSERT, params)
    return len(params)


_CASES_SQL = (
    "SELECT id, opened_on, case_number, title, facts FROM cases "
    "WHERE id IN ({marks}) AND NOT deleted"
)
_PARTIES_SQL = (
    "SELECT case_id, name, id_number FROM parties "
    "WHERE case_id IN ({marks}) AND NOT deleted ORDER BY rowid"
)
_DOCUMENTS_SQL = (
    "SELECT case_id, title, number, text FROM documents "
    "WHERE case_id IN ({marks}) AND NOT deleted ORDER BY rowid"
)


def case_search_rows(
    fetch: Callable[[str, list[str]], Iterable[Sequence[Any]]], ids: list[str]
) -> list[SearchRow]:
    """Search rows of the (not deleted) cases in ``ids``.

    ``fetch(template, ids)`` runs a query template whose ``{marks}`` it fills with one
    placeholder per id.
    """
    parties: dict[str, list[tuple[str, str]]] = {}
    for case_id, name, id_number in fetch(_PARTIES_SQL, ids):
        parties.setdefault(case_id, []).append((name, id_number))
    documents: dict[str, list[tuple[str, str, str]]] = {}
    for case_id, title, number, body in fetch(_DOCUMENTS_SQL, ids):
        documents.setdefault(case_id, []).append((title, number, body))
    return [
        (
            case_id,
            str(opened_on),
            search_texts(
                case_number, title, facts, parties.get(case_id, []), documents.get(case_id, [])
            ),
        )
        for case_id, opened_on, case_number, title, facts in fetch(_CASES_SQL, ids)
    ]


def reindex_sqlite(conn: sqlite3.Connection, case_ids: Iterable[str]) -> None:
    """:func:`reindex_cases` over a raw sqlite3 connection (bulk loads)."""
    ids = list(dict.fromkeys(case_ids))

    def fetch(template: str, chunk: list[str]) -> Iterable[Sequence[Any]]:
        return conn.execute(template.format(marks=", ".join("?" * len(chunk))), chunk).fetchall()

    alloc = RowidAllocator.for_sqlite(conn)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ", ".join("?" * len(chunk))
        conn.execute(f"DELETE FROM case_search WHERE case_id IN ({marks})", chunk)
        conn.executemany(
            _SEARCH_INSERT,
            [
                (alloc.allocate(opened), case_id, *cols)
                for case_id, opened, cols in case_search_rows(fetch, chunk)
            ],
        )


def reindex_cases(session: "Session | Connection", case_ids: Iterable[str]) -> None:
    """Rebuild the search rows of ``case_ids`` from their current data (deleted cases: none).

    Runs on the session's own sqlite3 connection, so it joins the caller's transaction.
    """
    reindex_sqlite(sqlite_of(session), case_ids)


def sqlite_of(owner: "Session | Connection") -> sqlite3.Connection:
    """The sqlite3 connection under a Session or Connection, inside its transaction."""
    from sqlalchemy.orm import Session

    conn = owner.connection() if isinstance(owner, Session) else owner
    raw = conn.connection.driver_connection
    assert isinstance(raw, sqlite3.Connection)
    return raw


def split_terms(query: str) -> list[str]:
    """Whitespace-separated terms; quotes are dropped (each term is matched literally)."""
    return list(dict.fromkeys(t for t in query.replace('"', " ").split() if t))


def _successor(term: str) -> str:
    """The smallest string greater than every string that starts with ``term``."""
    last = ord(term[-1])
    return term[:-1] + chr(min(last + 1, 0x10FFFF))


def build_query(terms: Sequence[str]) -> tuple[str, dict[str, str]]:
    """SQL selecting matching case ids from ``case_search`` and its parameters.

    The SQL is ``SELECT case_id FROM case_search WHERE ...``; append ``ORDER BY rowid DESC``
    for newest-opened-first (see the module notes).
    """
    long_terms = [t for t in terms if len(t) >= 3]
    pair_terms = [t.lower() for t in terms if len(t) == 2]
    single_terms = [t for t in terms if len(t) == 1]
    params: dict[str, str] = {}
    parts: list[str] = []
    if long_terms:
        params["match"] = " AND ".join('"' + t + '"' for t in long_terms)
        parts.append(":match")
    for n, term in enumerate(pair_terms):
        params[f"lo{n}"] = term
        params[f"hi{n}"] = _successor(term)
        parts.append(
            "'(' || COALESCE((SELECT group_concat('\"' || replace(term, '\"', '\"\"') || '\"', "
            f"' OR ') FROM case_search_vocab WHERE term >= :lo{n} AND term < :hi{n}), "
            f"'{_NO_MATCH}') || ')'"
        )
    clauses: list[str] = []
    if parts:
        clauses.append("case_search MATCH (" + " || ' AND ' || ".join(parts) + ")")
    for n, term in enumerate(single_terms):
        key = f"like{n}"
        params[key] = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        ors = " OR ".join(f"{col} LIKE :{key} ESCAPE '\\'" for col in _COLUMNS)
        clauses.append(f"({ors})")
    sql = "SELECT case_id FROM case_search WHERE " + " AND ".join(clauses)
    return sql, params


def search_sql(query: str, limit: int | None = None) -> tuple[str, dict[str, str]] | None:
    """The complete search statement for ``query`` (None when it has no terms)."""
    terms = split_terms(query)
    if not terms:
        return None
    inner, params = build_query(terms)
    sql = inner + " ORDER BY rowid DESC"
    if limit is not None:
        sql += f" LIMIT {max(0, int(limit))}"
    return sql, params


def search_case_ids(
    session: "Session | Connection", query: str, limit: int | None = None
) -> list[str]:
    """Ids of cases matching every term of ``query``, newest opened first."""
    return search_ids_sqlite(sqlite_of(session), query, limit)


def search_ids_sqlite(conn: sqlite3.Connection, query: str, limit: int | None = None) -> list[str]:
    """:func:`search_case_ids` over a plain sqlite3 connection."""
    built = search_sql(query, limit)
    if built is None:
        return []
    sql, params = built
    return [row[0] for row in conn.execute(sql, params)]
