"""Open the local store: pre-flight checks, backup, Alembic migrations, tuned SQLite engine.

The order matters for "nothing saved is lost": a database is first inspected read-only; a
corrupt file or one written by a newer Xianjie is refused before anything writes to it; a
database that needs migrating is copied to ``backups/`` first.
"""

import logging
import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from app.errors import StorageError
from app.paths import DataPaths
from app.store.errors import describe_os_error, describe_sqlite_error, storage_errors

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

SCHEMA_HEAD = "0003"
"""The newest migration; kept here so a start-up at head never loads Alembic.

tests/integration/test_schema_head.py checks it against the migrations folder.
"""

_SQLITE_HEADER = b"SQLite format 3\x00"


@dataclass
class Store:
    """An open local store: the engine, a session factory and the folder it lives in."""

    paths: DataPaths
    engine: Engine
    sessions: sessionmaker[Session]
    migrated_from: str | None = None
    backup_path: Path | None = None

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on error."""
        with storage_errors(self.paths.database), self.sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def raw_connection(self) -> sqlite3.Connection:
        """A plain sqlite3 connection to the same file (for backup and bulk loads)."""
        conn = sqlite3.connect(self.paths.database, timeout=10)
        _apply_pragmas(conn)
        return conn

    def close(self) -> None:
        self.engine.dispose()


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


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    return {rev.revision for rev in script.walk_revisions()}


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
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error as exc:
        message = describe_sqlite_error(exc) or f"无法读取数据库：{exc}"
        raise StorageError(f"{message}（{db_file}，未做任何改动）") from exc
    return None if row is None else str(row[0])


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


def create_store_engine(db_file: Path) -> Engine:
    engine = create_engine(f"sqlite:///{db_file}", future=True)
    event.listen(engine, "connect", lambda conn, _record: _apply_pragmas(conn))
    return engine


def open_store(paths: DataPaths, *, migrate: bool = True) -> Store:
    """Open (and if needed create or migrate) the store in ``paths``.

    A database from a newer Xianjie, or a damaged one, is refused and left untouched.
    """
    _ensure_folder(paths)
    db_file = paths.database
    current = inspect_revision(db_file) if db_file.exists() else None
    if current == SCHEMA_HEAD:
        return _connect(paths, migrated_from=None, backup=None)
    if current is not None and current not in known_revisions():
        raise StorageError(
            f"数据库 {db_file} 由更新版本的衔接创建（架构版本 {current}），本版本无法打开。"
            "数据库未做任何改动：请安装最新版本的衔接。"
        )
    backup: Path | None = None
    if current is not None and migrate:
        backup = backup_before_migration(paths, current)
    if migrate:
        _upgrade_to_head(db_file)
        log.info("database %s migrated from %s to %s", db_file, current, SCHEMA_HEAD)
    return _connect(paths, migrated_from=current, backup=backup)


def _upgrade_to_head(db_file: Path) -> None:
    from alembic import command

    engine = create_store_engine(db_file)
    try:
        with storage_errors(db_file), engine.begin() as conn:
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    finally:
        engine.dispose()


def _connect(paths: DataPaths, *, migrated_from: str | None, backup: Path | None) -> Store:
    engine = create_store_engine(paths.database)
    sessions = sessionmaker(engine, expire_on_commit=False)
    return Store(paths, engine, sessions, migrated_from=migrated_from, backup_path=backup)


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
