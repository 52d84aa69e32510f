"""The diagnostics collector's parts: the secret scrubber, the read-only database report,
the log tails and the zip writer (real files, real SQLite)."""

import importlib.metadata
import json
import sqlite3
import sys
import zipfile
from contextlib import closing
from pathlib import Path

import pytest

from app.errors import StorageError
from app.paths import DataPaths
from app.services import diagnostics
from app.services.diagnostics import (
    REDACTED,
    Scrubber,
    collect_diagnostics,
    database_report,
    redact_tree,
    url_credentials,
)
from app.site_config import SiteConfig
from app.store.db import Store, head_revision, open_store
from app.store.models import Party, Unit
from tests.case_seed import add_case

ID_NUMBER = "320302199001011234"


# --------------------------------------------------------------------------- scrubber


def test_scrubber_removes_known_values_and_secret_patterns() -> None:
    scrub = Scrubber(["S3cretToken-42"])
    text = (
        "token S3cretToken-42 sent\n"
        "proxy http://bob:hunter2@proxy.example:3128 used\n"
        "password=opensesame; api_key: abcdef123\n"
        "Authorization: Bearer eyJhbGciOi.payload.sig\n"
    )
    cleaned = scrub(text)
    for secret in ("S3cretToken-42", "bob", "hunter2", "opensesame", "abcdef123", "eyJhbGciOi"):
        assert secret not in cleaned, secret
    assert "http://***@proxy.example:3128" in cleaned
    assert "sent" in cleaned and "used" in cleaned  # the rest of the text is kept


def test_scrubbed_json_stays_valid_json() -> None:
    scrub = Scrubber()
    raw = json.dumps({"token": "abc123xyz", "proxy": "http://u:p4ss@h:1", "url": "https://x"})
    data = json.loads(scrub(raw))
    assert data == {"token": REDACTED, "proxy": f"http://{REDACTED}@h:1", "url": "https://x"}


def test_short_values_are_not_treated_as_secrets() -> None:
    scrub = Scrubber(["", "ab", "  "])
    assert scrub("a b ab abc") == "a b ab abc"


def test_redact_tree_hides_secret_keys_at_any_depth() -> None:
    tree = {
        "platform": {"url": "https://x", "token": "t0ken", "proxy": "http://a:b@p:1"},
        "unit": {"code": "320300-HB", "secrets": {"private_key": "k", "list": ["x"]}},
    }
    redacted = redact_tree(tree, Scrubber())
    assert redacted["platform"] == {
        "url": "https://x",
        "token": REDACTED,
        "proxy": f"http://{REDACTED}@p:1",
    }
    assert redacted["unit"]["code"] == "320300-HB"
    assert redacted["unit"]["secrets"] == REDACTED  # a whole table under a secret key


def test_url_credentials_include_percent_decoded_forms() -> None:
    assert url_credentials("http://bob:p%40ss@proxy:1") == ["bob", "p%40ss", "p@ss"]
    assert url_credentials("https://example.gov.cn/api") == []


# --------------------------------------------------------------------------- database report


def test_database_report_counts_rows_without_personal_data(store: Store) -> None:
    add_case(
        store,
        "徐州某化工有限公司非法排放案",
        parties=[Party(kind="person", name="张三丰", id_number=ID_NUMBER)],
    )
    store.close()
    report = database_report(store.paths)
    assert report["ok"] is True
    assert report["integrity_check"] == ["ok"]
    assert report["schema_revision"] == head_revision() and report["schema_at_head"] is True
    assert report["row_counts"]["cases"] == 1 and report["row_counts"]["parties"] == 1
    text = json.dumps(report, ensure_ascii=False)
    for personal in ("徐州某化工", "张三丰", ID_NUMBER, "徐州市生态环境局"):
        assert personal not in text


def test_database_report_reads_without_writing(store: Store) -> None:
    add_case(store, "案件", parties=[Party(kind="person", name="李四", id_number=ID_NUMBER)])
    store.close()
    before = {p.name: p.read_bytes() for p in store.paths.root.iterdir() if p.is_file()}
    database_report(store.paths)
    after = {p.name: p.read_bytes() for p in store.paths.root.iterdir() if p.is_file()}
    assert after == before


def test_database_report_on_a_damaged_database(data_paths: DataPaths) -> None:
    store = open_store(data_paths)
    add_case(store, "案件", parties=[Party(kind="person", name="王五", id_number=ID_NUMBER)])
    with store.session() as session:
        for i in range(400):
            session.add(Unit(code=f"U{i:04d}", name="单位" * 30, kind="police"))
    store.close()
    db = data_paths.database
    data = bytearray(db.read_bytes())
    page = 4096
    offset = (len(data) // page - 2) * page + 200
    data[offset : offset + 1500] = b"\xff" * 1500  # fixed bytes: the same damage every run
    db.write_bytes(bytes(data))
    report = database_report(data_paths)
    assert report["ok"] is False
    assert report["integrity_check"] != ["ok"]
    assert "完整性检查未通过" in report["problem"]


def test_database_report_on_random_bytes_and_on_no_file(data_paths: DataPaths) -> None:
    missing = database_report(data_paths)
    assert missing["ok"] is False and missing["exists"] is False
    assert "不存在" in missing["problem"]
    data_paths.root.mkdir(parents=True)
    data_paths.database.write_bytes(b"not a database " * 600)
    junk = database_report(data_paths)
    assert junk["ok"] is False and "不是 SQLite" in junk["problem"]


def test_database_report_on_another_sqlite_database(data_paths: DataPaths) -> None:
    data_paths.root.mkdir(parents=True)
    with closing(sqlite3.connect(data_paths.database)) as conn:
        conn.execute("CREATE TABLE t (x)")
        conn.commit()
    report = database_report(data_paths)
    assert report["ok"] is False and "架构版本" in report["problem"]
    assert report["row_counts"] == {"t": 0}


# --------------------------------------------------------------------------- logs and zip


def _collect(paths: DataPaths, out: Path, site_path: Path | None = None) -> zipfile.ZipFile:
    result = collect_diagnostics(
        paths,
        site_path=site_path or paths.root.parent / "no-site.toml",
        site=SiteConfig(),
        site_problem=None,
        out=out,
    )
    assert result.path == out.absolute()
    return zipfile.ZipFile(result.path)


def test_rotated_logs_are_included_and_capped(data_paths: DataPaths, tmp_path: Path) -> None:
    logs = data_paths.logs
    logs.mkdir(parents=True)
    (logs / "xianjie.log").write_text("newest line\n", encoding="utf-8")
    (logs / "xianjie.log.1").write_text("older line\n", encoding="utf-8")
    big = "x" * 100 + "\n"
    (logs / "xianjie.log.2").write_text(
        "HEAD-MARK\n" + big * (diagnostics.LOG_FILE_CAP // len(big) + 50) + "TAIL-MARK\n",
        encoding="utf-8",
    )
    (logs / "other.txt").write_text("not a log", encoding="utf-8")
    for day in range(1, 13):
        (logs / f"crash-202405{day:02d}-120000.log").write_text(f"Traceback day {day}\n")
    with _collect(data_paths, tmp_path / "d.zip") as zf:
        names = zf.namelist()
        assert {"logs/xianjie.log", "logs/xianjie.log.1", "logs/xianjie.log.2"} <= set(names)
        assert "logs/other.txt" not in names
        crashes = sorted(n for n in names if n.startswith("logs/crash-"))
        assert len(crashes) == diagnostics.CRASH_LOGS_CAP  # the newest ten of twelve
        assert crashes[0] == "logs/crash-20240503-120000.log"
        assert "Traceback day 12" in zf.read("logs/crash-20240512-120000.log").decode()
        assert "newest line" in zf.read("logs/xianjie.log").decode()
        capped = zf.read("logs/xianjie.log.2").decode()
    assert "TAIL-MARK" in capped and "HEAD-MARK" not in capped
    assert capped.startswith("[只保留了最后")
    assert len(capped.encode()) < diagnostics.LOG_FILE_CAP + 200


def test_every_section_is_listed_in_the_summary(data_paths: DataPaths, tmp_path: Path) -> None:
    store = open_store(data_paths)
    store.close()
    with _collect(data_paths, tmp_path / "d.zip") as zf:
        summary = json.loads(zf.read("summary.json"))
        names = set(zf.namelist())
        versions = json.loads(zf.read("versions.json"))
        env = json.loads(zf.read("environment.json"))
    listed = {s["name"] for s in summary["sections"]}
    assert listed == {
        "versions",
        "site_config",
        "paths",
        "database",
        "selftest",
        "environment",
        "fonts",
        "logs",
    }
    for section in summary["sections"]:
        assert set(section["members"]) <= names, section
    assert versions["sqlite"] == sqlite3.sqlite_version and versions["frozen"] is False
    assert versions["pyside6"]  # read from package metadata, without starting Qt
    assert set(env["input_method"]) >= {"QT_IM_MODULE", "XMODIFIERS", "GTK_IM_MODULE"}


def test_a_failing_section_is_recorded_and_the_zip_still_written(
    data_paths: DataPaths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> str:
        raise RuntimeError("fc-list exploded")

    monkeypatch.setattr(diagnostics, "fonts_found", broken)
    with _collect(data_paths, tmp_path / "d.zip") as zf:
        summary = json.loads(zf.read("summary.json"))
        error_text = zf.read("errors/fonts.txt").decode()
    fonts = next(s for s in summary["sections"] if s["name"] == "fonts")
    assert fonts["ok"] is False and "fc-list exploded" in fonts["error"]
    assert "收集失败" in error_text and summary["complete"] is False


def test_zip_that_cannot_be_written_raises_a_chinese_error(
    data_paths: DataPaths, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(StorageError, match="无法写入诊断包"):
        _collect(data_paths, blocker / "d.zip")
    assert list(tmp_path.glob("**/*.partial")) == []


def test_out_may_be_a_folder(data_paths: DataPaths, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    result = collect_diagnostics(
        data_paths,
        site_path=tmp_path / "none.toml",
        site=SiteConfig(),
        site_problem=None,
        out=out,
    )
    assert result.path.parent == out and result.path.name.startswith("xianjie-diagnostics-")
    assert zipfile.is_zipfile(result.path)
    assert [p.name for p in out.iterdir()] == [result.path.name]


def test_qt_version_is_read_from_the_core_library_without_importing_qt() -> None:
    loaded_before = "PySide6.QtCore" in sys.modules
    found = diagnostics._qt_version_from_library()
    assert found == importlib.metadata.version("PySide6-Essentials")
    assert ("PySide6.QtCore" in sys.modules) == loaded_before  # nothing of Qt was imported


def test_pyside_version_is_read_without_importing_pyside() -> None:
    loaded_before = "PySide6" in sys.modules
    found = diagnostics._pyside_version_from_files()
    assert found == importlib.metadata.version("PySide6-Essentials")
    assert ("PySide6" in sys.modules) == loaded_before


def test_selftest_falls_back_to_this_process_when_the_child_fails(
    data_paths: DataPaths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    crash = [
        sys.executable,
        "-c",
        "import sys; print('Qt aborted', file=sys.stderr); sys.exit(134)",
    ]
    monkeypatch.setattr(diagnostics, "_program", lambda: crash)
    with _collect(data_paths, tmp_path / "d.zip") as zf:
        note = zf.read("selftest-process.txt").decode()
        report = json.loads(zf.read("selftest.json"))
        summary = json.loads(zf.read("summary.json"))
    assert "退出码 134" in note and "Qt aborted" in note
    selftest = next(x for x in summary["sections"] if x["name"] == "selftest")
    assert selftest["ok"] is False and "Qt aborted" in selftest["error"]
    checks = {c["key"]: c for c in report["checks"]}
    assert checks["database.integrity"]["ok"] is True  # the in-process run still checked
    assert checks["qt"]["detail"].startswith("未检查")  # ... without the Qt probe


def test_selftest_runs_as_a_child_with_the_qt_check(data_paths: DataPaths, tmp_path: Path) -> None:
    with _collect(data_paths, tmp_path / "d.zip") as zf:
        report = json.loads(zf.read("selftest.json"))
        note = zf.read("selftest-process.txt").decode()
    assert "退出码 0" in note
    qt = next(c for c in report["checks"] if c["key"] == "qt")
    assert qt["ok"] is True and not qt["detail"].startswith("未检查")
