"""The scan dialog with the real SANE test backend: thumbnails as pages arrive, errors as a
notice with the pages kept, the page editor, and a GUI event loop that never stalls."""

import itertools
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.documents.scanners.sane_backend import SaneScanner
from app.ui.scan.dialog import ScanDialog
from app.ui.scan.session import ScanOutcome
from app.ui.tasks import TaskRunner
from tests.documents_helpers import needs_sane, sane_env

pytestmark = needs_sane

SLOW: dict[str, str | int | float | bool] = {
    "read_delay": True,
    "read_delay_duration": 20000,
    "read_limit": True,
    "read_limit_size": 32768,
}


def _dialog(qtbot: QtBot, tmp_path: Path, **options: str | int | float | bool) -> ScanDialog:
    scanner = SaneScanner(env=sane_env(tmp_path / "sane.d"))
    dialog = ScanDialog(
        scanner, TaskRunner(), tmp_path / "pages", device="test", extra_options=options
    )
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.source.setCurrentIndex(dialog.source.findData("adf"))
    dialog.dpi.setValue(75)
    return dialog


def _scan(qtbot: QtBot, dialog: ScanDialog) -> ScanOutcome:
    with qtbot.waitSignal(dialog.session.finished, timeout=60000) as blocker:
        dialog.scan_button.click()
    outcome = blocker.args[0]
    assert isinstance(outcome, ScanOutcome)
    return outcome


def test_event_loop_never_stalls_during_a_slow_scan(
    qtbot: QtBot, qapp: QApplication, tmp_path: Path
) -> None:
    dialog = _dialog(qtbot, tmp_path, **SLOW)
    beats: list[float] = []
    heartbeat = QTimer()
    heartbeat.setInterval(10)
    heartbeat.timeout.connect(lambda: beats.append(time.perf_counter()))
    arrivals: list[float] = []
    dialog.session.page_arrived.connect(lambda _p: arrivals.append(time.perf_counter()))
    heartbeat.start()
    outcome = _scan(qtbot, dialog)
    qtbot.wait(50)
    heartbeat.stop()
    assert outcome == ScanOutcome(10, None)
    assert dialog.page_list.count() == 10
    assert not dialog.page_list.item(0).icon().isNull()
    assert arrivals[0] < arrivals[-1] - 0.5  # thumbnails appeared while scanning went on
    gaps = [b - a for a, b in itertools.pairwise(beats)]
    assert len(beats) > 50
    assert max(gaps) < 0.100, f"the event loop stalled {max(gaps) * 1000:.0f} ms"


def test_jam_shows_a_notice_and_keeps_earlier_pages(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = _dialog(qtbot, tmp_path)
    assert _scan(qtbot, dialog).pages == 10
    dialog.extra_options["read_return_value"] = "SANE_STATUS_JAMMED"
    outcome = _scan(qtbot, dialog)
    assert outcome.pages == 0 and outcome.error is not None and "卡纸" in outcome.error
    assert dialog.notice.isVisible() and "卡纸" in dialog.notice.text()
    assert dialog.page_list.count() == 10
    assert all(p.path.is_file() for p in dialog.pages())
    assert dialog.scan_button.isEnabled()


def test_cover_open(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = _dialog(qtbot, tmp_path, read_return_value="SANE_STATUS_COVER_OPEN")
    assert _scan(qtbot, dialog).pages == 0
    assert "盖板" in dialog.notice.text()


def test_page_editor(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = _dialog(qtbot, tmp_path)
    _scan(qtbot, dialog)
    original = dialog.pages()
    dialog.page_list.item(0).setSelected(True)
    dialog.rotate_selected(90)
    assert dialog.pages()[0].rotation == 90
    assert "90" in dialog.page_list.item(0).text()
    dialog.page_list.clearSelection()
    dialog.page_list.item(9).setSelected(True)
    dialog.delete_selected()
    assert dialog.page_list.count() == 9
    dialog.interleave()  # 9 pages: refused with a notice, nothing changed
    assert "偶数页" in dialog.notice.text()
    assert [p.path for p in dialog.pages()] == [p.path for p in original[:9]]


@pytest.mark.parametrize("picture", ["Solid white"])
def test_blank_pages_are_selected_as_a_suggestion(
    qtbot: QtBot, tmp_path: Path, picture: str
) -> None:
    dialog = _dialog(qtbot, tmp_path, test_picture=picture)
    _scan(qtbot, dialog)
    with qtbot.waitSignal(dialog.notice.shown, timeout=20000):
        dialog.find_blank()
    assert len(dialog.page_list.selectedItems()) == 10
    assert dialog.page_list.count() == 10  # suggested, not removed


def test_attach_scanned_pages_to_a_case(qtbot: QtBot, tmp_path: Path) -> None:
    import pikepdf

    from app.paths import DataPaths
    from app.store.db import open_store
    from app.ui.scan.dialog import AttachTarget
    from tests.documents_helpers import make_case

    store = open_store(DataPaths(tmp_path / "data"))
    try:
        case_id = make_case(store)
        scanner = SaneScanner(env=sane_env(tmp_path / "sane.d"))
        dialog = ScanDialog(
            scanner,
            TaskRunner(),
            tmp_path / "pages",
            device="test",
            attach_target=AttachTarget(store, case_id),
        )
        qtbot.addWidget(dialog)
        dialog.dpi.setValue(75)
        dialog.ocr.setChecked(False)
        for _ in range(3):
            _scan(qtbot, dialog)  # three flatbed pages
        # split: page 1 is the transfer letter, pages 2-3 the investigation report
        dialog.page_list.item(0).setSelected(True)
        dialog.doc_type.setCurrentIndex(dialog.doc_type.findData("transfer_letter"))
        with qtbot.waitSignal(dialog.notice.shown, timeout=20000) as shown:
            dialog.attach_button.click()
        assert "1 页" in shown.args[0]
        assert dialog.page_list.count() == 2  # attached pages leave the list
        dialog.page_list.clearSelection()
        dialog.page_list.item(1).setSelected(True)
        dialog.rotate_selected(90)
        dialog.page_list.clearSelection()
        dialog.doc_type.setCurrentIndex(dialog.doc_type.findData("investigation_report"))
        with qtbot.waitSignal(dialog.notice.shown, timeout=20000) as shown:
            dialog.attach_button.click()
        assert "2 页" in shown.args[0]
        assert dialog.page_list.count() == 0
        with store.reading() as conn:
            rows = conn.execute(
                "SELECT d.doc_type, d.page_count, a.sha256 FROM documents d "
                "JOIN attachments a ON a.document_id = d.id ORDER BY d.created_at"
            ).fetchall()
        assert [tuple(r[:2]) for r in rows] == [("transfer_letter", 1), ("investigation_report", 2)]
        sha = rows[1][2]
        with pikepdf.open(store.paths.attachments / sha[:2] / sha) as pdf:
            assert [int(p.obj.get("/Rotate", 0)) for p in pdf.pages] == [0, 90]
    finally:
        store.close()


def test_import_files_and_drop_from_the_file_manager(qtbot: QtBot, tmp_path: Path) -> None:
    import subprocess

    from PIL import Image
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDropEvent

    scanner = SaneScanner(env=sane_env(tmp_path / "sane.d"))
    dialog = ScanDialog(scanner, TaskRunner(), tmp_path / "pages", device="test")
    qtbot.addWidget(dialog)
    dialog.show()
    letter = tmp_path / "letter.pdf"
    subprocess.run(
        ["gs", "-q", "-dNOPAUSE", "-dBATCH", "-sDEVICE=pdfwrite", f"-sOutputFile={letter}",
         "-c", "showpage showpage showpage"],
        check=True,
    )  # fmt: skip
    photo = tmp_path / "photo.png.pdf"  # mislabelled: a PNG
    Image.new("RGB", (300, 200), "red").save(photo, format="PNG")
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 50)
    with qtbot.waitSignal(dialog.imported, timeout=20000) as got:
        dialog.import_files([letter, photo, broken])
    assert got.args == [2]
    assert [p.path for p in dialog.pages()] == [letter, photo]
    assert dialog.page_list.item(0).text() == "1 （共 3 页）"
    assert "broken.jpg" in dialog.notice.text()

    dropped = tmp_path / "dropped.jpg"
    Image.new("L", (200, 300), 200).save(dropped, format="JPEG")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(dropped))])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    with qtbot.waitSignal(dialog.imported, timeout=20000):
        dialog.page_list.dropEvent(event)
    assert dialog.pages()[-1].path == dropped


def test_case_view_opens_the_dialog_and_shows_the_attached_document(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QPushButton

    from app.paths import DataPaths
    from app.store.db import open_store
    from app.ui.case_view import CaseView
    from tests.documents_helpers import make_case

    env = sane_env(tmp_path / "sane.d")
    monkeypatch.setenv("SANE_CONFIG_DIR", env["SANE_CONFIG_DIR"])
    store = open_store(DataPaths(tmp_path / "data"))
    try:
        case_id = make_case(store)
        runner = TaskRunner()
        view = CaseView(store, runner, case_id)
        qtbot.addWidget(view)
        view.show()
        (button,) = [b for b in view.findChildren(QPushButton) if b.text() == "扫描或导入文书…"]
        button.click()
        (dialog,) = view.findChildren(ScanDialog)
        qtbot.waitUntil(lambda: dialog.device.count() >= 1, timeout=20000)
        assert dialog.device.itemData(0) == "test:0"
        assert dialog.workdir.parent == store.paths.root / "scans"
        dialog.dpi.setValue(75)
        _scan(qtbot, dialog)
        with qtbot.waitSignal(dialog.notice.shown, timeout=20000):
            dialog.attach_button.click()
        with qtbot.waitSignal(view.loaded, timeout=20000):
            dialog.close()
        assert view.documents.rowCount() == 1
        button.click()  # opening again brings back the same dialog
        assert view.findChildren(ScanDialog) == [dialog] and dialog.isVisible()
        dialog.close()
        runner.wait_idle()
    finally:
        store.close()


def test_encrypted_pdf_asks_for_its_password(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import subprocess

    from PySide6.QtWidgets import QInputDialog

    letter = tmp_path / "letter.pdf"
    subprocess.run(
        ["gs", "-q", "-dNOPAUSE", "-dBATCH", "-sDEVICE=pdfwrite", f"-sOutputFile={letter}",
         "-c", "showpage showpage"],
        check=True,
    )  # fmt: skip
    locked = tmp_path / "locked.pdf"
    subprocess.run(["qpdf", "--encrypt", "pw", "pw", "256", "--", letter, locked], check=True)
    answers = iter([("wrong", True), ("pw", True)])
    asked: list[str] = []

    def fake_get_text(*args: object, **kwargs: object) -> tuple[str, bool]:
        asked.append(str(args[2]))
        return next(answers)

    monkeypatch.setattr(QInputDialog, "getText", staticmethod(fake_get_text))
    scanner = SaneScanner(env=sane_env(tmp_path / "sane.d"))
    dialog = ScanDialog(scanner, TaskRunner(), tmp_path / "pages", device="test")
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.imported, timeout=20000) as first:
        dialog.import_files([locked])
    assert first.args == [0]  # asked for the password, nothing imported yet
    qtbot.waitUntil(lambda: dialog.page_list.count() == 1, timeout=20000)
    assert len(asked) == 2 and "locked.pdf" in asked[0]  # a wrong password asks again
    assert "密码不正确" in dialog.notice.text()
    assert dialog.pages()[0].password == "pw"
    assert dialog.page_list.item(0).text() == "1 （共 2 页）"


def test_attach_with_ocr_offers_suggestions(qtbot: QtBot, tmp_path: Path) -> None:
    from app.paths import DataPaths
    from app.store.db import open_store
    from app.ui.scan.dialog import AttachTarget
    from tests.documents_helpers import make_case
    from tests.integration.test_ocr import USCC, render_page
    from tests.integration.test_ocr import pytestmark as needs_ocr

    if any(m.name == "skipif" and m.args[0] for m in [needs_ocr]):
        pytest.skip("tesseract chi_sim or Noto CJK missing")
    store = open_store(DataPaths(tmp_path / "data"))
    try:
        case_id = make_case(store)
        scanner = SaneScanner(env=sane_env(tmp_path / "sane.d"))
        dialog = ScanDialog(
            scanner, TaskRunner(), tmp_path / "p", attach_target=AttachTarget(store, case_id)
        )
        qtbot.addWidget(dialog)
        with qtbot.waitSignal(dialog.imported, timeout=20000):
            dialog.import_files([render_page(tmp_path / "letter.png")])
        assert dialog.ocr.isChecked()
        with qtbot.waitSignal(dialog.notice.shown, timeout=60000) as shown:
            dialog.attach_button.click()
        assert f"统一社会信用代码：{USCC}" in shown.args[0]
        with store.reading() as conn:
            (text,) = conn.execute("SELECT text FROM documents").fetchone()
        assert "恒达化工" in text  # indexed for search, never put into case fields
    finally:
        store.close()


def test_closing_during_a_scan_stops_it_and_keeps_the_pages(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = _dialog(qtbot, tmp_path, **SLOW)
    with qtbot.waitSignal(dialog.session.finished, timeout=60000) as blocker:
        dialog.scan_button.click()
        qtbot.waitUntil(lambda: dialog.page_list.count() >= 1, timeout=20000)
        dialog.close()
    assert blocker.args[0].error is None  # a stop, not a failure
    assert 1 <= dialog.page_list.count() < 10
    assert all(p.path.is_file() for p in dialog.pages())


def test_watched_folder_imports_files_once_complete(qtbot: QtBot, tmp_path: Path) -> None:
    from PIL import Image

    dialog = _dialog(qtbot, tmp_path)
    share = tmp_path / "share"
    share.mkdir()
    dialog.start_watch(share, interval_ms=50, stable=1.0)
    scan = share / "scan0001.jpg"
    Image.new("L", (200, 300), 128).save(tmp_path / "whole.jpg", format="JPEG")
    data = (tmp_path / "whole.jpg").read_bytes()
    scan.write_bytes(data[:200])  # the network scanner is still writing
    qtbot.wait(150)
    scan.write_bytes(data)
    with qtbot.waitSignal(dialog.imported, timeout=10000) as got:
        pass
    assert got.args == [1]
    assert [p.path for p in dialog.pages()] == [scan]
    qtbot.wait(400)
    assert dialog.page_list.count() == 1  # handed over once
    dialog.stop_watch()
    assert dialog.watch is None


def test_killed_worker_is_a_notice_and_the_dialog_lives_on(qtbot: QtBot, tmp_path: Path) -> None:
    import os
    import signal

    dialog = _dialog(qtbot, tmp_path, **SLOW)
    scanner = dialog.session.scanner
    assert isinstance(scanner, SaneScanner)
    with qtbot.waitSignal(dialog.session.finished, timeout=60000) as blocker:
        dialog.scan_button.click()
        qtbot.waitUntil(lambda: dialog.page_list.count() >= 1, timeout=20000)
        pid = scanner.worker_pid
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
    outcome = blocker.args[0]
    assert outcome.error is not None and "扫描进程意外退出" in outcome.error
    assert "扫描进程意外退出" in dialog.notice.text()
    kept = dialog.page_list.count()
    assert kept >= 1 and all(p.path.is_file() for p in dialog.pages())
    dialog.extra_options.clear()
    assert _scan(qtbot, dialog) == ScanOutcome(10, None)  # the next scan works
    assert dialog.page_list.count() == kept + 10


def test_document_type_picks_its_scan_profile(qtbot: QtBot, tmp_path: Path) -> None:
    from app.paths import DataPaths
    from app.store.db import open_store
    from app.ui.scan.dialog import AttachTarget

    store = open_store(DataPaths(tmp_path / "data"))
    try:
        scanner = SaneScanner(env=sane_env(tmp_path / "sane.d"))
        dialog = ScanDialog(
            scanner, TaskRunner(), tmp_path / "p", attach_target=AttachTarget(store, "c")
        )
        qtbot.addWidget(dialog)
        dialog.doc_type.setCurrentIndex(dialog.doc_type.findData("test_report"))
        assert (dialog.mode.currentData(), dialog.dpi.value()) == ("color", 300)
        assert dialog.request().jpeg_quality == 90
        dialog.doc_type.setCurrentIndex(dialog.doc_type.findData("materials_list"))
        assert dialog.mode.currentData() == "lineart"
        dialog.dpi.setValue(150)  # the clerk may still change it
        assert dialog.request().dpi == 150
    finally:
        store.close()
