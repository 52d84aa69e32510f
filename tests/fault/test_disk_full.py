"""A full disk or a file-size limit: a clear Chinese message, and nothing committed is lost.

Two ways to run out of space: a small tmpfs filled up (needs root, skipped otherwise), and
``RLIMIT_FSIZE`` set in the CLI's own process (works anywhere on POSIX; app.cli ignores
SIGXFSZ so writes fail with EFBIG instead of killing the process).
"""

import errno
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import pytest

from tests.conftest import CliResult, RunCli

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file-system limits")

DISK_FULL_WORDS = ("磁盘空间已满", "磁盘错误", "超过了系统允许的大小")


def _counts(db: Path) -> tuple[int, int, list[str]]:
    """(cases, audit entries, integrity_check) read without going through the app."""
    with closing(sqlite3.connect(db)) as conn:
        cases = conn.execute("SELECT count(*) FROM cases").fetchone()[0]
        entries = conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
        check = [str(r[0]) for r in conn.execute("PRAGMA integrity_check")]
    return cases, entries, check


def _assert_disk_full(result: CliResult) -> str:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    errors = [ln for ln in result.error_lines if ln.startswith("错误：")]
    assert len(errors) == 1, result.stderr
    assert any(word in errors[0] for word in DISK_FULL_WORDS), errors[0]
    return errors[0]


def _fill(folder: Path, leave: int = 0) -> Path:
    """Write a filler file until the file system is full, then give back ``leave`` bytes.

    Leaving a little room lets the app start (its write probe succeeds) so the failure
    happens in the middle of writing records, the case that matters.
    """
    filler = folder / "filler.bin"
    block = b"\0" * 65536
    with filler.open("wb") as fh:
        try:
            while True:
                fh.write(block)
                fh.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC, exc
    if leave:
        size = filler.stat().st_size
        with filler.open("rb+") as fh:
            fh.truncate(max(0, size - leave))
    return filler


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 24 MB tmpfs, unmounted afterwards."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mnt)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"mount -t tmpfs failed: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True, check=False)


def test_full_disk_during_demo_data(run_cli: RunCli, small_disk: Path) -> None:
    data = small_disk / "data"
    first = run_cli("--data-dir", data, "demo-data", "--cases", "40", "--json")
    assert first.returncode == 0, first.stderr
    before = _counts(data / "xianjie.db")
    assert before[0] == 40
    filler = _fill(small_disk, leave=512 * 1024)
    result = run_cli("--data-dir", data, "demo-data", "--cases", "3000")
    _assert_disk_full(result)
    filler.unlink()
    cases, entries, check = _counts(data / "xianjie.db")
    assert check == ["ok"]
    assert cases >= before[0] and entries >= before[1]  # earlier commits all still there
    again = run_cli("--data-dir", data, "selftest")
    assert again.returncode == 0, again.stdout


def test_completely_full_disk_is_refused_at_start(run_cli: RunCli, small_disk: Path) -> None:
    data = small_disk / "data"
    assert run_cli("--data-dir", data, "demo-data", "--cases", "10").returncode == 0
    before = hashlib.sha256((data / "xianjie.db").read_bytes()).hexdigest()
    _fill(small_disk)
    line = _assert_disk_full(run_cli("--data-dir", data, "demo-data", "--cases", "10"))
    assert "磁盘空间已满" in line
    assert hashlib.sha256((data / "xianjie.db").read_bytes()).hexdigest() == before


def test_full_disk_during_backup_leaves_no_file(
    run_cli: RunCli, small_disk: Path, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    assert run_cli("--data-dir", data, "demo-data", "--cases", "200").returncode == 0
    filler = _fill(small_disk)
    target = small_disk / "backup.zip"
    _assert_disk_full(run_cli("--data-dir", data, "backup", "--out", target))
    assert sorted(p.name for p in small_disk.iterdir()) == [filler.name]  # no partial files


def _limit_file_size(limit: int) -> Callable[[], None]:
    def apply() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_file_size_limit_during_demo_data(run_cli: RunCli, tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert run_cli("--data-dir", data, "demo-data", "--cases", "40").returncode == 0
    db = data / "xianjie.db"
    before = _counts(db)
    limit = db.stat().st_size + 256 * 1024
    result = run_cli(
        "--data-dir", data, "demo-data", "--cases", "5000", preexec_fn=_limit_file_size(limit)
    )
    _assert_disk_full(result)
    cases, entries, check = _counts(db)
    assert check == ["ok"]
    assert cases >= before[0] and entries >= before[1]
    assert run_cli("--data-dir", data, "selftest").returncode == 0


def test_file_size_limit_during_backup(run_cli: RunCli, tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert run_cli("--data-dir", data, "demo-data", "--cases", "300").returncode == 0
    db_hash = hashlib.sha256((data / "xianjie.db").read_bytes()).hexdigest()
    out = tmp_path / "out"
    out.mkdir()
    result = run_cli(
        "--data-dir",
        data,
        "backup",
        "--out",
        out / "b.zip",
        preexec_fn=_limit_file_size(64 * 1024),
    )
    _assert_disk_full(result)
    assert list(out.iterdir()) == []
    assert hashlib.sha256((data / "xianjie.db").read_bytes()).hexdigest() == db_hash


def test_file_size_limit_during_import(run_cli: RunCli, tmp_path: Path) -> None:
    source, target = tmp_path / "a", tmp_path / "b"
    assert run_cli("--data-dir", source, "demo-data", "--cases", "300").returncode == 0
    export = tmp_path / "export.json"
    assert run_cli("--data-dir", source, "export", "--out", export).returncode == 0
    assert run_cli("--data-dir", target, "demo-data", "--cases", "5").returncode == 0
    db = target / "xianjie.db"
    before = _counts(db)
    limit = db.stat().st_size + 64 * 1024
    result = run_cli("--data-dir", target, "import", export, preexec_fn=_limit_file_size(limit))
    _assert_disk_full(result)
    cases, entries, check = _counts(db)
    assert check == ["ok"]
    assert cases >= before[0] and entries >= before[1]
