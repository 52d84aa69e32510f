"""``xianjie diagnostics --out FILE.zip`` through the real CLI (a subprocess): the zip holds
what IT needs, no secret reaches it, and a damaged database or a read-only data folder still
gives a zip (exit 0 with a Chinese note); only an unwritable zip gives exit 1."""

import json
import os
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.paths import DataPaths
from tests.conftest import RunCli
from tests.store_helpers import file_sha256, fill_audit_log

TOKEN = "dev-tok-7Qx9LmZ2pW"
PASSWORD = "hunter2-Pa55"
PROXY_USER = "proxyuser-zhang"
PROXY_PASSWORD = "pr0xy-S3cret"
API_KEY = "ak-9f8e7d6c5b4a"
SECRETS = (TOKEN, PASSWORD, PROXY_USER, PROXY_PASSWORD, API_KEY)


def _damage_a_data_page(db: Path) -> None:
    """Overwrite the inside of a late b-tree page: the file still opens, integrity fails."""
    data = bytearray(db.read_bytes())
    page = 4096
    offset = (len(data) // page - 3) * page + 200
    data[offset : offset + 2000] = b"\xff" * 2000  # fixed bytes: the same damage every run
    db.write_bytes(bytes(data))


def _members(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        return {name: zf.read(name).decode("utf-8") for name in zf.namelist()}


def _summary(members: dict[str, str]) -> dict[str, dict[str, object]]:
    return {s["name"]: s for s in json.loads(members["summary.json"])["sections"]}


def test_diagnostics_json_prints_the_zip_path_and_a_summary(
    run_cli: RunCli, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    fill_audit_log(DataPaths(data), 200)
    out = tmp_path / "诊断.zip"
    result = run_cli("--data-dir", data, "diagnostics", "--out", out, "--json")
    assert result.returncode == 0, result.stderr
    printed = result.json()
    assert printed["path"] == str(out) and printed["size"] == out.stat().st_size
    assert printed["sha256"] == file_sha256(out)
    assert printed["complete"] is True, printed["sections"]
    members = _members(out)
    assert {
        "README.txt",
        "summary.json",
        "versions.json",
        "site-config.json",
        "paths.json",
        "database.json",
        "selftest.json",
        "selftest.txt",
        "environment.json",
        "fonts.txt",
        "logs/xianjie.log",
    } <= set(members)
    database = json.loads(members["database.json"])
    assert database["integrity_check"] == ["ok"] and database["row_counts"]["audit_log"] == 200
    selftest = json.loads(members["selftest.json"])
    assert selftest["ok"] is True
    assert {c["key"] for c in selftest["checks"]} >= {"database.integrity", "site_config"}
    qt = next(c for c in selftest["checks"] if c["key"] == "qt")
    assert qt["ok"] is True and not qt["detail"].startswith("未检查")  # a child ran the probe
    paths = json.loads(members["paths.json"])
    assert paths["data_folder"]["path"] == str(data)
    assert paths["logs"]["path"] == str(data / "logs")


def test_plain_output_is_chinese(run_cli: RunCli, tmp_path: Path) -> None:
    fill_audit_log(DataPaths(tmp_path / "data"), 200)
    result = run_cli("--data-dir", tmp_path / "data", "diagnostics", "--out", tmp_path / "d.zip")
    assert result.returncode == 0, result.stderr
    assert f"诊断包已写入 {tmp_path / 'd.zip'}" in result.stdout
    assert "各项均已收集" in result.stdout


def test_no_secret_reaches_the_zip(run_cli: RunCli, tmp_path: Path) -> None:
    data = tmp_path / "data"
    paths = DataPaths(data)
    fill_audit_log(paths, 200)
    site = tmp_path / "site.toml"
    site.write_text(
        "[platform]\n"
        'url = "https://lfxj.example.gov.cn/api/v1"\n'
        f'proxy = "http://{PROXY_USER}:{PROXY_PASSWORD}@proxy.example:3128"\n'
        f'token = "{TOKEN}"\n'
        f'password = "{PASSWORD}"\n'
        f'api_key = "{API_KEY}"\n'
        "[unit]\n"
        'code = "320300-HB"\n',
        encoding="utf-8",
    )
    (data / "sync-token").write_text(TOKEN, encoding="utf-8")  # the device-token file
    paths.logs.mkdir(exist_ok=True)
    (paths.logs / "xianjie.log.1").write_text(
        f"2024-05-01 INFO sync: using proxy http://{PROXY_USER}:{PROXY_PASSWORD}@proxy.example\n"
        f"2024-05-01 DEBUG sync: header Authorization: Bearer {TOKEN}\n"
        f"2024-05-01 DEBUG setup: password={PASSWORD}\n",
        encoding="utf-8",
    )
    out = tmp_path / "d.zip"
    result = run_cli(
        "--data-dir",
        data,
        "diagnostics",
        "--out",
        out,
        "--json",
        env={
            "XIANJIE_SITE_CONFIG": str(site),
            "HTTPS_PROXY": f"http://{PROXY_USER}:{PROXY_PASSWORD}@corp-proxy:8080",
        },
    )
    assert result.returncode == 0, result.stderr
    members = _members(out)
    for name, text in members.items():
        for secret in SECRETS:
            assert secret not in name and secret not in text, (secret, name)
    for secret in SECRETS:
        assert secret not in result.stdout and secret not in result.stderr
    # What is not secret is still there, so IT can read the config.
    site_report = json.loads(members["site-config.json"])
    assert site_report["effective"]["platform_url"] == "https://lfxj.example.gov.cn/api/v1"
    assert site_report["effective"]["proxy"] == "http://***@proxy.example:3128"
    assert site_report["effective"]["unit_code"] == "320300-HB"
    assert site_report["file"]["platform"]["token"] == "***"
    assert "proxy.example" in members["logs/xianjie.log.1"]


def test_a_malformed_site_file_is_shown_redacted(run_cli: RunCli, tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text(
        f'[platform]\nurl = "https://x.example"\ntoken = "{TOKEN}"\npassword = {PASSWORD}\n',
        encoding="utf-8",
    )  # an unquoted value: not TOML
    out = tmp_path / "d.zip"
    result = run_cli(
        "--data-dir",
        tmp_path / "data",
        "diagnostics",
        "--out",
        out,
        env={"XIANJIE_SITE_CONFIG": str(site)},
    )
    assert result.returncode == 0, result.stderr
    members = _members(out)
    for text in members.values():
        assert TOKEN not in text and PASSWORD not in text
    assert "token = ***" in members["site.toml.redacted.txt"]
    assert "https://x.example" in members["site.toml.redacted.txt"]
    assert json.loads(members["site-config.json"])["problem"]  # the config error is reported


def test_a_damaged_database_still_gives_a_zip(run_cli: RunCli, tmp_path: Path) -> None:
    data = tmp_path / "data"
    paths = DataPaths(data)
    fill_audit_log(paths, 2000)
    _damage_a_data_page(paths.database)
    before = file_sha256(paths.database)
    out = tmp_path / "d.zip"
    result = run_cli("--data-dir", data, "diagnostics", "--out", out)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "诊断包已写入" in result.stdout and "未能收集" in result.stdout
    assert "完整性检查未通过" in result.stdout
    members = _members(out)
    database = json.loads(members["database.json"])
    assert database["ok"] is False and database["integrity_check"] != ["ok"]
    sections = _summary(members)
    assert sections["database"]["ok"] is False and sections["selftest"]["ok"] is False
    assert sections["versions"]["ok"] is True and sections["logs"]["ok"] is True
    assert file_sha256(paths.database) == before  # diagnostics changed nothing


def test_random_bytes_instead_of_a_database(run_cli: RunCli, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "xianjie.db").write_bytes(b"not a database " * 3000)
    out = tmp_path / "d.zip"
    result = run_cli("--data-dir", data, "diagnostics", "--out", out, "--json")
    assert result.returncode == 0, result.stderr
    printed = result.json()
    assert printed["complete"] is False
    problems = {s["name"]: s["error"] for s in printed["sections"] if not s["ok"]}
    assert "不是 SQLite" in problems["database"]
    assert "数据库打开与迁移" in problems["selftest"]


def test_no_database_yet(run_cli: RunCli, tmp_path: Path) -> None:
    out = tmp_path / "d.zip"
    result = run_cli("--data-dir", tmp_path / "new", "diagnostics", "--out", out, "--json")
    assert result.returncode == 0, result.stderr
    database = json.loads(_members(out)["database.json"])
    assert database["exists"] is False and "不存在" in database["problem"]


def test_an_unwritable_zip_exits_1_with_one_chinese_line(run_cli: RunCli, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run_cli("--data-dir", tmp_path / "data", "diagnostics", "--out", blocker / "d.zip")
    assert result.returncode == 1
    assert len(result.error_lines) == 1, result.stderr
    assert result.error_lines[0].startswith("错误：无法写入诊断包")


def test_out_is_required(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("--data-dir", tmp_path / "data", "diagnostics")
    assert result.returncode == 2 and "--out" in result.stderr


# --------------------------------------------------------------------------- read-only folder


def _mount(*args: str) -> bool:
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    return subprocess.run(["mount", *args], capture_output=True, check=False).returncode == 0


@pytest.fixture
def read_only_data(tmp_path: Path) -> Iterator[DataPaths]:
    """A data folder with a real store and a log, remounted read-only (tmpfs; needs root)."""
    mnt = tmp_path / "ro"
    mnt.mkdir()
    if not _mount("-t", "tmpfs", "-o", "size=32m,mode=0755", "tmpfs", str(mnt)):
        pytest.skip("a read-only tmpfs needs root and mount(8); not available here")
    try:
        paths = DataPaths(mnt / "data")
        fill_audit_log(paths, 50)
        paths.logs.mkdir()
        (paths.logs / "xianjie.log").write_text("2024-05-01 INFO earlier run\n", encoding="utf-8")
        if not _mount("-o", "remount,ro", str(mnt)):
            pytest.skip("remounting the tmpfs read-only failed")
        yield paths
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True, check=False)


def test_a_read_only_data_folder_still_gives_a_zip(
    run_cli: RunCli, read_only_data: DataPaths, tmp_path: Path
) -> None:
    before = file_sha256(read_only_data.database)
    out = tmp_path / "d.zip"
    result = run_cli("--data-dir", read_only_data.root, "diagnostics", "--out", out, "--json")
    assert result.returncode == 0, result.stderr
    members = _members(out)
    database = json.loads(members["database.json"])
    assert database["integrity_check"] == ["ok"]
    assert database["row_counts"]["audit_log"] == 50
    assert "earlier run" in members["logs/xianjie.log"]
    sections = _summary(members)
    assert sections["selftest"]["ok"] is False
    assert "数据文件夹可写" in str(sections["selftest"]["error"])
    assert json.loads(members["paths.json"])["data_folder"]["writable"] is False
    assert file_sha256(read_only_data.database) == before


def test_qt_that_cannot_start_is_recorded_not_fatal(run_cli: RunCli, tmp_path: Path) -> None:
    """No display and the xcb platform forced: Qt aborts the selftest child; the zip keeps
    Qt's own message, the rest of the selftest runs in-process, and the exit code is 0."""
    out = tmp_path / "d.zip"
    result = run_cli(
        "--data-dir",
        tmp_path / "data",
        "diagnostics",
        "--out",
        out,
        env={"QT_QPA_PLATFORM": "xcb", "DISPLAY": "", "WAYLAND_DISPLAY": ""},
    )
    assert result.returncode == 0, result.stderr
    assert "自检子进程异常结束" in result.stdout
    members = _members(out)
    assert "qt.qpa" in members["selftest-process.txt"]  # Qt's own words for IT
    checks = {c["key"]: c for c in json.loads(members["selftest.json"])["checks"]}
    assert checks["database.integrity"]["ok"] is True
    assert _summary(members)["selftest"]["ok"] is False
