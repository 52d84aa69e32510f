"""Export every synced record as one JSON document, and import such a document.

The shape is documented in ``docs/export-format.md``. In short::

    {"format":"xianjie-export","format_version":1,"schema":"0003","tables":{
    "units":[
    {"code":...,"id":...},
    ...
    ],
    "users":[
    ...
    ]}}

Tables come in dependency order (:data:`app.store.models.SYNCED_MODELS`), rows sorted by id,
keys sorted, UTF-8 without ``\\u`` escapes, one record per line. Nothing in it depends on
when or where the export ran, so export -> import into an empty store -> export gives the
same bytes. The local audit log is not exported.

Import validates the whole file before it writes anything (format, version, every record's
fields and types, references between records, unique codes and user names). It then writes
units and users in one transaction and the cases in batches, each case together with its
parties, documents, events, transfers, referrals, attachments, deadlines and search row in
the same transaction: a killed import leaves each case whole or absent, and running it
again completes it. A record that already exists with the same content is left alone; one
that exists with different content is not overwritten (it is counted in ``conflicts``).
"""

import json
import operator
import re
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Integer, Table

from app.domain.kinds import SyncState
from app.errors import ImportFormatError
from app.store import audit
from app.store.db import Store, head_revision, is_known_schema
from app.store.errors import storage_errors
from app.store.models import SYNCED_MODELS
from app.store.search import reindex_sqlite
from app.store.types import ISODate, UTCDateTime

FORMAT = "xianjie-export"
FORMAT_VERSION = 1
CASES_PER_BATCH = 2000

TABLE_LABELS: dict[str, str] = {
    "units": "单位",
    "users": "用户",
    "cases": "案件",
    "parties": "当事人",
    "documents": "文书",
    "events": "程序节点",
    "transfers": "移送记录",
    "referrals": "反向移送记录",
    "attachments": "附件",
    "deadlines": "期限",
}

_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z\Z")
_DATE = re.compile(r"\d{4}-\d\d-\d\d\Z")
_SYNC_STATES = frozenset(s.value for s in SyncState)
_UNIQUE = {"units": ("code",), "users": ("username",)}


@dataclass
class ImportSummary:
    counts: dict[str, int]
    """Records in the file, per table."""
    inserted: int
    unchanged: int
    conflicts: int = 0
    """Records that exist here with different content; kept as they are."""
    conflict_ids: list[str] = field(default_factory=list)
    """The first of them (up to 20), as ``table:id``."""


# --- the column model -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Column:
    name: str
    kind: str  # str, int, bool, json, timestamp, date
    nullable: bool
    references: str | None  # table name
    fill: tuple[Any, ...] = ()
    """``(value,)`` when an export made before this column existed may omit it."""


@dataclass(frozen=True)
class _TableSpec:
    name: str
    columns: tuple[_Column, ...]  # sorted by name (the export's key order)
    names: tuple[str, ...] = ()
    name_set: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        names = tuple(c.name for c in self.columns)
        object.__setattr__(self, "names", names)
        object.__setattr__(self, "name_set", frozenset(names))


def _kind(column_type: Any) -> str:
    if isinstance(column_type, Boolean):
        return "bool"
    if isinstance(column_type, JSON):
        return "json"
    if isinstance(column_type, UTCDateTime):
        return "timestamp"
    if isinstance(column_type, ISODate):
        return "date"
    if isinstance(column_type, Integer | BigInteger):
        return "int"
    return "str"


def _fill_value(col: Any, kind: str) -> tuple[Any, ...]:
    """What an older export's missing field stands for: the column's server default, or
    NULL for a nullable column added later; ``()`` when the field is required."""
    default = col.server_default
    if default is not None:
        text = str(default.arg)
        if kind == "bool":
            return (text.lower() in ("1", "true"),)
        if kind == "int":
            return (int(text),)
        return (text,)
    if col.nullable and not col.primary_key and not col.foreign_keys:
        return (None,)
    return ()


def _table_specs() -> tuple[_TableSpec, ...]:
    specs = []
    for model in SYNCED_MODELS:
        table = model.__table__  # type: ignore[attr-defined]
        assert isinstance(table, Table)
        cols = []
        for col in sorted(table.columns, key=lambda c: c.name):
            refs = [fk.column.table.name for fk in col.foreign_keys]
            kind = _kind(col.type)
            cols.append(
                _Column(
                    col.name,
                    kind,
                    bool(col.nullable),
                    refs[0] if refs else None,
                    _fill_value(col, kind),
                )
            )
        specs.append(_TableSpec(table.name, tuple(cols)))
    return tuple(specs)


TABLES = _table_specs()
_BY_NAME = {t.name: t for t in TABLES}

# --- export ---------------------------------------------------------------------------------


def _export_sql(spec: _TableSpec) -> tuple[str, list[int]]:
    """SELECT giving each row as compact JSON (keys sorted), plus the raw JSON columns.

    JSON columns are selected a second time raw: when one is not ``{}`` the line is
    re-encoded in Python so nested keys are sorted too.
    """
    parts = []
    json_cols = []
    for col in spec.columns:
        if col.kind == "bool":
            value = f"json(CASE WHEN {col.name} THEN 'true' ELSE 'false' END)"
        elif col.kind == "json":
            value = f"json({col.name})"
            json_cols.append(col.name)
        else:
            value = col.name
        parts.append(f"'{col.name}', {value}")
    extra = "".join(f", json({c})" for c in json_cols)
    sql = f"SELECT json_object({', '.join(parts)}){extra} FROM {spec.name} ORDER BY id"
    return sql, list(range(1, len(json_cols) + 1))


_ENCODE = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode


def header_line(schema: str) -> str:
    return (
        f'{{"format":"{FORMAT}","format_version":{FORMAT_VERSION},'
        f'"schema":{json.dumps(schema)},"tables":{{'
    )


def _export_lines(conn: sqlite3.Connection) -> Iterator[str]:
    yield header_line(head_revision())
    for n, spec in enumerate(TABLES):
        yield f'"{spec.name}":['
        sql, json_idx = _export_sql(spec)
        previous: str | None = None
        for row in conn.execute(sql):
            line: str = row[0]
            if any(row[i] != "{}" for i in json_idx):
                line = _ENCODE(json.loads(line))
            if previous is not None:
                yield previous + ","
            previous = line
        if previous is not None:
            yield previous
        yield "]" + ("," if n < len(TABLES) - 1 else "")
    yield "}}"


def export_json(store: Store) -> bytes:
    """Every synced record as the deterministic JSON document described above."""
    with storage_errors(store.paths.database):
        return _export(store)


def _export(store: Store) -> bytes:
    conn = store.raw_connection()
    conn.isolation_level = None
    try:
        conn.execute("BEGIN")  # one consistent snapshot
        try:
            text = "\n".join(_export_lines(conn)) + "\n"
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
    finally:
        conn.close()
    return text.encode("utf-8")


# --- reading and validating -----------------------------------------------------------------

_TYPE_NAMES = {
    "str": "文本",
    "int": "整数",
    "bool": "true/false",
    "json": "JSON 对象",
    "timestamp": "UTC 时间（如 2024-05-01T08:30:00.000000Z）",
    "date": "日期（如 2024-05-01）",
}


def _json_type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "整数"
    if isinstance(value, float):
        return "小数"
    if isinstance(value, str):
        return "文本"
    if isinstance(value, list):
        return "数组"
    return "JSON 对象"


def _fail(message: str) -> ImportFormatError:
    return ImportFormatError(f"导入文件无法使用：{message}。未导入任何记录，已有数据未改动。")


def _where(table: str, index: int, record: Any) -> str:
    rid = record.get("id") if isinstance(record, dict) else None
    ident = f"，id {rid}" if isinstance(rid, str) else ""
    return f"{TABLE_LABELS.get(table, table)}（表 {table}）第 {index + 1} 条记录{ident}"


def _check_header(header: Any) -> None:
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise _fail("这不是衔接导出的文件（缺少 “format”: “xianjie-export”）")
    version = header.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise _fail("文件缺少格式版本（format_version）")
    if version > FORMAT_VERSION:
        raise _fail(
            f"文件由更新版本的衔接导出（格式版本 {version}，本程序支持 {FORMAT_VERSION}），"
            "请先升级衔接"
        )
    if version < 1:
        raise _fail(f"格式版本 {version} 无效")
    schema = header.get("schema")
    if not isinstance(schema, str):
        raise _fail("文件缺少架构版本（schema）")
    if not is_known_schema(schema):
        raise _fail(f"文件由更新版本的衔接导出（架构版本 {schema}），请先升级衔接")


class _FastCheck:
    """The per-table fast path of :func:`_record_values`.

    A record whose Python value types (a "signature") were already seen on a valid record
    needs only its text formats checked; the full check, with its messages, runs otherwise.
    """

    def __init__(self, spec: _TableSpec) -> None:
        self.getter = operator.itemgetter(*spec.names)
        self.width = len(spec.names)
        self.good: set[tuple[type, ...]] = set()
        self.formats = [
            (pos, _TIMESTAMP if col.kind == "timestamp" else _DATE)
            for pos, col in enumerate(spec.columns)
            if col.kind in ("timestamp", "date")
        ]
        self.json_pos = [pos for pos, col in enumerate(spec.columns) if col.kind == "json"]
        self.id_pos = spec.names.index("id")
        self.state_pos = spec.names.index("sync_state")

    def values(self, record: Any) -> tuple[Any, ...] | None:
        if type(record) is not dict or len(record) != self.width:
            return None
        try:
            values: tuple[Any, ...] = self.getter(record)
        except KeyError:
            return None
        if tuple(map(type, values)) not in self.good:
            return None
        for pos, pattern in self.formats:
            value = values[pos]
            if value is not None and pattern.match(value) is None:
                return None
        if values[self.state_pos] not in _SYNC_STATES or not 0 < len(values[self.id_pos]) <= 36:
            return None
        if self.json_pos:
            mutable = list(values)
            for pos in self.json_pos:
                mutable[pos] = _ENCODE(mutable[pos])
            values = tuple(mutable)
        return values


_FAST = {spec.name: _FastCheck(spec) for spec in TABLES}


def _record_values(spec: _TableSpec, index: int, record: Any) -> tuple[Any, ...]:
    """Validate one record; its values in ``spec.columns`` order, as stored in SQLite."""
    fast = _FAST[spec.name]
    values = fast.values(record)
    if values is not None:
        return values
    values = _check_record(spec, index, record)
    if record.keys() == spec.name_set:  # not an older record completed with defaults
        fast.good.add(tuple(map(type, fast.getter(record))))
    return values


def _check_record(spec: _TableSpec, index: int, record: Any) -> tuple[Any, ...]:
    """The full check of one record, raising with a message that names it."""
    if not isinstance(record, dict):
        raise _fail(f"{_where(spec.name, index, record)}不是 JSON 对象")
    if len(record) != len(spec.columns) or record.keys() != spec.name_set:
        fillable = {c.name: c.fill[0] for c in spec.columns if c.fill and c.name not in record}
        record = {**fillable, **record}  # an export from before these columns existed
        missing = [n for n in spec.names if n not in record]
        extra = sorted(k for k in record if k not in spec.names)
        what = []
        if missing:
            what.append("缺少字段 " + "、".join(missing))
        if extra:
            what.append("含有未知字段 " + "、".join(extra))
        if what:
            raise _fail(f"{_where(spec.name, index, record)}{'，'.join(what)}")
    values: list[Any] = []
    for col in spec.columns:
        value = record[col.name]
        if value is None:
            if not col.nullable:
                raise _fail(f"{_where(spec.name, index, record)}的字段 “{col.name}” 不能为空")
            values.append(None)
            continue
        kind = col.kind
        ok: bool
        if kind == "str":
            ok = type(value) is str
        elif kind == "int":
            ok = type(value) is int
        elif kind == "bool":
            ok = type(value) is bool  # sqlite3 stores True/False as 1/0
        elif kind == "json":
            ok = type(value) is dict
            value = _ENCODE(value) if ok else value
        elif kind == "timestamp":
            ok = type(value) is str and _TIMESTAMP.match(value) is not None
        else:
            ok = type(value) is str and _DATE.match(value) is not None
        if not ok:
            raise _fail(
                f"{_where(spec.name, index, record)}的字段 “{col.name}” 应为{_TYPE_NAMES[kind]}，"
                f"实际为{_json_type_name(value)}"
            )
        values.append(value)
    rid = record["id"]
    if not rid or len(rid) > 36:
        raise _fail(f"{_where(spec.name, index, record)}的 id 无效")
    if record["sync_state"] not in _SYNC_STATES:
        raise _fail(f"{_where(spec.name, index, record)}的同步状态 “{record['sync_state']}” 无效")
    return tuple(values)


def _line_records(data: bytes) -> Iterator[tuple[str, Any]] | None:
    """Records of a file in the export's own line layout, or None if it is laid out otherwise.

    Yields ("", header) first, then (table, record) pairs.
    """
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    if len(lines) < 2 or lines[-1] != b"}}":
        return None
    head = lines[0]
    if not head.startswith(b'{"format":') or not head.endswith(b'"tables":{'):
        return None

    decode = json.JSONDecoder().decode

    def records() -> Iterator[tuple[str, Any]]:
        yield "", json.loads(head + b"}}")
        table: str | None = None
        for raw in lines[1:-1]:
            if table is None:
                if not (raw.startswith(b'"') and raw.endswith(b'":[')):
                    raise ValueError("table line expected")
                table = raw[1:-3].decode("utf-8")
                yield table, None  # table start
                continue
            if raw in (b"]", b"],"):
                table = None
                continue
            line = raw.decode("utf-8")
            yield table, decode(line[:-1] if line.endswith(",") else line)
        if table is not None:
            raise ValueError("unterminated table")

    return records()


def _document_records(data: bytes) -> Iterator[tuple[str, Any]]:
    """Records of any valid JSON document of the export's shape (slow path)."""
    try:
        doc = json.loads(data)
    except UnicodeDecodeError as exc:
        raise _fail("文件不是 UTF-8 编码的文本") from exc
    except json.JSONDecodeError as exc:
        raise _fail(
            f"文件不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列：{exc.msg}）"
        ) from exc
    if not isinstance(doc, dict):
        raise _fail("文件内容不是 JSON 对象")
    header = {k: v for k, v in doc.items() if k != "tables"}
    yield "", header
    tables = doc.get("tables")
    if not isinstance(tables, dict):
        raise _fail("文件缺少 “tables”")
    for name, rows in tables.items():
        yield name, None
        if not isinstance(rows, list):
            raise _fail(f"表 {name} 的内容应为数组")
        for row in rows:
            yield name, row


@dataclass
class _Parsed:
    rows: dict[str, list[tuple[Any, ...]]]
    counts: dict[str, int]


def _parse(data: bytes) -> _Parsed:
    rows: dict[str, list[tuple[Any, ...]]] = {t.name: [] for t in TABLES}
    stream = _line_records(data)
    try:
        return _collect(stream if stream is not None else _document_records(data), rows)
    except (ValueError, UnicodeDecodeError):
        if stream is None:
            raise
        # not quite the line layout after all: read it as a whole document
        rows = {t.name: [] for t in TABLES}
        return _collect(_document_records(data), rows)


def _collect(stream: Iterator[tuple[str, Any]], rows: dict[str, list[tuple[Any, ...]]]) -> _Parsed:
    first = next(stream, None)
    if first is None:
        raise _fail("文件为空")
    _check_header(first[1])
    seen: set[str] = set()
    spec: _TableSpec | None = None
    index = 0
    for table, record in stream:
        if record is None:  # a table starts
            if table not in _BY_NAME:
                raise _fail(f"未知的表 “{table}”")
            if table in seen:
                raise _fail(f"表 {table} 出现了两次")
            seen.add(table)
            spec = _BY_NAME[table]
            index = 0
            continue
        assert spec is not None
        rows[table].append(_record_values(spec, index, record))
        index += 1
    return _Parsed(rows, {name: len(r) for name, r in rows.items()})


# --- checking against the store -------------------------------------------------------------


def _chunks(items: list[str], size: int = 900) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _existing(conn: sqlite3.Connection, table: str, column: str, values: list[str]) -> set[str]:
    """Which of ``values`` occur in ``table.column``."""
    found: set[str] = set()
    if not values or conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is None:
        return found
    for chunk in _chunks(values):
        marks = ", ".join("?" * len(chunk))
        found.update(
            r[0]
            for r in conn.execute(
                f"SELECT {column} FROM {table} WHERE {column} IN ({marks})", chunk
            )
        )
    return found


def _check_references(conn: sqlite3.Connection, parsed: _Parsed, id_pos: dict[str, int]) -> None:
    ids_in_file = {t: {row[id_pos[t]] for row in parsed.rows[t]} for t in parsed.rows}
    for spec in TABLES:
        rows = parsed.rows[spec.name]
        for pos, col in enumerate(spec.columns):
            if col.references is None:
                continue
            target = col.references
            wanted = {row[pos] for row in rows if row[pos] is not None} - ids_in_file[target]
            if not wanted:
                continue
            missing = set(wanted) - _existing(conn, target, "id", sorted(wanted))
            if missing:
                bad = sorted(missing)[0]
                index, row = next((i, r) for i, r in enumerate(rows) if r[pos] == bad)
                raise _fail(
                    f"{_where(spec.name, index, {'id': row[id_pos[spec.name]]})}的字段 "
                    f"“{col.name}” 引用的{TABLE_LABELS[target]} {bad} "
                    "既不在文件中，也不在本机数据中"
                )
        for unique in _UNIQUE.get(spec.name, ()):
            pos = spec.names.index(unique)
            by_value: dict[str, str] = {}
            for index, row in enumerate(rows):
                other = by_value.setdefault(row[pos], row[id_pos[spec.name]])
                if other != row[id_pos[spec.name]]:
                    raise _fail(
                        f"{_where(spec.name, index, {'id': row[id_pos[spec.name]]})}的 “{unique}” "
                        f"{row[pos]} 与记录 {other} 重复"
                    )
            if by_value:
                marks_values = list(by_value)
                for chunk in _chunks(marks_values):
                    marks = ", ".join("?" * len(chunk))
                    for value, rid in conn.execute(
                        f"SELECT {unique}, id FROM {spec.name} WHERE {unique} IN ({marks})", chunk
                    ):
                        if by_value[value] != rid:
                            raise _fail(
                                f"{TABLE_LABELS[spec.name]}（表 {spec.name}）记录 "
                                f"{by_value[value]} 的 “{unique}” {value} "
                                f"在本机已被另一条记录 {rid} 使用"
                            )


# --- writing --------------------------------------------------------------------------------


def _case_key(
    spec: _TableSpec, row: tuple[Any, ...], doc_case: Callable[[str], str | None]
) -> str | None:
    names = spec.names
    if "case_id" in names:
        value = row[names.index("case_id")]
        return value if isinstance(value, str) else None
    if spec.name == "attachments":
        return doc_case(row[names.index("document_id")])
    return None


def _same(spec: _TableSpec, stored: tuple[Any, ...], incoming: tuple[Any, ...]) -> bool:
    for col, a, b in zip(spec.columns, stored, incoming, strict=True):
        if col.kind == "json":
            if (json.loads(a) if isinstance(a, str) else a) != json.loads(b):
                return False
        elif a != b:
            return False
    return True


class _Writer:
    def __init__(self, conn: sqlite3.Connection, present: dict[str, set[str]]) -> None:
        self.conn = conn
        self.present = present
        self.inserted = 0
        self.unchanged = 0
        self.conflicts: list[str] = []
        self.sql = {
            t.name: f"INSERT INTO {t.name} ({', '.join(t.names)}) "
            f"VALUES ({', '.join('?' * len(t.names))})"
            for t in TABLES
        }

    def split_new(self, spec: _TableSpec, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        """Rows not yet in the store; existing ones are counted as unchanged or conflicts."""
        if not rows:
            return rows
        id_pos = spec.names.index("id")
        known = self.present[spec.name]
        if not known:
            return rows
        present = [r[id_pos] for r in rows if r[id_pos] in known]
        if not present:
            return rows
        cols = ", ".join(spec.names)
        stored: dict[str, tuple[Any, ...]] = {}
        for chunk in _chunks(sorted(present)):
            marks = ", ".join("?" * len(chunk))
            for row in self.conn.execute(
                f"SELECT {cols} FROM {spec.name} WHERE id IN ({marks})", chunk
            ):
                stored[row[id_pos]] = tuple(row)
        new = []
        for row in rows:
            old = stored.get(row[id_pos])
            if old is None:
                new.append(row)
            elif _same(spec, old, row):
                self.unchanged += 1
            else:
                self.conflicts.append(f"{spec.name}:{row[id_pos]}")
        return new

    def write(self, groups: dict[str, list[tuple[Any, ...]]], reindex: list[str]) -> None:
        """One transaction: the rows of ``groups`` (table -> rows) and the search rows."""
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            for spec in TABLES:
                rows = self.split_new(spec, groups.get(spec.name, []))
                if rows:
                    conn.executemany(self.sql[spec.name], rows)
                    self.inserted += len(rows)
            if reindex:
                reindex_sqlite(conn, reindex)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:  # SQLite may have rolled back already (disk full)
                conn.execute("ROLLBACK")
            raise


def import_json(store: Store, data: bytes) -> ImportSummary:
    """Validate ``data`` as a whole, then import it case by case (see the module notes).

    A malformed file raises :class:`ImportFormatError` before anything is written; a full
    disk raises :class:`app.errors.StorageError`, keeping the cases imported until then.
    """
    with storage_errors(store.paths.database):
        return _import(store, data)


def _import(store: Store, data: bytes) -> ImportSummary:
    parsed = _parse(data)
    id_pos = {t.name: t.names.index("id") for t in TABLES}
    conn = store.raw_connection()
    conn.isolation_level = None  # transactions are explicit
    try:
        conn.execute("PRAGMA cache_size=-262144")
        _check_references(conn, parsed, id_pos)
        # which records exist already (nothing to look up in an empty store)
        present = {
            t.name: _existing(conn, t.name, "id", [r[id_pos[t.name]] for r in parsed.rows[t.name]])
            for t in TABLES
        }
        writer = _Writer(conn, present)
        # units and users first, in one transaction
        writer.write({"units": parsed.rows["units"], "users": parsed.rows["users"]}, [])
        # then case by case
        doc_spec = _BY_NAME["documents"]
        doc_case_pos = doc_spec.names.index("case_id")
        doc_cases = {r[id_pos["documents"]]: r[doc_case_pos] for r in parsed.rows["documents"]}

        def doc_case(document_id: str) -> str | None:
            found = doc_cases.get(document_id)
            if found is None:
                row = conn.execute(
                    "SELECT case_id FROM documents WHERE id = ?", (document_id,)
                ).fetchone()
                found = row[0] if row else None
            return found

        grouped: dict[str | None, dict[str, list[tuple[Any, ...]]]] = {}
        for spec in TABLES:
            if spec.name in ("units", "users"):
                continue
            for row in parsed.rows[spec.name]:
                key = (
                    row[id_pos["cases"]] if spec.name == "cases" else _case_key(spec, row, doc_case)
                )
                grouped.setdefault(key, {}).setdefault(spec.name, []).append(row)
        parsed.rows.clear()  # the groups hold the rows now
        keys = sorted(k for k in grouped if k is not None)
        for start in range(0, len(keys), CASES_PER_BATCH):
            batch_keys = keys[start : start + CASES_PER_BATCH]
            merged: dict[str, list[tuple[Any, ...]]] = {}
            for key in batch_keys:
                for table, rows in grouped.pop(key).items():
                    merged.setdefault(table, []).extend(rows)
            writer.write(merged, batch_keys)
        if None in grouped:
            writer.write(grouped.pop(None), [])
        conn.execute("PRAGMA analysis_limit=1000")
        conn.execute("ANALYZE")  # planner statistics after the bulk load
    except sqlite3.IntegrityError as exc:
        raise ImportFormatError(
            f"导入中止：记录之间的引用或唯一性不一致（{exc}）。已导入的案件完整保留，可修正文件后重新导入。"
        ) from exc
    finally:
        conn.close()
    summary = ImportSummary(
        counts=parsed.counts,
        inserted=writer.inserted,
        unchanged=writer.unchanged,
        conflicts=len(writer.conflicts),
        conflict_ids=writer.conflicts[:20],
    )
    with store.session() as session:
        audit.record(
            session,
            "import",
            entity="export",
            detail={
                "counts": summary.counts,
                "inserted": summary.inserted,
                "unchanged": summary.unchanged,
                "conflicts": summary.conflicts,
            },
        )
    return summary
