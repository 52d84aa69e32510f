"""Kill the wizard mid-entry (SIGKILL) and reopen its draft: every field the person had
left is there; only the field being typed may be missing or partial."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from app.forms import SpecRegistry
from app.paths import DataPaths
from app.services import drafts
from app.store.db import open_store
from tests.case_seed import add_home_unit, add_inspector
from tests.conftest import REPO_ROOT

PLAN: list[tuple[str, str, Any]] = [
    ("case_number", "XTHL-2024-15", "XTHL-2024-15"),
    ("title", "Illegal dumping of waste acid", "Illegal dumping of waste acid"),
    ("opened_on", "2024/3/5", "2024-03-05"),
    ("offence_date", "20240301", "2024-03-01"),
    ("offence_place", "Tongshan brickworks", "Tongshan brickworks"),
    ("contact_phone", "0516-83456789", "0516-83456789"),
    ("contact_address", "No 8 Hanwang Road", "No 8 Hanwang Road"),
    ("hw_name", "waste acid", "waste acid"),
    ("hazardous_waste", "3.2", {"value": "3.2", "unit": "t"}),
    ("hw_source", "pickling line", "pickling line"),
    ("sampling_date", "2024-03-02", "2024-03-02"),
    ("other_pollutants", "COD 350 mg/L", "COD 350 mg/L"),
]

DRIVER = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from PySide6.QtCore import QTimer, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    from app.domain.identity import SignedInUser
    from app.paths import DataPaths
    from app.services.drafts import get_draft
    from app.store.db import open_store
    from app.ui.tasks import TaskRunner
    from app.ui.wizard.dialog import WizardDialog
    from app.ui.wizard.specs import builtin_registry

    data_dir, draft_id, user_json, plan_json = sys.argv[1:5]
    store = open_store(DataPaths(Path(data_dir)))
    with store.session() as s:
        draft = get_draft(s, draft_id)
    user = SignedInUser(**json.loads(user_json))
    dialog = WizardDialog(store, TaskRunner(), user, builtin_registry(), draft, autosave_ms=250)
    dialog.show()

    def drive():
        for key, text in json.loads(plan_json):
            dialog.focus_field(key)
            edit = dialog.editor(key).focus_widget()
            print("typing", key, flush=True)
            QTest.keyClicks(edit, text, Qt.KeyboardModifier.NoModifier, 20)
            writes = dialog.autosaver.writes
            QTest.keyClick(edit, Qt.Key.Key_Tab)
            while dialog.autosaver.busy or dialog.autosaver.writes == writes:
                QTest.qWait(5)
            print("committed", key, flush=True)
        print("done", flush=True)

    QTimer.singleShot(0, drive)
    app.exec()
    """
)


@pytest.mark.timeout(30)
def test_sigkill_mid_entry_keeps_every_committed_field(tmp_path: Path) -> None:
    paths = DataPaths(tmp_path / "data")
    store = open_store(paths)
    user = add_inspector(store, add_home_unit(store))
    registry = SpecRegistry.builtin()
    with store.session() as s:
        draft = drafts.start_draft(s, registry, user, "env_hazardous_waste")
    store.close()

    plan = json.dumps([(key, text) for key, text, _ in PLAN])
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(REPO_ROOT)}
    args = [str(paths.root), draft.id, json.dumps(user._asdict()), plan]
    proc = subprocess.Popen(
        [sys.executable, "-c", DRIVER, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=REPO_ROOT,
    )
    assert proc.stdout is not None
    committed: list[str] = []
    typing: list[str] = []
    try:
        for line in proc.stdout:
            word, _, key = line.strip().partition(" ")
            if word == "committed":
                committed.append(key)
            elif word == "typing":
                typing.append(key)
                if len(committed) >= 6:
                    time.sleep(0.12)  # part-way through this field's keystrokes
                    break
            elif word == "done":
                break
    finally:
        proc.send_signal(signal.SIGKILL)
        _, stderr = proc.communicate(timeout=10)
    assert proc.returncode == -signal.SIGKILL, stderr
    assert len(committed) >= 6
    in_progress = typing[-1]
    assert in_progress not in committed

    store = open_store(paths)
    try:
        with store.session() as s:
            reopened = drafts.get_draft(s, draft.id)
    finally:
        store.close()
    expected = {key: raw for key, _, raw in PLAN}
    typed = {key: text for key, text, _ in PLAN}
    for key in committed:
        assert reopened.values.get(key) == expected[key], key
    if in_progress in reopened.values:  # saved part-way by the periodic autosave
        assert typed[in_progress].startswith(str(reopened.values[in_progress]))
    untouched = set(expected) - set(committed) - {in_progress}
    assert not untouched & set(reopened.values)
    model = drafts.open_draft(registry, reopened)
    assert model.spec.version == draft.spec_version
