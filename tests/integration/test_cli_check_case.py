"""`xianjie check-case` through the real CLI: findings, threshold warning, bad files."""

import json
from pathlib import Path

from tests.conftest import RunCli

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "case-hazardous-waste.json"


def test_example_case_meets_hazardous_waste_threshold(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("--data-dir", tmp_path / "d", "check-case", EXAMPLE, "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] is False  # required fields are still missing
    assert report["thresholds"]["meets_threshold"] is True
    keys = {f["field"] for f in report["findings"] if f["severity"] == "error"}
    assert "hw_category" in keys


def test_text_report_is_chinese(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("--data-dir", tmp_path / "d", "check-case", EXAMPLE)
    assert result.returncode == 0, result.stderr
    assert "刑事立案追诉标准" in result.stdout
    assert "ENV-INT2023" in result.stdout


def test_bad_file_is_one_chinese_line(run_cli: RunCli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    result = run_cli("--data-dir", tmp_path / "d", "check-case", bad)
    assert result.returncode == 1
    assert len(result.error_lines) == 1 and result.error_lines[0].startswith("错误：")
    missing = run_cli("--data-dir", tmp_path / "d", "check-case", tmp_path / "none.json")
    assert missing.returncode == 1 and "无法读取案件文件" in missing.stderr
