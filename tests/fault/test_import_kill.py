"""SIGKILL in the middle of ``xianjie import``: the database opens, passes integrity_check,
every case is whole (all its records from the export, and its search row) or absent, and
running the import again completes it."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from app.paths import DataPaths
from app.services.demo_data import generate
from app.store.db import open_store
from app.store.exchange import export_json

CASES = 8000  # 4 batches of 2,000 cases
CHILD_TABLES = ("parties", "documents", "events", "transfers", "referrals", "deadlines")
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def export_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("kill")
    store = open_store(DataPaths(folder / "source"))
    generate(store, cases=CASES, seed=21)
    data = export_json(store)
    store.close()
    path = folder / "export.json"
    path.write_bytes(data)
    return path


@pytest.fixture(scope="module")
def expected(export_file: Path) -> dict[str, Any]:
    doc = json.loads(export_file.read_bytes())
    per_case: dict[str, Counter[str]] = {}
    for table in CHILD_TABLES:
        for row in doc["tables"][table]:
            if row["case_id"] is not None:
                per_case.setdefault(row["case_id"], Counter())[table] += 1
    return {"per_case": per_case, "cases": {c["id"] for c in doc["tables"]["cases"]}}


def _import(data_dir: Path, export_file: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            str(REPO / "main.py"),
            "--data-dir",
            str(data_dir),
            "import",
            str(export_file),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=REPO,
    )


def _cases_in(db: Path) -> int:
    try:
        with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)) as conn:
            return int(conn.execute("SELECT count(*) FROM cases").fetchone()[0])
    except sqlite3.Error:
        return 0


def _check_whole(db: Path, expected: dict[str, Any]) -> int:
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        cases = {r[0] for r in conn.execute("SELECT id FROM cases")}
        assert cases <= expected["cases"]
        for table in CHILD_TABLES:
            got: Counter[str] = Counter(
                r[0] for r in conn.execute(f"SELECT case_id FROM {table} WHERE case_id IS NOT NULL")
            )
            assert set(got) <= cases, f"{table} rows without their case"
            for case_id in cases:
                want = expected["per_case"].get(case_id, Counter())[table]
                assert got[case_id] == want, f"case {case_id}: {table} {got[case_id]} != {want}"
        indexed = [r[0] for r in conn.execute("SELECT case_id FROM case_search")]
        assert sorted(indexed) == sorted(cases), "search rows differ from cases"
        return len(cases)


@pytest.mark.slow
def test_killed_import_leaves_whole_cases_and_can_be_rerun(
    tmp_path: Path, export_file: Path, expected: dict[str, Any]
) -> None:
    data_dir = tmp_path / "target"
    db = data_dir / "xianjie.db"
    started = time.monotonic()
    partial_seen = 0
    # kill at several moments: while parsing, right after the first batch, and later on
    for extra_delay in (0.0, 0.1, 0.8):
        proc = _import(data_dir, export_file)
        deadline = time.monotonic() + 40
        if extra_delay == 0.0:
            time.sleep(0.8)  # still validating the file: nothing written yet
        else:
            before = _cases_in(db)
            while _cases_in(db) <= before and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.02)
            time.sleep(extra_delay)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        assert db.exists() or extra_delay == 0.0
        if db.exists():
            n = _check_whole(db, expected)
            if 0 < n < CASES:
                partial_seen += 1
        assert time.monotonic() - started < 90
    assert partial_seen >= 1, "no kill landed between batches; the test proved nothing"
    # the store opens through the app, and a new import completes the job
    store = open_store(DataPaths(data_dir))
    store.close()
    done = _import(data_dir, export_file)
    _, err = done.communicate(timeout=120)
    assert done.returncode == 0, err.decode("utf-8", "replace")
    assert _check_whole(db, expected) == CASES
    store = open_store(DataPaths(data_dir))
    try:
        assert export_json(store) == export_file.read_bytes()
    finally:
        store.close()
