"""Local rows in the protocol's record shape, and back (plain sqlite3, no ORM).

The shape is the export's (docs/export-format.md): timestamps and dates as text, booleans as
JSON booleans, JSON columns as objects; :data:`app.sync.wire.LOCAL_ONLY` columns stay here.
"""

import json
import sqlite3
from typing import Any

from app.store.exchange import TABLES as SPECS
from app.sync.wire import LOCAL_ONLY, Record

COLUMNS: dict[str, dict[str, str]] = {
    spec.name: {c.name: c.kind for c in spec.columns} for spec in SPECS
}
"""table -> column -> kind (str, int, bool, json, timestamp, date)."""
COMPARE_IGNORED = frozenset({"version", "updated_at", "created_at"})


def to_wire(table: str, row: sqlite3.Row) -> Record:
    """A local row as a wire record (without local-only columns and the local version)."""
    kinds = COLUMNS[table]
    record: Record = {}
    for name, kind in kinds.items():
        if name in LOCAL_ONLY or name == "version":
            continue
        value = row[name]
        if kind == "bool":
            value = bool(value)
        elif kind == "json" and value is not None:
            value = json.loads(value)
        record[name] = value
    return record


def to_sql(table: str, record: Record) -> dict[str, Any]:
    """The columns of ``record`` this store has, as SQLite values."""
    kinds = COLUMNS[table]
    values: dict[str, Any] = {}
    for name, value in record.items():
        kind = kinds.get(name)
        if kind is None or name in LOCAL_ONLY or name == "version":
            continue
        if kind == "bool":
            value = 1 if value else 0
        elif kind == "json" and value is not None:
            value = json.dumps(value, ensure_ascii=False, sort_keys=True)
        values[name] = value
    return values


def changed_fields(current: Record, base: Record) -> list[str]:
    """Fields whose value differs from the base (sync metadata ignored)."""
    keys = (set(current) | set(base)) - COMPARE_IGNORED
    return sorted(k for k in keys if current.get(k) != base.get(k))


def fetch(conn: sqlite3.Connection, table: str, record_id: str) -> sqlite3.Row | None:
    row: sqlite3.Row | None = conn.execute(
        f"SELECT * FROM {table} WHERE id = ?", (record_id,)
    ).fetchone()
    return row
