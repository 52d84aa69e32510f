"""Search rows ordered by opening day, sentinel-terminated columns, and a vocabulary table

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29

app/store/search.py relies on three properties of ``case_search``:
- rowid = (opened_on as a proleptic Gregorian day ordinal) << 32 | n, n = 1, 2 ... per day, so
  ``ORDER BY rowid DESC`` is newest opened first and FTS5 can stop at a LIMIT;
- every column ends with one space, so each character of the text begins or continues a
  trigram followed by another character;
- ``case_search_vocab`` (fts5vocab, row) lists the indexed trigrams, so a two-character term
  is answered as the OR of the trigrams that begin with it.
This migration creates the vocabulary table and rebuilds the existing rows in that layout.
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# julianday('0001-01-01') = 1721425.5 and date(1, 1, 1).toordinal() = 1.
_REBUILD = """
INSERT INTO case_search (rowid, case_id, title, facts, parties, documents)
SELECT
    ((CAST(julianday(c.opened_on) - 1721424.5 AS INTEGER)) << 32)
        + ROW_NUMBER() OVER (PARTITION BY c.opened_on ORDER BY c.rowid),
    c.id,
    c.case_number || ' ' || c.title || ' ',
    c.facts || ' ',
    COALESCE((SELECT group_concat(p.name || ' ' || p.id_number, ' ')
              FROM parties p WHERE p.case_id = c.id AND NOT p.deleted), '') || ' ',
    COALESCE((SELECT group_concat(d.title || ' ' || d.number || ' ' || d.text, ' ')
              FROM documents d WHERE d.case_id = c.id AND NOT d.deleted), '') || ' '
FROM cases c
WHERE NOT c.deleted
"""


def upgrade() -> None:
    op.execute("DELETE FROM case_search")
    op.execute(_REBUILD)
    op.execute("CREATE VIRTUAL TABLE case_search_vocab USING fts5vocab(case_search, row)")


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS case_search_vocab")
