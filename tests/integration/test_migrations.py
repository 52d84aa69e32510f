"""Migrations: a database made with the first schema upgrades with its data; newer is refused."""

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import select

from app.errors import StorageError
from app.paths import DataPaths
from app.store import audit
from app.store.audit import verify_chain
from app.store.db import alembic_config, create_store_engine, head_revision, open_store, schema_of
from app.store.models import Case, Party, Unit, User
from app.store.search import search_case_ids
from tests.conftest import RunCli
from tests.store_helpers import file_sha256

_META = "'2024-05-01T08:00:00.000000Z', '2024-05-01T08:00:00.000000Z', 1, 'pending', NULL, NULL, 0"
_META_COLS = "created_at, updated_at, version, sync_state, sync_error, server_seq, deleted"


def make_first_schema_database(paths: DataPaths) -> None:
    """Create ``paths.database`` at revision 0001 and fill it with raw SQL."""
    paths.root.mkdir(parents=True, exist_ok=True)
    engine = create_store_engine(paths.database)
    try:
        with engine.begin() as conn:
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0001")
    finally:
        engine.dispose()
    with closing(sqlite3.connect(paths.database)) as conn:
        conn.executescript(
            f"""
            INSERT INTO units (id, code, name, kind, region, division_code, {_META_COLS})
            VALUES ('u1', '320300-HB', '徐州市生态环境局', 'enforcement', '徐州市', '320300',
                    {_META});
            INSERT INTO users (id, unit_id, username, display_name, role, password_hash, active,
                               {_META_COLS})
            VALUES ('p1', 'u1', 'admin', '管理员', 'admin', 'scrypt$x', 1, {_META});
            INSERT INTO cases (id, unit_id, case_number, title, domain, category, status, facts,
                               amount_fen, penalty_fen, opened_on, decided_on, spec_version,
                               fields, created_by, {_META_COLS})
            VALUES ('c1', 'u1', '徐环罚〔2024〕12号', '徐州某化工有限公司非法排放案',
                    'environment', 'illegal_discharge', 'open', '超标排放含重金属废水',
                    12345600, 500000, '2024-05-01', NULL, 'v1', '{{"点位": 3}}', 'p1', {_META});
            INSERT INTO parties (id, case_id, kind, name, id_number, role, phone, address,
                                 {_META_COLS})
            VALUES ('pa1', 'c1', 'organisation', '徐州某化工有限公司', '91320300MA1XXXXXX0',
                    '当事人', '', '徐州市铜山区', {_META});
            INSERT INTO events (id, case_id, kind, occurred_at, actor_user_id, actor_unit_id,
                                document_id, note, data, {_META_COLS})
            VALUES ('e1', 'c1', 'opened', '2024-05-01T08:00:00.000000Z', 'p1', 'u1', NULL,
                    '立案', '{{}}', {_META});
            """
        )
        conn.commit()
        assert schema_of(conn) == "0001"


def test_first_schema_upgrades_to_head_with_data_intact(data_paths: DataPaths) -> None:
    make_first_schema_database(data_paths)
    store = open_store(data_paths)
    try:
        assert store.migrated_from == "0001"
        with store.session() as session:
            case = session.get_one(Case, "c1")
            assert case.title == "徐州某化工有限公司非法排放案"
            assert case.amount_fen == 12345600 and case.fields == {"点位": 3}
            assert case.opened_on.isoformat() == "2024-05-01"
            assert [p.name for p in case.parties] == ["徐州某化工有限公司"]
            assert session.get_one(Unit, "u1").name == "徐州市生态环境局"
            assert session.get_one(User, "p1").username == "admin"
            audit.record(session, "after_upgrade", entity="case", entity_id="c1")
        with store.session() as session:
            assert verify_chain(session).intact
            assert session.scalars(select(Party.id)).all() == ["pa1"]
        with closing(store.raw_connection()) as conn:
            assert schema_of(conn) == head_revision()
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            triggers = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            assert {"case_search", "audit_log_no_update", "events_no_delete"} <= triggers
    finally:
        store.close()


def test_backup_is_written_before_migrating(data_paths: DataPaths) -> None:
    make_first_schema_database(data_paths)
    before = file_sha256(data_paths.database)
    store = open_store(data_paths)
    store.close()
    assert store.backup_path is not None and store.backup_path.parent == data_paths.backups
    assert "0001" in store.backup_path.name
    with closing(sqlite3.connect(store.backup_path)) as conn:
        assert schema_of(conn) == "0001"
        assert conn.execute("SELECT title FROM cases").fetchall() == [
            ("徐州某化工有限公司非法排放案",)
        ]
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert file_sha256(data_paths.database) != before  # the live file did change


def test_cases_from_the_first_schema_are_searchable_after_upgrade(data_paths: DataPaths) -> None:
    make_first_schema_database(data_paths)
    store = open_store(data_paths)
    try:
        with store.session() as session:
            assert search_case_ids(session, "化工") == ["c1"]
    finally:
        store.close()


def test_opening_at_head_does_not_migrate_again(data_paths: DataPaths) -> None:
    open_store(data_paths).close()
    store = open_store(data_paths)
    store.close()
    assert store.migrated_from is None and store.backup_path is None
    assert not data_paths.backups.exists() or not any(data_paths.backups.iterdir())


def _make_newer(paths: DataPaths) -> None:
    open_store(paths).close()
    with closing(sqlite3.connect(paths.database)) as conn:
        conn.execute("DELETE FROM alembic_version")
        conn.execute("INSERT INTO alembic_version VALUES ('9999_from_the_future')")
        conn.commit()
        conn.execute("PRAGMA journal_mode=DELETE")  # leave no -wal/-shm behind
    for suffix in ("-wal", "-shm"):
        assert not Path(str(paths.database) + suffix).exists()


def test_newer_schema_is_refused_and_left_untouched(data_paths: DataPaths) -> None:
    _make_newer(data_paths)
    before = file_sha256(data_paths.database)
    with pytest.raises(StorageError) as caught:
        open_store(data_paths)
    message = caught.value.message
    assert "更新版本" in message and "9999_from_the_future" in message and "未做任何改动" in message
    assert file_sha256(data_paths.database) == before
    for suffix in ("-wal", "-shm"):
        assert not Path(str(data_paths.database) + suffix).exists()
    assert not data_paths.backups.exists() or not any(data_paths.backups.iterdir())


def test_newer_schema_via_cli(data_paths: DataPaths, run_cli: RunCli) -> None:
    _make_newer(data_paths)
    before = file_sha256(data_paths.database)
    result = run_cli("--data-dir", data_paths.root, "search", "化工")
    assert result.returncode == 1
    assert len(result.error_lines) == 1 and "更新版本" in result.error_lines[0]
    assert file_sha256(data_paths.database) == before
    assert not Path(str(data_paths.database) + "-wal").exists()
