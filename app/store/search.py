"""Full-text search over cases: titles, facts, party names and identifiers, document text.

One FTS5 row per case (table ``case_search``, trigram tokenizer, migration 0002). The trigram
index answers terms of three or more characters; shorter terms (``化工`` is two) fall back to
LIKE over the same table, which FTS5 evaluates against its content without touching ``cases``.
Several terms separated by spaces must all match.
"""

from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, bindparam, text
from sqlalchemy.orm import Session

_COLUMNS = ("title", "facts", "parties", "documents")


def reindex_cases(session: Session | Connection, case_ids: Iterable[str]) -> None:
    """Rebuild the search rows of ``case_ids`` from their current data."""
    ids = list(dict.fromkeys(case_ids))
    if not ids:
        return
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        params = {"ids": chunk}
        session.execute(
            text("DELETE FROM case_search WHERE case_id IN :ids").bindparams(
                bindparam("ids", expanding=True)
            ),
            params,
        )
        session.execute(
            text(
                """
                INSERT INTO case_search (case_id, title, facts, parties, documents)
                SELECT c.id, c.case_number || ' ' || c.title, c.facts,
                    COALESCE((SELECT group_concat(p.name || ' ' || p.id_number, ' ')
                              FROM parties p WHERE p.case_id = c.id AND NOT p.deleted), ''),
                    COALESCE((SELECT group_concat(d.title || ' ' || d.number || ' ' || d.text, ' ')
                              FROM documents d WHERE d.case_id = c.id AND NOT d.deleted), '')
                FROM cases c WHERE c.id IN :ids AND NOT c.deleted
                """
            ).bindparams(bindparam("ids", expanding=True)),
            params,
        )


def split_terms(query: str) -> list[str]:
    """Whitespace-separated terms; quotes are dropped (each term is matched literally)."""
    return [t for t in query.replace('"', " ").split() if t]


def build_query(terms: Sequence[str]) -> tuple[str, dict[str, str]]:
    """SQL selecting matching case ids from ``case_search`` and its parameters."""
    long_terms = [t for t in terms if len(t) >= 3]
    short_terms = [t for t in terms if len(t) < 3]
    clauses: list[str] = []
    params: dict[str, str] = {}
    if long_terms:
        params["match"] = " AND ".join('"' + t + '"' for t in long_terms)
        clauses.append("case_search MATCH :match")
    for n, term in enumerate(short_terms):
        key = f"like{n}"
        params[key] = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        ors = " OR ".join(f"{col} LIKE :{key} ESCAPE '\\'" for col in _COLUMNS)
        clauses.append(f"({ors})")
    sql = "SELECT case_id FROM case_search WHERE " + " AND ".join(clauses)
    return sql, params


def search_case_ids(
    session: Session | Connection, query: str, limit: int | None = None
) -> list[str]:
    """Ids of cases matching every term of ``query``, newest opened first."""
    terms = split_terms(query)
    if not terms:
        return []
    inner, params = build_query(terms)
    sql = (
        f"SELECT c.id FROM cases c JOIN ({inner}) m ON m.case_id = c.id "
        "ORDER BY c.opened_on DESC, c.id DESC"
    )
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return [row[0] for row in session.execute(text(sql), params)]
