"""The start-up path stays cheap: a fresh process, as ``main.py`` starts the GUI, paints the
first page of cases without building PySide6's ``Qt`` namespace (about 30 ms of enums; see
``app.ui.case_table.DISPLAY_ROLE``), without PySide6 setting up every QWidget subclass (what
the first ``viewport()`` call costs, ~10 ms) and without discovering the CLI's plug-ins.
Nothing here is timed: the test checks what ran, not how long it took."""

import json
import subprocess
import sys

from app.store.db import Store
from tests.conftest import REPO_ROOT

from .conftest import Seeded

_CHILD = r"""
import json, sys
from main import load_gui, parse_args
args = parse_args(["--data-dir", sys.argv[1], "gui"])
run_gui = load_gui()
from PySide6 import QtCore, QtWidgets
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

seen = {"settled_first": False}
window_ref = []
painted = []

def table_painted():
    if not painted:
        painted.append(True)
        QTimer.singleShot(0, report)

def report():
    window = window_ref[0]
    seen["qt_namespace_built"] = "Qt" in QtCore.__dict__
    seen["widget_types_set_up"] = "QCalendarWidget" in QtWidgets.__dict__
    seen["plugins_loaded"] = any(m.startswith("app.commands.") for m in sys.modules)
    seen["first_cell"] = window.model.index(0, 0).data()
    seen["rows"] = window.model.rowCount()
    print("RESULT " + json.dumps(seen, ensure_ascii=False), flush=True)
    QApplication.instance().quit()

def on_window(window):
    window_ref.append(window)
    window.settled.connect(lambda: seen.update(settled_first="qt_namespace_built" not in seen))
    window.table.painted.connect(table_painted)
    window.table.update()

sys.exit(run_gui(args, signed_in_as=sys.argv[2], on_window=on_window))
"""


def test_first_paint_builds_no_qt_namespace_and_loads_no_plugins(
    store: Store, seeded: Seeded, cli_env: dict[str, str]
) -> None:
    env = {**cli_env, "XIANJIE_NO_CRASH_DIALOG": "1", "PYTHONPATH": str(REPO_ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", _CHILD, str(store.paths.root), seeded.admin.username],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO_ROOT,
        timeout=120,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, result.stderr
    seen = json.loads(lines[0][len("RESULT ") :])
    assert not seen["settled_first"], "the check must run before the deferred work"
    assert seen["rows"] == 3 and seen["first_cell"] not in (None, "…")
    assert not seen["qt_namespace_built"]
    assert not seen["widget_types_set_up"], "a QWidget* came back to Python (viewport()?)"
    assert not seen["plugins_loaded"]
