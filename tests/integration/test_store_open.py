"""Opening the local store: tuned SQLite, and refusal of files it must not touch."""

import os
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import text

from app.errors import StorageError
from app.paths import DataPaths
from app.store.db import Store, head_revision, open_store, schema_of
from tests.store_helpers import file_sha256, fill_audit_log


def test_new_store_is_created_at_head_with_its_folders(data_paths: DataPaths) -> None:
    store = open_store(data_paths)
    try:
        assert data_paths.database.is_file()
        assert store.migrated_from is None and store.backup_path is None
        with store.engine.connect() as conn:
            assert schema_of(conn.connection.driver_connection) == head_revision()
    finally:
        store.close()


def test_every_connection_is_tuned(store: Store) -> None:
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    with closing(store.raw_connection()) as raw:
        assert raw.execute("PRAGMA foreign_keys").fetchone() == (1,)
        assert raw.execute("PRAGMA synchronous").fetchone() == (2,)


def test_foreign_keys_are_enforced(store: Store) -> None:
    with pytest.raises(Exception, match="FOREIGN KEY"), store.session() as session:
        session.execute(
            text(
                "INSERT INTO parties (id, case_id, kind, name, id_number, role, phone, address,"
                " created_at, updated_at, version, sync_state, deleted)"
                " VALUES ('p', 'no-such-case', 'person', '张三', '', '', '', '', '', '', 1,"
                " 'pending', 0)"
            )
        )


def _refused_unchanged(paths: DataPaths, expected: str) -> None:
    before = file_sha256(paths.database)
    with pytest.raises(StorageError) as caught:
        open_store(paths).close()
    assert expected in caught.value.message
    assert file_sha256(paths.database) == before


def test_random_bytes_are_refused(data_paths: DataPaths) -> None:
    data_paths.root.mkdir(parents=True)
    data_paths.database.write_bytes(os.urandom(64 * 1024))
    _refused_unchanged(data_paths, "已损坏或不是衔接的数据库")


def test_other_sqlite_database_is_refused(data_paths: DataPaths) -> None:
    data_paths.root.mkdir(parents=True)
    with closing(sqlite3.connect(data_paths.database)) as conn:
        conn.execute("CREATE TABLE contacts (name TEXT)")
        conn.commit()
    _refused_unchanged(data_paths, "不是衔接的数据库")


def test_truncated_database_is_refused(data_paths: DataPaths) -> None:
    fill_audit_log(data_paths, 2000)
    size = data_paths.database.stat().st_size
    assert size > 500_000
    with data_paths.database.open("rb+") as fh:
        fh.truncate(size // 2)
    _refused_unchanged(data_paths, "损坏")


def test_zero_length_file_is_treated_as_a_new_database(data_paths: DataPaths) -> None:
    """db.py's choice: SQLite itself makes a 0-byte file before its first write, so an empty
    file means "never written", and opening creates the schema in it (nothing can be lost)."""
    data_paths.root.mkdir(parents=True)
    data_paths.database.write_bytes(b"")
    open_store(data_paths).close()
    with closing(sqlite3.connect(data_paths.database)) as conn:
        assert schema_of(conn) == head_revision()


def test_data_folder_that_is_a_file_is_refused(tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("not a folder")
    with pytest.raises(StorageError, match="无法写入"):
        open_store(DataPaths(blocker))
