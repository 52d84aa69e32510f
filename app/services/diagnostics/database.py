"""``database.json``: a read-only integrity check, schema revision, sizes and row counts
(counts only: no case contents)."""

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager, suppress
from pathlib import Path
from typing import Any

from app.paths import DataPaths

from .bundle import SectionProblem, _Bundle

_SQLITE_HEADER = b"SQLite format 3\x00"


def _open_read_only(db_file: Path) -> tuple[sqlite3.Connection, str]:
    """A read-only connection; ``immutable=1`` when the folder cannot hold the WAL index."""
    base = db_file.resolve().as_uri()
    try:
        conn = sqlite3.connect(f"{base}?mode=ro", uri=True, timeout=10)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn, "mode=ro"
    except sqlite3.Error:
        conn = sqlite3.connect(f"{base}?immutable=1", uri=True, timeout=10)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn, "immutable=1（文件夹只读，按只读快照读取）"


def database_report(paths: DataPaths) -> dict[str, Any]:
    """Integrity, schema revision, sizes and row counts, read without writing.

    Never raises for a bad database: the problem goes into the report (``ok`` false).
    """
    from app.store.db import head_revision

    db = paths.database
    report: dict[str, Any] = {"path": str(db), "head_revision": head_revision()}
    sizes: dict[str, int | None] = {}
    for suffix in ("", "-wal", "-shm"):
        f = db.with_name(db.name + suffix)
        try:
            sizes[f.name] = f.stat().st_size
        except OSError:
            sizes[f.name] = None
    report["file_sizes"] = sizes
    report["attachments"] = _attachment_totals(paths.attachments)
    if sizes[db.name] is None:
        report.update(
            ok=False, exists=False, problem="数据库文件不存在（尚未使用，或数据文件夹不对）"
        )
        return report
    report["exists"] = True
    try:
        with db.open("rb") as fh:
            header = fh.read(len(_SQLITE_HEADER))
    except OSError as exc:
        report.update(ok=False, problem=f"无法读取数据库文件：{exc.strerror or exc}")
        return report
    if header != _SQLITE_HEADER:
        report.update(
            ok=False,
            problem="文件头不是 SQLite 数据库（已损坏，或不是衔接的数据库）",
            header_hex=header.hex(),
        )
        return report
    with _no_leftover_wal(db):
        try:
            conn, how = _open_read_only(db)
        except sqlite3.Error as exc:
            report.update(ok=False, problem=f"数据库无法以只读方式打开：{exc}")
            return report
        report["opened_as"] = how
        with closing(conn):
            problems = _read_checks(conn, report)
    report["ok"] = not problems
    if problems:
        report["problem"] = "；".join(problems)
    return report


def _read_checks(conn: sqlite3.Connection, report: dict[str, Any]) -> list[str]:
    """Integrity check, a few pragmas, the schema revision and row counts into ``report``."""
    from app.store.db import is_known_schema

    problems: list[str] = []
    try:
        rows = [str(r[0]) for r in conn.execute("PRAGMA integrity_check(20)")]
    except sqlite3.Error as exc:
        rows = [f"无法执行完整性检查：{exc}"]
    report["integrity_check"] = rows
    if rows != ["ok"]:
        lines = [line.strip() for row in rows for line in row.splitlines() if line.strip()]
        problems.append("完整性检查未通过：" + "；".join(lines[:4]))
    for pragma in ("page_size", "page_count", "freelist_count", "journal_mode", "user_version"):
        try:
            report[pragma] = conn.execute(f"PRAGMA {pragma}").fetchone()[0]
        except sqlite3.Error as exc:
            report[pragma] = f"错误：{exc}"
    try:
        revisions = sorted(
            str(r[0]) for r in conn.execute("SELECT version_num FROM alembic_version")
        )
    except sqlite3.Error as exc:
        report["schema_revision"] = None
        problems.append(f"无法读取架构版本：{exc}")
    else:
        signature = "+".join(revisions) or None
        report["schema_revision"] = signature
        report["schema_known"] = signature is not None and is_known_schema(signature)
        report["schema_at_head"] = signature == report["head_revision"]
        if signature is not None and not report["schema_known"]:
            problems.append(f"数据库由更新版本的衔接创建（架构版本 {signature}）")
    report["row_counts"] = _row_counts(conn)
    return problems


@contextmanager
def _no_leftover_wal(db: Path) -> Iterator[None]:
    """A read-only reader of a WAL database creates ``-wal``/``-shm`` files and cannot remove
    them; remove them afterwards when they were not there before and the WAL stayed empty
    (then no other program had the database open)."""
    extras = [db.with_name(db.name + s) for s in ("-wal", "-shm")]
    existed = [p.exists() for p in extras]
    try:
        yield
    finally:
        wal, shm = extras
        if not any(existed):
            with suppress(OSError):
                if wal.exists() and wal.stat().st_size == 0:
                    wal.unlink()
                    shm.unlink(missing_ok=True)


def _database_section(bundle: _Bundle, paths: DataPaths) -> list[str]:
    report = database_report(paths)
    members = [bundle.json("database.json", report)]
    if not report.get("ok"):
        raise SectionProblem(str(report.get("problem") or "数据库检查未通过"), members)
    return members


def _row_counts(conn: sqlite3.Connection) -> dict[str, int | str]:
    """Rows per table (counts only; no row is read)."""
    try:
        tables = [
            str(r[0])
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
    except sqlite3.Error as exc:
        return {"*": f"错误：{exc}"}
    counts: dict[str, int | str] = {}
    for table in tables:
        quoted = '"' + table.replace('"', '""') + '"'
        try:
            counts[table] = int(conn.execute(f"SELECT count(*) FROM {quoted}").fetchone()[0])
        except sqlite3.Error as exc:
            counts[table] = f"错误：{exc}"
    return counts


def _attachment_totals(folder: Path) -> dict[str, Any]:
    count = size = 0
    try:
        for path in folder.rglob("*"):
            if path.is_file() and not path.name.startswith("."):
                count += 1
                size += path.stat().st_size
    except OSError as exc:
        return {"folder": str(folder), "error": exc.strerror or str(exc)}
    return {"folder": str(folder), "files": count, "bytes": size}
