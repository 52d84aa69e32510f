"""Opening the scan dialog from a case: the button, the platform's scanner, the work folder."""

import sys
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QPushButton, QWidget

from app.documents.errors import ScanError
from app.documents.scanners import Scanner
from app.ids import new_id
from app.store.db import Store
from app.ui.scan.dialog import AttachTarget, ScanDialog
from app.ui.tasks import TaskRunner


def platform_scanner() -> Scanner:
    """WIA on Windows, SANE (in its worker process) elsewhere."""
    if sys.platform == "win32":
        from app.documents.scanners.wia import WiaScanner

        return WiaScanner()
    from app.documents.scanners.sane_backend import SaneScanner

    return SaneScanner()


def open_scan_dialog(
    parent: QWidget, store: Store, runner: TaskRunner, case_id: str, on_closed: Callable[[], None]
) -> ScanDialog | None:
    """Show the dialog for ``case_id``; pages are kept under ``<data>/scans/`` until attached.

    A case view keeps one dialog: opening it again brings back the same dialog with the pages
    not attached yet.
    """
    existing = parent.findChild(ScanDialog)
    if existing is not None:
        existing.show()
        existing.activateWindow()
        return existing
    try:
        scanner = platform_scanner()
    except ScanError as exc:
        runner.report_failure(exc)
        return None
    workdir = store.paths.root / "scans" / new_id()
    dialog = ScanDialog(
        scanner, runner, workdir, attach_target=AttachTarget(store, case_id), parent=parent
    )
    dialog.finished.connect(lambda _code: on_closed())
    dialog.show()
    dialog.refresh_devices()
    return dialog


def scan_button(
    parent: QWidget, store: Store, runner: TaskRunner, case_id: str, on_closed: Callable[[], None]
) -> QPushButton:
    """A "Scan or import documents…" button for a case view."""
    button = QPushButton(
        QCoreApplication.translate("ScanDialog", "Scan or import documents…"), parent
    )
    button.clicked.connect(lambda: open_scan_dialog(parent, store, runner, case_id, on_closed))
    return button
