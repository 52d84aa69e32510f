"""Open the local store: pre-flight checks, backup, Alembic migrations, tuned SQLite engine.

The order matters for "nothing saved is lost": a database is first inspected read-only; a
corrupt file or one written by a newer Xianjie is refused before anything writes to it; a
database that needs migrating is copied to ``backups/`` first.
"""

import ast
import logging
import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.errors import StorageError
from app.paths import DataPaths
from app.store.errors import describe_os_error, describe_sqlite_error, storage_errors

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

_VERSIONS = Path(__file__).resolve().parent / "migrations" / "versions"
_REVISION_LINE = re.compile(r"^(revision|down_revision)\s*=\s*(.+)$", re.MULTILINE)

_SQLITE_HEADER = b"SQLite format 3\x00"


class Store:
    """An open local store: the folder it lives in, and (made on first use) the SQLAlchemy
    engine and session factory.

    The engine is lazy so that a start that only reads the case list (plain sqlite3, see
    :mod:`app.store.case_list`) never pays for importing the ORM.
    """

    def __init__(
        self,
        paths: DataPaths,
        *,
        migrated_from: str | None = None,
        backup_path: Path | None = None,
    ) -> None:
        self.paths = paths
        self.migrated_from = migrated_from
        self.backup_path = backup_path
        self._engine: Engine | None = None
        self._sessions: sessionmaker[Session] | None = None

    @property
    def engine(self) -> "Engine":
        if self._engine is None:
            self._engine = create_store_engine(self.paths.database)
        return self._engine

    @property
    def sessions(self) -> "sessionmaker[Session]":
        if self._sessions is None:
            from sqlalchemy.orm import sessionmaker

            self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        return self._sessions

    @contextmanager
    def session(self) -> Iterator["Session"]:
        """A session that commits on success and rolls back on error."""
        with storage_errors(self.paths.database), self.sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """A query-only plain sqlite3 connection for one read, e.g. a page of the case list
        (opening one costs well under a millisecond; no ORM involved)."""
        with (
            storage_errors(self.paths.database),
            closing(sqlite3.connect(self.paths.database, timeout=10)) as conn,
        ):
            conn.execute("PRAGMA query_only=ON")
            conn.execute("PRAGMA busy_timeout=5000")
            yield conn

    def raw_connection(self) -> sqlite3.Connection:
        """A plain sqlite3 connection to the same file (for backup and bulk loads)."""
        conn = sqlite3.connect(self.paths.database, timeout=10)
        _apply_pragmas(conn)
        return conn

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()


def _apply_pragmas(conn: Any) -> None:
    cur = conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


def alembic_config() -> "Config":
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", "app.store:migrations")
    return cfg


def _migration_graph() -> dict[str, tuple[str, ...]]:
    """revision -> its down revisions, read from the migration files' header lines.

    Reading two assignments per file keeps Alembic off the start-up path;
    tests/integration/test_schema_head.py checks the result against Alembic's own view.
    """
    graph: dict[str, tuple[str, ...]] = {}
    for path in sorted(_VERSIONS.glob("[0-9]*.py")):
        found = dict(_REVISION_LINE.findall(path.read_text(encoding="utf-8")))
        down = ast.literal_eval(found["down_revision"])
        downs = () if down is None else (down,) if isinstance(down, str) else tuple(down)
        graph[ast.literal_eval(found["revision"])] = downs
    return graph


def schema_signature(revisions: "set[str] | frozenset[str] | list[str]") -> str:
    """One text for a set of revisions: several heads (branches) are joined with ``+``."""
    return "+".join(sorted(revisions))


def schema_of(conn: sqlite3.Connection) -> str | None:
    """The schema signature recorded in a database (one ``alembic_version`` row per head)."""
    rows = [str(r[0]) for r in conn.execute("SELECT version_num FROM alembic_version")]
    return schema_signature(rows) if rows else None


def head_revision() -> str:
    """The schema signature this version writes: its migration heads, ``+``-joined."""
    graph = _migration_graph()
    parents = {down for downs in graph.values() for down in downs}
    return schema_signature([rev for rev in graph if rev not in parents])


def known_revisions() -> set[str]:
    return set(_migration_graph())


def is_known_schema(signature: str) -> bool:
    """Whether every revision in ``signature`` is one this version knows (not newer)."""
    known = known_revisions()
    return bool(signature) and all(part in known for part in signature.split("+"))


def inspect_revision(db_file: Path) -> str | None:
    """Read the schema revision of an existing database without writing to it.

    Raises :class:`StorageError` for a file that is not an SQLite database or is damaged.
    """
    try:
        with db_file.open("rb") as fh:
            header = fh.read(len(_SQLITE_HEADER))
    except OSError as exc:
        raise StorageError(describe_os_error(exc, db_file)) from exc
    if header != _SQLITE_HEADER:
        if not header:
            return None  # an empty file: treat as a new database
        raise StorageError(
            f"数据库文件 {db_file} 已损坏或不是衔接的数据库，未做任何改动。"
            "请用 “xianjie restore 备份文件” 恢复，或联系信息技术人员。"
        )
    uri = f"{db_file.resolve().as_uri()}?mode=ro"
    try:
        with closing(sqlite3.connect(uri, uri=True, timeout=10)) as conn:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            if "alembic_version" not in tables:
                if tables - {"sqlite_sequence"}:
                    raise StorageError(
                        f"数据库文件 {db_file} 不是衔接的数据库（缺少架构版本信息），未做任何改动。"
                    )
                return None
            return schema_of(conn)
    except sqlite3.Error as exc:
        message = describe_sqlite_error(exc) or f"无法读取数据库：{exc}"
        raise StorageError(f"{message}（{db_file}，未做任何改动）") from exc


def _ensure_folder(paths: DataPaths) -> None:
    try:
        paths.root.mkdir(parents=True, exist_ok=True)
        probe = paths.root / ".write-test"
        probe.write_bytes(b"ok")
        probe.unlink()
    except OSError as exc:
        raise StorageError(
            f"数据文件夹 {paths.root} 无法写入。{describe_os_error(exc)}"
            "也可以用 --data-dir 换一个文件夹。"
        ) from exc


def create_store_engine(db_file: Path) -> "Engine":
    from sqlalchemy import create_engine, event

    engine = create_engine(f"sqlite:///{db_file}")
    event.listen(engine, "connect", lambda conn, _record: _apply_pragmas(conn))
    return engine


def open_store(paths: DataPaths, *, migrate: bool = True) -> Store:
    """Open (and if needed create or migrate) the store in ``paths``.

    A database from a newer Xianjie, or a damaged one, is refused and left untouched.
    """
    _ensure_folder(paths)
    db_file = paths.database
    current = inspect_revision(db_file) if db_file.exists() else None
    if current is not None and current == head_revision():
        return _connect(paths, migrated_from=None, backup=None)
    if current is not None and not is_known_schema(current):
        raise StorageError(
            f"数据库 {db_file} 由更新版本的衔接创建（架构版本 {current}），本版本无法打开。"
            "数据库未做任何改动：请安装最新版本的衔接。"
        )
    backup: Path | None = None
    if current is not None and migrate:
        backup = backup_before_migration(paths, current)
    if migrate:
        _upgrade_to_head(db_file)
        log.info("database %s migrated from %s to %s", db_file, current, head_revision())
    return _connect(paths, migrated_from=current, backup=backup)


def _upgrade_to_head(db_file: Path) -> None:
    from alembic import command

    engine = create_store_engine(db_file)
    try:
        with storage_errors(db_file), engine.begin() as conn:
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "heads")
    finally:
        engine.dispose()


def _connect(paths: DataPaths, *, migrated_from: str | None, backup: Path | None) -> Store:
    return Store(paths, migrated_from=migrated_from, backup_path=backup)


def backup_before_migration(paths: DataPaths, revision: str) -> Path:
    """Copy the database with SQLite's online backup before a migration touches it."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = paths.backups / f"xianjie-before-migration-{revision}-{stamp}.db"
    copy_database(paths.database, target)
    log.info("backup before migration written to %s", target)
    return target


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy of an SQLite database (online backup API), written atomically."""
    with storage_errors(target):
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        partial.unlink(missing_ok=True)
        with (
            closing(sqlite3.connect(source, timeout=10)) as src,
            closing(sqlite3.connect(partial)) as dst,
        ):
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")
        with partial.open("rb+") as fh:
            os.fsync(fh.fileno())
        partial.replace(target)
