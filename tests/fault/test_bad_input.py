"""Bad input reaches the user as one clear Chinese line; nothing saved is changed.

Corrupt database files, a read-only data folder, a malformed site.toml — each through the real
CLI in a subprocess, as IT staff would meet them.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.paths import DataPaths
from tests.conftest import REPO_ROOT, CliResult, RunCli
from tests.store_helpers import file_sha256, fill_audit_log

# --------------------------------------------------------------------------- corrupt database


def _random(paths: DataPaths) -> None:
    paths.root.mkdir(parents=True)
    paths.database.write_bytes(os.urandom(100_000))


def _truncated(paths: DataPaths) -> None:
    fill_audit_log(paths, 2000)
    size = paths.database.stat().st_size
    with paths.database.open("rb+") as fh:
        fh.truncate(size // 2)


def _header_only(paths: DataPaths) -> None:
    fill_audit_log(paths, 2000)
    data = paths.database.read_bytes()
    paths.database.write_bytes(data[:100] + os.urandom(len(data) - 100))


@pytest.mark.parametrize("damage", [_random, _truncated, _header_only], ids=lambda f: f.__name__)
@pytest.mark.parametrize("command", [["search", "化工"], ["backup", "--out", "b.zip"]])
def test_corrupt_database_gets_one_chinese_line(
    run_cli: RunCli, tmp_path: Path, damage: object, command: list[str]
) -> None:
    paths = DataPaths(tmp_path / "d")
    damage(paths)  # type: ignore[operator]
    before = file_sha256(paths.database)
    result = run_cli("--data-dir", paths.root, *command, cwd=tmp_path)
    assert result.returncode == 1, result.stdout
    assert len(result.error_lines) == 1, result.stderr
    assert result.error_lines[0].startswith("错误：") and "损坏" in result.error_lines[0]
    assert file_sha256(paths.database) == before
    assert not (tmp_path / "b.zip").exists()


def test_corrupt_database_fails_selftest(run_cli: RunCli, tmp_path: Path) -> None:
    paths = DataPaths(tmp_path / "d")
    _truncated(paths)
    before = file_sha256(paths.database)
    result = run_cli("--data-dir", paths.root, "selftest")
    assert result.returncode == 1
    assert any(ln.startswith("[失败] 数据库打开与迁移") for ln in result.stdout.splitlines())
    assert file_sha256(paths.database) == before


def test_corrupt_database_can_be_restored_from_a_backup(run_cli: RunCli, tmp_path: Path) -> None:
    paths = DataPaths(tmp_path / "d")
    fill_audit_log(paths, 50)
    assert run_cli("--data-dir", paths.root, "backup", "--out", tmp_path / "b.zip").returncode == 0
    damaged = os.urandom(paths.database.stat().st_size)
    paths.database.write_bytes(damaged)
    for extra in ("-wal", "-shm"):
        Path(str(paths.database) + extra).unlink(missing_ok=True)
    result = run_cli("--data-dir", paths.root, "restore", tmp_path / "b.zip", "--json")
    assert result.returncode == 0, result.stderr
    kept = Path(result.json()["previous_copy"])
    assert kept.read_bytes() == damaged  # the damaged file is kept for IT staff, byte for byte
    assert run_cli("--data-dir", paths.root, "selftest").returncode == 0


# --------------------------------------------------------------------------- read-only folder


def _mount(*args: str) -> bool:
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    done = subprocess.run(["mount", *args], capture_output=True, check=False)
    return done.returncode == 0


def _umount(target: Path) -> None:
    subprocess.run(["umount", "-l", str(target)], capture_output=True, check=False)


@pytest.fixture
def read_only_data(tmp_path: Path) -> Iterator[DataPaths]:
    """A data folder with a real store, then remounted read-only (a tmpfs; needs root)."""
    mnt = tmp_path / "ro"
    mnt.mkdir()
    if not _mount("-t", "tmpfs", "-o", "size=32m,mode=0755", "tmpfs", str(mnt)):
        pytest.skip("a read-only tmpfs needs root and mount(8); not available here")
    try:
        paths = DataPaths(mnt / "data")
        fill_audit_log(paths, 50)
        if not _mount("-o", "remount,ro", str(mnt)):
            pytest.skip("remounting the tmpfs read-only failed")
        yield paths
    finally:
        _umount(mnt)


def _error_line(result: CliResult) -> str:
    """The one ``错误：`` line of a handled failure."""
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    errors = [ln for ln in result.error_lines if ln.startswith("错误：")]
    assert len(errors) == 1, result.stderr
    return errors[0]


def test_read_only_mount_gets_a_chinese_message(run_cli: RunCli, read_only_data: DataPaths) -> None:
    before = file_sha256(read_only_data.database)
    for command in (["search", "化工"], ["demo-data", "--cases", "5"]):
        line = _error_line(run_cli("--data-dir", read_only_data.root, *command))
        assert "数据文件夹" in line and "无法写入" in line and "权限" in line
    assert file_sha256(read_only_data.database) == before


def test_read_only_mount_prints_exactly_one_line(
    run_cli: RunCli, read_only_data: DataPaths
) -> None:
    result = run_cli("--data-dir", read_only_data.root, "search", "化工")
    assert result.returncode == 1
    assert len(result.error_lines) == 1, result.stderr


def test_empty_read_only_mount_selftest(run_cli: RunCli, tmp_path: Path) -> None:
    mnt = tmp_path / "empty-ro"
    mnt.mkdir()
    if not _mount("-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(mnt)):
        pytest.skip("a read-only tmpfs needs root and mount(8); not available here")
    try:
        result = run_cli("--data-dir", mnt, "selftest")
        assert result.returncode == 1
        line = next(ln for ln in result.stdout.splitlines() if "数据文件夹可写" in ln)
        assert line.startswith("[失败]") and "没有写入权限" in line
    finally:
        _umount(mnt)


@pytest.fixture
def unprivileged() -> tuple[str, ...]:
    """``setpriv`` to nobody, when this process may do it and nobody can run the app."""
    setpriv = shutil.which("setpriv")
    if setpriv is None or not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("running the CLI as another user needs root and setpriv(1)")
    prefix = (setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups")
    probe = subprocess.run(
        [*prefix, sys.executable, "-c", "import app.cli"],
        cwd=REPO_ROOT,
        capture_output=True,
        check=False,
    )
    if probe.returncode != 0:
        pytest.skip("user nobody cannot run this Python or read the checkout")
    return prefix


def test_read_only_folder_for_an_unprivileged_user(
    run_cli: RunCli, unprivileged: tuple[str, ...]
) -> None:
    base = Path(tempfile.mkdtemp(prefix="xianjie-ro-", dir="/tmp"))
    try:
        base.chmod(0o755)
        paths = DataPaths(base / "data")
        fill_audit_log(paths, 20)
        for p in [paths.root, *paths.root.rglob("*")]:
            p.chmod(0o555 if p.is_dir() else 0o444)
        before = file_sha256(paths.database)
        result = run_cli(
            "--data-dir",
            paths.root,
            "search",
            "化工",
            prefix=unprivileged,
            env={"XIANJIE_SITE_CONFIG": str(base / "no-site.toml")},
        )
        line = _error_line(result)
        assert "无法写入" in line and "权限" in line
        assert not [ln for ln in result.error_lines if ln.startswith("警告")]
        assert file_sha256(paths.database) == before
    finally:
        for p in [base, *base.rglob("*")]:
            p.chmod(0o755)
        shutil.rmtree(base, ignore_errors=True)


# --------------------------------------------------------------------------- malformed site.toml


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(b"[platform\nurl = 'x'\n", "格式错误", id="bad-toml"),
        pytest.param(b"[platform]\nurl = 8600\n", "应为非空文本", id="wrong-type"),
        pytest.param(b"[platform]\nurl = 'lfxj.example'\n", "不是有效的网址", id="bad-url"),
        pytest.param(b"[database]\npath = 'x'\n", "未知的设置节", id="unknown-section"),
        pytest.param("[unit]\nname = '徐州'\n".encode("gb18030"), "UTF-8", id="not-utf8"),
    ],
)
def test_malformed_site_config_warns_continues_and_fails_selftest(
    run_cli: RunCli, tmp_path: Path, content: bytes, expected: str
) -> None:
    site = tmp_path / "site.toml"
    site.write_bytes(content)
    data = tmp_path / "d"
    result = run_cli("--data-dir", data, "--site-config", site, "search", "化工", "--json")
    assert result.returncode == 0
    assert result.json()["count"] == 0
    assert len(result.error_lines) == 1
    assert str(site) in result.error_lines[0] and expected in result.error_lines[0]
    selftest = run_cli("--data-dir", data, "--site-config", site, "selftest", "--json")
    assert selftest.returncode == 1
    check = next(c for c in selftest.json()["checks"] if c["key"] == "site_config")
    assert check["ok"] is False and expected in check["detail"] and str(site) in check["detail"]
