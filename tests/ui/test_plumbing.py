"""The task helper, the crash handler, the probe, the emit work-around and translations."""

import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, QThread, Signal
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.errors import StorageError
from app.ui.application import I18N_DIR
from app.ui.crash import CrashHandler
from app.ui.probe import offscreen_probe
from app.ui.qtcompat import emit
from app.ui.tasks import TaskRunner


class _Emitter(QObject):
    ping = Signal(int)


def test_emit_keeps_reference_counts_balanced(qapp: QApplication) -> None:
    source = _Emitter()
    seen: list[int] = []
    source.ping.connect(seen.append)
    before = sys.getrefcount(True)
    for n in range(20_000):  # PySide6 6.12.0 alone would abort the process here
        emit(source.ping, n)
    assert len(seen) == 20_000
    assert abs(sys.getrefcount(True) - before) <= 2


def test_runner_delivers_results_on_the_gui_thread(qtbot: QtBot) -> None:
    runner = TaskRunner()
    gui = threading.get_ident()
    where: dict[str, int] = {}
    results: list[int] = []

    def op() -> int:
        where["op"] = threading.get_ident()
        return 42

    def done(value: int) -> None:
        where["done"] = threading.get_ident()
        assert QThread.currentThread() is QApplication.instance().thread()  # type: ignore[union-attr]
        results.append(value)

    with qtbot.waitSignal(runner.busy_changed, timeout=5000, check_params_cb=lambda b: not b):
        runner.run(op, done)
    assert results == [42]
    assert where["op"] != gui
    assert where["done"] == gui
    assert runner.pending == 0


class _Receiver(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.got: list[object] = []

    def take(self, value: object) -> None:
        self.got.append(value)
        self.objectName()  # raises RuntimeError if the C++ object is gone


def test_outcome_for_a_deleted_receiver_is_dropped(qtbot: QtBot) -> None:
    """A dialog closed while its task runs: the late result must not reach the dead object
    (it used to raise "Internal C++ object already deleted" in the event loop)."""
    import shiboken6

    runner = TaskRunner()
    release = threading.Event()
    alive, doomed = _Receiver(), _Receiver()

    def op() -> int:
        release.wait(5)
        return 7

    runner.run(op, alive.take)
    runner.run(op, doomed.take, doomed.take)
    shiboken6.delete(doomed)
    release.set()
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=5000)
    assert alive.got == [7]
    assert not shiboken6.isValid(doomed)


def test_runner_routes_user_errors_to_notices_and_bugs_to_the_crash_handler(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = TaskRunner()
    notices: list[str] = []
    crashes: list[BaseException] = []
    runner.set_notice_sink(notices.append)
    monkeypatch.setattr(sys, "excepthook", lambda _t, exc, _tb: crashes.append(exc))

    def expected() -> None:
        raise StorageError("磁盘空间已满")

    def bug() -> None:
        raise ZeroDivisionError("bug")

    runner.run(expected)
    runner.run(bug)
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=5000)
    assert notices == ["磁盘空间已满"]
    assert [type(e) for e in crashes] == [ZeroDivisionError]


def test_progress_reports_arrive_on_the_gui_thread(qtbot: QtBot) -> None:
    runner = TaskRunner()
    seen: list[tuple[int, int, bool]] = []
    gui = threading.get_ident()
    report = runner.progress_reporter(
        lambda d, t: seen.append((d, t, threading.get_ident() == gui))
    )

    def op() -> None:
        for n in range(1, 4):
            report(n, 3)

    runner.run(op)
    qtbot.waitUntil(lambda: runner.pending == 0 and len(seen) == 3, timeout=5000)
    assert seen == [(1, 3, True), (2, 3, True), (3, 3, True)]


def test_crash_handler_writes_a_log_without_a_dialog(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    handler = CrashHandler(tmp_path / "logs")
    try:
        raise RuntimeError("意外")
    except RuntimeError as exc:
        handler(type(exc), exc, exc.__traceback__)
    assert handler.last_log is not None and handler.last_log.parent == tmp_path / "logs"
    text = handler.last_log.read_text(encoding="utf-8")
    assert "RuntimeError: 意外" in text
    assert "PySide6" in text and "Xianjie" in text
    assert "RuntimeError" in capsys.readouterr().err


def test_crash_handler_survives_an_unwritable_log_folder(tmp_path: Path) -> None:
    blocker = tmp_path / "logs"
    blocker.write_text("a file where the folder should be")
    handler = CrashHandler(blocker)
    handler(ValueError, ValueError("x"), None)
    assert handler.last_log is None


def test_offscreen_probe_finds_chinese_font(qapp: QApplication) -> None:
    description = offscreen_probe()
    assert "Qt 6" in description
    assert "Noto Sans CJK SC" in description


def test_compiled_translations_ship_inside_the_package() -> None:
    qm = I18N_DIR / "xianjie_zh_CN.qm"
    assert qm.is_file() and qm.stat().st_size > 1000
    assert I18N_DIR.parent.name == "ui" and I18N_DIR.parent.parent.name == "app"


def test_every_string_is_translated() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
    try:
        from build_translations import TS_DIR, untranslated
    finally:
        sys.path.pop(0)
    assert untranslated(TS_DIR / "xianjie_zh_CN.ts") == []


def test_quick_feature_check_answers_as_pyside_does() -> None:
    import inspect

    import app.ui.case_table
    import app.ui.qtcompat as qtcompat

    assert qtcompat.QUICK_FEATURE_CHECK, "PySide6 changed its __feature__ hook: re-measure"
    check = sys.modules["__feature__"]._mod_uses_pyside
    for module in (app.ui.case_table, qtcompat, inspect, threading, sys):
        try:
            expected = "PySide6" in inspect.getsource(module)
        except (TypeError, OSError):
            expected = False
        assert check(module) == expected, module
