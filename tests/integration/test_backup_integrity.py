"""``backup`` refuses a database that opens but fails ``PRAGMA integrity_check`` (a damaged
b-tree page past the schema): no archive is written, the database is left as it was, and
the CLI says so in one Chinese line. (Restore's checks are in test_backup_restore.py.)"""

import hashlib
import json
import zipfile
from pathlib import Path

import pytest

from app.errors import StorageError
from app.paths import DataPaths
from app.store.backup import make_backup
from app.store.db import inspect_revision, open_store
from tests.conftest import RunCli
from tests.store_helpers import file_sha256, fill_audit_log


def _damaged_store(paths: DataPaths) -> None:
    """A real store whose schema and revision still read, with one data page overwritten."""
    fill_audit_log(paths, 2000)
    data = bytearray(paths.database.read_bytes())
    page = 4096
    offset = (len(data) // page - 3) * page + 200
    data[offset : offset + 2000] = b"\xff" * 2000  # fixed bytes: the same damage every run
    paths.database.write_bytes(bytes(data))
    assert inspect_revision(paths.database)  # still opens: only integrity_check can tell


def test_backup_of_a_damaged_database_is_refused(data_paths: DataPaths, tmp_path: Path) -> None:
    _damaged_store(data_paths)
    before = file_sha256(data_paths.database)
    store = open_store(data_paths)
    out = tmp_path / "out"
    out.mkdir()
    try:
        with pytest.raises(StorageError, match="未通过完整性检查") as caught:
            make_backup(store, out / "b.zip")
    finally:
        store.close()
    assert "备份未写入" in caught.value.message
    assert list(out.iterdir()) == []  # no archive, no temp file
    assert file_sha256(data_paths.database) == before


def test_cli_backup_of_a_damaged_database(run_cli: RunCli, tmp_path: Path) -> None:
    paths = DataPaths(tmp_path / "data")
    _damaged_store(paths)
    out = tmp_path / "b.zip"
    result = run_cli("--data-dir", paths.root, "backup", "--out", out)
    assert result.returncode == 1
    assert len(result.error_lines) == 1, result.stderr
    assert "完整性检查" in result.error_lines[0] and "备份未写入" in result.error_lines[0]
    assert not out.exists()


def test_cli_restore_of_a_backup_holding_a_damaged_database(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """A zip whose database matches its manifest hash but fails integrity_check is refused."""
    healthy = DataPaths(tmp_path / "healthy")
    store = open_store(healthy)
    try:
        good = make_backup(store, tmp_path / "good.zip")
    finally:
        store.close()
    damaged = DataPaths(tmp_path / "damaged")
    _damaged_store(damaged)
    db_bytes = damaged.database.read_bytes()
    with zipfile.ZipFile(good.path) as src:
        manifest = json.loads(src.read("manifest.json"))
    manifest["database"] = {
        "name": "xianjie.db",
        "size": len(db_bytes),
        "sha256": hashlib.sha256(db_bytes).hexdigest(),
    }
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as dst:
        dst.writestr("manifest.json", json.dumps(manifest))
        dst.writestr("xianjie.db", db_bytes)
    target = tmp_path / "target"
    result = run_cli("--data-dir", target, "restore", bad)
    assert result.returncode == 1
    assert len(result.error_lines) == 1, result.stderr
    assert "完整性检查未通过" in result.error_lines[0] and "未做任何改动" in result.error_lines[0]
    assert not (target / "xianjie.db").exists()
