"""Backups: one verified .zip (database + attachments); restore validates before it replaces."""

import hashlib
import json
import os
import sqlite3
import zipfile
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.errors import StorageError
from app.paths import DataPaths
from app.store.attachments import AttachmentStore
from app.store.audit import verify_chain
from app.store.backup import BackupInfo, make_backup, restore_backup
from app.store.db import Store, open_store
from app.store.models import Attachment, Case
from tests.case_seed import add_case
from tests.conftest import RunCli
from tests.store_helpers import file_sha256

SCAN = "移送书扫描件".encode() * 500


def _titles(paths: DataPaths) -> list[str]:
    store = open_store(paths)
    try:
        with store.session() as session:
            return sorted(session.scalars(select(Case.title)))
    finally:
        store.close()


def _state(paths: DataPaths) -> dict[str, str]:
    """Every file under the data folder with its hash (logs aside)."""
    return {
        str(p.relative_to(paths.root)): file_sha256(p)
        for p in sorted(paths.root.rglob("*"))
        if p.is_file() and "logs" not in p.parts
    }


@pytest.fixture
def backed_up(store: Store, tmp_path: Path) -> BackupInfo:
    add_case(store, "徐州某化工有限公司非法排放案", scan=SCAN, audited=True)
    add_case(store, "铜山区某食品厂使用非食品原料案", scan=b"second scan", audited=True)
    return make_backup(store, tmp_path / "out" / "backup.zip")


def test_backup_is_one_zip_with_manifest_database_and_attachments(
    backed_up: BackupInfo, store: Store
) -> None:
    info = backed_up
    assert info.path.is_file() and info.size == info.path.stat().st_size
    assert info.sha256 == file_sha256(info.path)
    assert info.attachments == 2 and info.skipped_attachments == []
    with zipfile.ZipFile(info.path) as zf:
        assert zf.testzip() is None
        names = zf.namelist()
        manifest = json.loads(zf.read("manifest.json"))
        assert manifest["format"] == "xianjie-backup"
        assert manifest["schema_revision"] == info.schema_revision
        sha = hashlib.sha256(SCAN).hexdigest()
        assert f"attachments/{sha[:2]}/{sha}" in names
        assert zf.read(f"attachments/{sha[:2]}/{sha}") == SCAN
        db_bytes = zf.read("xianjie.db")
    assert hashlib.sha256(db_bytes).hexdigest() == manifest["database"]["sha256"]
    leftovers = [p.name for p in info.path.parent.iterdir() if p != info.path]
    assert leftovers == []  # no temp files beside the backup


def test_backup_into_a_folder_names_the_file(store: Store, tmp_path: Path) -> None:
    info = make_backup(store, tmp_path)
    assert info.path.parent == tmp_path and info.path.name.startswith("xianjie-backup-")


def test_backup_while_a_write_transaction_is_open_is_consistent(
    store: Store, tmp_path: Path
) -> None:
    add_case(store, "已提交的案件", audited=True)
    with closing(store.raw_connection()) as writer:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE cases SET title = '未提交的修改'")
        info = make_backup(store, tmp_path / "b.zip")
        writer.rollback()
    target = DataPaths(tmp_path / "elsewhere")
    restore_backup(target, info.path)
    assert _titles(target) == ["已提交的案件"]


def test_round_trip_into_an_empty_folder(backed_up: BackupInfo, tmp_path: Path) -> None:
    target = DataPaths(tmp_path / "new-desk")
    info = restore_backup(target, backed_up.path)
    assert info.previous_copy is None and info.attachments_added == 2
    assert _titles(target) == ["徐州某化工有限公司非法排放案", "铜山区某食品厂使用非食品原料案"]
    blobs = AttachmentStore(target.attachments)
    assert blobs.verify(hashlib.sha256(SCAN).hexdigest())
    store = open_store(target)
    try:
        with store.session() as session:
            assert verify_chain(session).entries == 2
            assert session.scalar(select(func.count()).select_from(Attachment)) == 2
    finally:
        store.close()


def test_restore_keeps_the_current_database(
    backed_up: BackupInfo, store: Store, data_paths: DataPaths
) -> None:
    add_case(store, "备份之后新增的案件", audited=True)
    store.close()
    info = restore_backup(data_paths, backed_up.path)
    assert info.previous_copy is not None and info.previous_copy.parent == data_paths.backups
    assert info.attachments_present == 2 and info.attachments_added == 0
    assert "备份之后新增的案件" not in _titles(data_paths)
    with closing(sqlite3.connect(info.previous_copy)) as conn:
        titles = {r[0] for r in conn.execute("SELECT title FROM cases")}
    assert "备份之后新增的案件" in titles


def test_restore_repairs_a_damaged_attachment(
    backed_up: BackupInfo, store: Store, data_paths: DataPaths
) -> None:
    store.close()
    blobs = AttachmentStore(data_paths.attachments)
    sha = hashlib.sha256(SCAN).hexdigest()
    blobs.path_for(sha).write_bytes(b"bit rot")
    info = restore_backup(data_paths, backed_up.path)
    assert info.attachments_added == 1 and blobs.verify(sha)


def test_damaged_attachment_is_left_out_of_a_backup_and_named(store: Store, tmp_path: Path) -> None:
    add_case(store, "案件", scan=SCAN, audited=True)
    sha = hashlib.sha256(SCAN).hexdigest()
    AttachmentStore(store.paths.attachments).path_for(sha).write_bytes(b"bit rot")
    info = make_backup(store, tmp_path / "b.zip")
    assert info.skipped_attachments == [sha] and info.attachments == 0


def test_restore_from_a_bare_database_copy(store: Store, data_paths: DataPaths) -> None:
    add_case(store, "迁移前的案件", audited=True)
    copy = data_paths.root.parent / "copy.db"
    with closing(store.raw_connection()) as src, closing(sqlite3.connect(copy)) as dst:
        src.backup(dst)
    add_case(store, "之后的案件", audited=True)
    store.close()
    restore_backup(data_paths, copy)
    assert _titles(data_paths) == ["迁移前的案件"]


def test_restore_refuses_while_another_program_has_the_database_open(
    backed_up: BackupInfo, store: Store, data_paths: DataPaths
) -> None:
    store.close()
    before = file_sha256(data_paths.database)
    with closing(sqlite3.connect(data_paths.database)) as other:
        other.execute("SELECT count(*) FROM cases").fetchone()
        with pytest.raises(StorageError, match="正被另一个衔接程序使用"):
            restore_backup(data_paths, backed_up.path)
    assert file_sha256(data_paths.database) == before
    assert not data_paths.backups.exists() or list(data_paths.backups.iterdir()) == []


# --------------------------------------------------------------------------- bad backup files


def _rewrite_zip(source: Path, target: Path, change: dict[str, bytes | None]) -> Path:
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as dst:
        for item in src.infolist():
            if item.filename in change:
                data = change[item.filename]
                if data is not None:
                    dst.writestr(item.filename, data)
            else:
                dst.writestr(item, src.read(item.filename))
        for name, data in change.items():
            if name not in src.namelist() and data is not None:
                dst.writestr(name, data)
    return target


def _newer_db(tmp_path: Path, backup: Path) -> bytes:
    with zipfile.ZipFile(backup) as zf:
        raw = tmp_path / "newer.db"
        raw.write_bytes(zf.read("xianjie.db"))
    with closing(sqlite3.connect(raw)) as conn:
        conn.execute("DELETE FROM alembic_version")
        conn.execute("INSERT INTO alembic_version VALUES ('9999')")
        conn.commit()
    return raw.read_bytes()


def _bad_files(tmp_path: Path, good: Path) -> dict[str, tuple[Path, str]]:
    sha = hashlib.sha256(SCAN).hexdigest()
    blob_name = f"attachments/{sha[:2]}/{sha}"
    manifest = json.loads(zipfile.ZipFile(good).read("manifest.json"))
    random_file = tmp_path / "random.zip"
    random_file.write_bytes(os.urandom(20_000))
    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    foreign = tmp_path / "foreign.db"
    with closing(sqlite3.connect(foreign)) as conn:
        conn.execute("CREATE TABLE t (x)")
        conn.commit()
    newer = _newer_db(tmp_path, good)
    newer_manifest = dict(manifest, database=dict(manifest["database"]))
    newer_manifest["database"]["sha256"] = hashlib.sha256(newer).hexdigest()
    corrupt_db = bytearray(zipfile.ZipFile(good).read("xianjie.db"))
    corrupt_db[5000:9000] = os.urandom(4000)
    d = tmp_path
    return {
        "random bytes": (random_file, "不是衔接的备份"),
        "truncated zip": (truncated, "备份文件"),
        "empty file": (empty, "不是衔接的备份"),
        "foreign sqlite": (foreign, "不是衔接的数据库"),
        "no manifest": (_rewrite_zip(good, d / "a.zip", {"manifest.json": None}), "缺少"),
        "no database": (_rewrite_zip(good, d / "b.zip", {"xianjie.db": None}), "缺少"),
        "wrong format": (
            _rewrite_zip(good, d / "c.zip", {"manifest.json": b'{"format": "other"}'}),
            "格式标识不符",
        ),
        "newer format": (
            _rewrite_zip(
                good,
                d / "c2.zip",
                {"manifest.json": json.dumps(dict(manifest, format_version=99)).encode()},
            ),
            "更新版本",
        ),
        "database hash mismatch": (
            _rewrite_zip(good, d / "e.zip", {"xianjie.db": bytes(corrupt_db)}),
            "校验值不符",
        ),
        "corrupt database": (
            _rewrite_zip(
                good,
                d / "f.zip",
                {
                    "xianjie.db": bytes(corrupt_db),
                    "manifest.json": json.dumps(
                        dict(manifest, database={"sha256": hashlib.sha256(corrupt_db).hexdigest()})
                    ).encode(),
                },
            ),
            "备份文件",
        ),
        "newer schema": (
            _rewrite_zip(
                good,
                d / "g.zip",
                {"xianjie.db": newer, "manifest.json": json.dumps(newer_manifest).encode()},
            ),
            "更新版本",
        ),
        "damaged attachment": (
            _rewrite_zip(good, d / "h.zip", {blob_name: b"tampered"}),
            "附件",
        ),
        "unknown member": (
            _rewrite_zip(good, d / "i.zip", {"../../etc/passwd": b"x"}),
            "不认识的内容",
        ),
    }


def test_bad_backups_are_refused_and_nothing_changes(
    backed_up: BackupInfo, store: Store, data_paths: DataPaths, tmp_path: Path
) -> None:
    add_case(store, "现有案件", audited=True)
    store.close()
    bad_dir = tmp_path / "bad"
    bad_dir.mkdir()
    cases = _bad_files(bad_dir, backed_up.path)
    before = _state(data_paths)
    for name, (path, expected) in cases.items():
        with pytest.raises(StorageError) as caught:
            restore_backup(data_paths, path)
        assert expected in caught.value.message, (name, caught.value.message)
        assert "未做任何改动" in caught.value.message, name
        assert _state(data_paths) == before, name
    assert "现有案件" in _titles(data_paths)


def test_missing_backup_file(data_paths: DataPaths, tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="找不到备份文件"):
        restore_backup(data_paths, tmp_path / "absent.zip")


# --------------------------------------------------------------------------- through the CLI


def test_cli_backup_and_restore(run_cli: RunCli, tmp_path: Path) -> None:
    data = tmp_path / "d"
    out = tmp_path / "备份.zip"
    made = run_cli("--data-dir", data, "backup", "--out", out, "--json")
    assert made.returncode == 0, made.stderr
    info = made.json()
    assert info["path"] == str(out) and info["size"] == out.stat().st_size
    restored = run_cli("--data-dir", tmp_path / "d2", "restore", out, "--json")
    assert restored.returncode == 0, restored.stderr
    assert restored.json()["previous_copy"] is None
    again = run_cli("--data-dir", tmp_path / "d2", "restore", out)
    assert again.returncode == 0 and "原数据库已另存为" in again.stdout


def test_cli_refuses_a_bad_backup(run_cli: RunCli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.zip"
    bad.write_bytes(os.urandom(1000))
    result = run_cli("--data-dir", tmp_path / "d", "restore", bad)
    assert result.returncode == 1
    assert len(result.error_lines) == 1 and "不是衔接的备份" in result.error_lines[0]
    assert not (tmp_path / "d" / "xianjie.db").exists()
