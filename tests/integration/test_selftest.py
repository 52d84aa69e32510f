"""``selftest``: every check reported, required failures fail it, it never crashes."""

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from app.paths import DataPaths
from app.services.selftest import Check, SelftestReport, run_selftest
from app.site_config import SiteConfig
from app.store import audit
from app.store.attachments import AttachmentStore
from app.store.db import open_store
from tests.conftest import RunCli

EXPECTED_KEYS = [
    "runtime",
    "site_config",
    "data_folder",
    "disk_space",
    "database.open",
    "database.integrity",
    "database.schema",
    "audit.chain",
    "attachments",
    "fts5",
    "fonts",
    "qt",
    "ocr",
    "scanner",
    "i18n.zh_CN",
    "migrations",
    "fonts.document",
]


def _probe() -> str:
    return "Qt 探测（测试替身）"


def _run(paths: DataPaths, **kw: object) -> SelftestReport:
    options: dict[str, object] = {"site_problem": None, "gui_probe": _probe}
    options.update(kw)
    return run_selftest(paths, SiteConfig(), **options)  # type: ignore[arg-type]


def _by_key(report: SelftestReport) -> dict[str, Check]:
    return {c.key: c for c in report.checks}


def _fill_audit(paths: DataPaths, n: int = 4) -> None:
    store = open_store(paths)
    try:
        for i in range(n):
            with store.session() as session:
                audit.record(session, "edit", entity="case", entity_id=str(i))
    finally:
        store.close()


def test_fresh_folder_passes_and_reports_every_check(data_paths: DataPaths) -> None:
    report = _run(data_paths)
    assert [c.key for c in report.checks] == EXPECTED_KEYS
    failed = [c for c in report.checks if c.required and not c.ok]
    assert report.ok, failed
    assert all(c.title and c.detail for c in report.checks)
    assert data_paths.database.is_file()  # it opened (created) the store
    assert not any(p.name.startswith(".selftest") for p in data_paths.root.iterdir())


def test_optional_checks_do_not_fail_the_report(data_paths: DataPaths) -> None:
    checks = _by_key(_run(data_paths))
    for key in ("disk_space", "fonts", "ocr", "scanner"):
        assert not checks[key].required


def test_site_problem_fails(data_paths: DataPaths) -> None:
    report = _run(data_paths, site_problem="站点配置文件 /etc/xianjie/site.toml 格式错误")
    check = _by_key(report)["site_config"]
    assert not report.ok and not check.ok and "site.toml" in check.detail


def test_site_config_in_use_is_described(data_paths: DataPaths, tmp_path: Path) -> None:
    site = SiteConfig(
        platform_url="https://lfxj.example.gov.cn", unit_name="徐州市生态环境局", source=tmp_path
    )
    report = run_selftest(data_paths, site, site_problem=None, gui_probe=_probe)
    detail = _by_key(report)["site_config"].detail
    assert "https://lfxj.example.gov.cn" in detail and "徐州市生态环境局" in detail


def test_missing_gui_probe_is_skipped_with_a_note(data_paths: DataPaths) -> None:
    report = _run(data_paths, gui_probe=None)
    check = _by_key(report)["qt"]
    assert report.ok and check.ok and not check.required and "未检查" in check.detail


def test_failing_gui_probe_fails(data_paths: DataPaths) -> None:
    def broken() -> str:
        raise ImportError("libEGL.so.1: cannot open shared object file")

    report = _run(data_paths, gui_probe=broken)
    check = _by_key(report)["qt"]
    assert not report.ok and not check.ok and "libEGL" in check.detail


def test_audit_chain_intact_is_reported(data_paths: DataPaths) -> None:
    _fill_audit(data_paths, 3)
    check = _by_key(_run(data_paths))["audit.chain"]
    assert check.ok and "3 条记录" in check.detail


def test_edited_audit_entry_fails(data_paths: DataPaths) -> None:
    _fill_audit(data_paths)
    with closing(sqlite3.connect(data_paths.database)) as conn:
        conn.execute("DROP TRIGGER audit_log_no_update")
        conn.execute("UPDATE audit_log SET action = 'forged' WHERE seq = 2")
        conn.commit()
    report = _run(data_paths)
    check = _by_key(report)["audit.chain"]
    assert not report.ok and not check.ok and "第 2 条" in check.detail


def test_dropped_trigger_alone_fails(data_paths: DataPaths) -> None:
    _fill_audit(data_paths)
    with closing(sqlite3.connect(data_paths.database)) as conn:
        conn.execute("DROP TRIGGER audit_log_no_delete")
        conn.commit()
    check = _by_key(_run(data_paths))["audit.chain"]
    assert not check.ok and "audit_log_no_delete" in check.detail


def test_corrupted_attachment_fails(data_paths: DataPaths) -> None:
    open_store(data_paths).close()
    blobs = AttachmentStore(data_paths.attachments)
    good = blobs.put_bytes(b"page one")
    bad = blobs.put_bytes(b"page two")
    bad.path.write_bytes(b"page 2")
    report = _run(data_paths)
    check = _by_key(report)["attachments"]
    assert not report.ok and not check.ok
    assert "1 个附件文件内容与其校验值不符" in check.detail and bad.sha256[:12] in check.detail
    assert good.sha256[:12] not in check.detail


def test_unopenable_database_is_reported_without_crashing(data_paths: DataPaths) -> None:
    data_paths.root.mkdir(parents=True)
    data_paths.database.write_bytes(b"definitely not sqlite" * 100)
    report = _run(data_paths)
    checks = _by_key(report)
    assert not report.ok
    assert [c.key for c in report.checks] == EXPECTED_KEYS
    assert "已损坏" in checks["database.open"].detail
    assert "未检查" in checks["database.integrity"].detail
    assert checks["fts5"].ok  # independent checks still run


def test_a_crashing_check_is_reported_not_raised(
    data_paths: DataPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    import app.services.selftest as selftest

    def boom() -> Check:
        raise RuntimeError("字体检查崩溃")

    monkeypatch.setattr(selftest, "_check_fonts", boom)
    report = _run(data_paths)
    check = _by_key(report)["fonts"]
    assert report.ok and not check.ok and "字体检查崩溃" in check.detail


# --------------------------------------------------------------------------- through the CLI


def test_cli_selftest_passes_headless_on_a_fresh_folder(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("--data-dir", tmp_path / "fresh", "selftest")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "自检通过" in result.stdout
    assert "[通过] 图形界面（Qt 离屏启动）" in result.stdout  # Qt really started offscreen


def test_cli_selftest_json(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("--data-dir", tmp_path / "fresh", "selftest", "--json")
    assert result.returncode == 0, result.stderr
    data = result.json()
    assert data["ok"] is True
    assert [c["key"] for c in data["checks"]] == EXPECTED_KEYS
    assert set(data["checks"][0]) == {"title", "ok", "detail", "required", "key"}


def test_cli_selftest_detects_tampering(run_cli: RunCli, tmp_path: Path) -> None:
    paths = DataPaths(tmp_path / "d")
    _fill_audit(paths, 5)
    with closing(sqlite3.connect(paths.database)) as conn:
        conn.execute("DROP TRIGGER audit_log_no_delete")
        conn.execute("DELETE FROM audit_log WHERE seq = 3")
        conn.commit()
    result = run_cli("--data-dir", paths.root, "selftest", "--json")
    assert result.returncode == 1
    audit_check = next(c for c in result.json()["checks"] if c["key"] == "audit.chain")
    assert audit_check["ok"] is False and "篡改" in audit_check["detail"]


def test_cli_selftest_reports_a_malformed_site_config(run_cli: RunCli, tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text("[platform]\nurl = 'not a url'\n", encoding="utf-8")
    result = run_cli("--data-dir", tmp_path / "d", "--site-config", site, "selftest")
    assert result.returncode == 1
    line = next(ln for ln in result.stdout.splitlines() if "站点配置" in ln)
    assert line.startswith("[失败]") and str(site) in line and "platform.url" in line
