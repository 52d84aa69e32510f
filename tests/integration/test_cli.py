"""The command-line contract (DESIGN.md): exit codes, ``--json``, where the data lives."""

import json
from pathlib import Path

import pytest

from app import __version__
from tests.conftest import RunCli


def test_version(run_cli: RunCli) -> None:
    result = run_cli("--version")
    assert result.returncode == 0 and __version__ in result.stdout


def test_help_lists_the_commands(run_cli: RunCli) -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    for command in ("selftest", "demo-data", "search", "export", "import", "backup", "restore"):
        assert command in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["no-such-command"], id="unknown-command"),
        pytest.param(["backup"], id="missing-required-option"),
        pytest.param(["demo-data", "--cases", "many"], id="bad-number"),
        pytest.param(["search"], id="missing-argument"),
        pytest.param(["--no-such-flag", "selftest"], id="unknown-flag"),
    ],
)
def test_usage_errors_exit_2(run_cli: RunCli, tmp_path: Path, args: list[str]) -> None:
    result = run_cli("--data-dir", tmp_path / "d", *args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "usage:" in result.stderr


def test_handled_failure_exits_1_with_one_chinese_line(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("--data-dir", tmp_path / "d", "restore", tmp_path / "absent.zip")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.error_lines == [f"错误：找不到备份文件 {tmp_path / 'absent.zip'}。未做任何改动。"]
    assert "Traceback" not in result.stderr


def test_negative_case_count_is_a_handled_failure(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("--data-dir", tmp_path / "d", "demo-data", "--cases", "-1")
    assert result.returncode == 1 and len(result.error_lines) == 1


def test_search_json_on_an_empty_store(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("--data-dir", tmp_path / "d", "search", "化工", "--json")
    assert result.returncode == 0, result.stderr
    assert result.json() == {"query": "化工", "count": 0, "cases": []}


def test_json_outputs_parse(run_cli: RunCli, tmp_path: Path) -> None:
    data = tmp_path / "d"
    made = run_cli("--data-dir", data, "demo-data", "--cases", "30", "--seed", "7", "--json")
    assert made.returncode == 0, made.stderr
    summary = made.json()
    assert summary["cases"] == 30 and summary["users_created"]
    found = run_cli("--data-dir", data, "search", "公司", "--json")
    assert found.returncode == 0, found.stderr
    body = found.json()
    assert body["count"] == len(body["cases"]) > 0
    for case in body["cases"]:  # objects with field names, not bare arrays
        assert "公司" in case["title"] + case["parties"]
        assert {"id", "case_number", "status", "opened_on"} <= set(case)
    backup = run_cli("--data-dir", data, "backup", "--out", tmp_path / "b.zip", "--json")
    assert backup.returncode == 0 and backup.json()["size"] > 0
    selftest = run_cli("--data-dir", data, "selftest", "--json")
    assert selftest.returncode == 0 and selftest.json()["ok"] is True
    plain = run_cli("--data-dir", data, "search", "公司")
    assert plain.returncode == 0
    with pytest.raises(json.JSONDecodeError):
        json.loads(plain.stdout)


def test_data_dir_option(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("--data-dir", tmp_path / "chosen", "search", "x")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "chosen" / "xianjie.db").is_file()
    assert (tmp_path / "chosen" / "logs" / "xianjie.log").is_file()


def test_data_dir_environment_variable(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("search", "x", env={"XIANJIE_DATA_DIR": str(tmp_path / "from-env")})
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "from-env" / "xianjie.db").is_file()


def test_option_wins_over_environment(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli(
        "--data-dir",
        tmp_path / "option",
        "search",
        "x",
        env={"XIANJIE_DATA_DIR": str(tmp_path / "env")},
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "option" / "xianjie.db").is_file()
    assert not (tmp_path / "env").exists()


def test_default_data_dir_is_the_per_user_folder(run_cli: RunCli, tmp_path: Path) -> None:
    home = tmp_path / "home"
    result = run_cli(
        "search", "x", env={"HOME": str(home), "XDG_DATA_HOME": str(home / ".local/share")}
    )
    assert result.returncode == 0, result.stderr
    assert (home / ".local/share/Xianjie/xianjie.db").is_file()


def test_malformed_site_config_warns_and_continues(run_cli: RunCli, tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text("[platform\n", encoding="utf-8")
    result = run_cli("--data-dir", tmp_path / "d", "--site-config", site, "search", "x", "--json")
    assert result.returncode == 0
    assert result.json()["count"] == 0
    assert len(result.error_lines) == 1
    assert result.error_lines[0].startswith("警告：") and str(site) in result.error_lines[0]
    assert "已按默认设置继续" in result.error_lines[0]


def test_site_config_from_environment(run_cli: RunCli, tmp_path: Path) -> None:
    site = tmp_path / "env-site.toml"
    site.write_bytes("[unit]\nname = '徐州'\n".encode("gb18030"))
    result = run_cli(
        "--data-dir", tmp_path / "d", "search", "x", env={"XIANJIE_SITE_CONFIG": str(site)}
    )
    assert result.returncode == 0
    assert "UTF-8" in result.stderr and str(site) in result.stderr
