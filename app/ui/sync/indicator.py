"""The global sync indicator: state, pending count and last success in the status bar, a
"Sync now" button, a timer that syncs every few minutes, and a notice when a receipt, a
decision or a reverse referral arrives. All I/O runs through the window's TaskRunner."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel, QToolButton

from app.errors import UserError
from app.ui.qtcompat import emit

if TYPE_CHECKING:  # the sync engine (and the ORM, requests) load in the background, on first use
    from app.sync.engine import SyncReport, SyncStatus
    from app.ui.main_window import MainWindow
    from app.ui.sync.conflicts import ConflictDialog

SYNC_INTERVAL_MS = 5 * 60 * 1000
FIRST_REFRESH_DELAY_MS = 1500


def status_text(status: SyncStatus, *, running: bool = False, problem: str = "") -> str:
    """One line for the status bar."""
    if status.server_url is None:
        return QCoreApplication.translate("SyncIndicator", "Platform: not connected")
    if running:
        state = QCoreApplication.translate("SyncIndicator", "syncing…")
    elif problem:
        state = QCoreApplication.translate("SyncIndicator", "offline")
    elif status.conflicts or status.errors:
        state = QCoreApplication.translate("SyncIndicator", "needs attention")
    elif status.pending:
        state = QCoreApplication.translate("SyncIndicator", "waiting to send")
    else:
        state = QCoreApplication.translate("SyncIndicator", "up to date")
    parts = [QCoreApplication.translate("SyncIndicator", "Sync: %1").replace("%1", state)]
    if status.pending:
        parts.append(
            QCoreApplication.translate("SyncIndicator", "%1 to send").replace(
                "%1", str(status.pending)
            )
        )
    if status.conflicts:
        parts.append(
            QCoreApplication.translate("SyncIndicator", "%1 conflicts").replace(
                "%1", str(status.conflicts)
            )
        )
    if status.errors - status.conflicts > 0:
        parts.append(
            QCoreApplication.translate("SyncIndicator", "%1 refused").replace(
                "%1", str(status.errors - status.conflicts)
            )
        )
    if status.last_success:
        stamp = status.last_success[:16].replace("T", " ")
        parts.append(
            QCoreApplication.translate("SyncIndicator", "last success %1 UTC").replace("%1", stamp)
        )
    return "，".join(parts)


class SyncIndicator(QObject):
    """Signals:
    synced(object): a run finished; carries its :class:`SyncReport`.
    refreshed(object): the status was read again; carries the :class:`SyncStatus`.
    """

    synced = Signal(object)
    refreshed = Signal(object)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.running = False
        self.problem = ""
        self.status: SyncStatus | None = None
        self.dialog: ConflictDialog | None = None
        self.label = QLabel(QCoreApplication.translate("SyncIndicator", "Platform: …"), window)
        self.label.setContentsMargins(6, 0, 6, 0)
        self.button = QToolButton(window)
        self.button.setText(QCoreApplication.translate("SyncIndicator", "Sync now"))
        self.button.setToolTip(
            QCoreApplication.translate(
                "SyncIndicator", "Send what is saved here and fetch the platform's changes"
            )
        )
        self.button.clicked.connect(self.sync_now)
        self.conflicts_button = QToolButton(window)
        self.conflicts_button.setText(QCoreApplication.translate("SyncIndicator", "Conflicts…"))
        self.conflicts_button.setToolTip(
            QCoreApplication.translate(
                "SyncIndicator", "Choose, field by field, which edits to keep"
            )
        )
        self.conflicts_button.clicked.connect(self.open_conflicts)
        self.conflicts_button.hide()
        window.statusBar().addPermanentWidget(self.label)
        window.statusBar().addPermanentWidget(self.conflicts_button)
        window.statusBar().addPermanentWidget(self.button)
        self.timer = QTimer(self)
        self.timer.setInterval(SYNC_INTERVAL_MS)
        self.timer.timeout.connect(self.sync_now)
        self.timer.start()

    def refresh(self) -> None:
        """Read the status in the background and show it (the engine loads there too)."""
        store = self.window.store

        def op() -> SyncStatus:
            from app.sync.engine import status

            return status(store)

        self.window.runner.run(op, self._show)

    def _show(self, current: SyncStatus) -> None:
        self.status = current
        self.label.setText(status_text(current, running=self.running, problem=self.problem))
        self.button.setEnabled(not self.running)
        self.conflicts_button.setVisible(current.conflicts > 0)
        self.label.setToolTip(self.problem)
        emit(self.refreshed, current)

    def open_conflicts(self) -> None:
        """Read the open conflicts in the background, then show the dialog (non-modal)."""
        store = self.window.store

        def op() -> list[dict[str, Any]]:
            from app.sync.engine import conflicts

            return conflicts(store)

        self.window.runner.run(op, self._show_conflicts)

    def _show_conflicts(self, found: list[dict[str, Any]]) -> None:
        from app.ui.sync.conflicts import ConflictDialog

        dialog = ConflictDialog(self.window.store, self.window.runner, found, self.window)
        dialog.resolved.connect(lambda _count: self.refresh())
        dialog.show()
        self.dialog = dialog

    def sync_now(self) -> None:
        """One push-then-pull in the background (ignored while one runs; without a platform the
        reason shows as the indicator's tooltip)."""
        if self.running:
            return
        store, site = self.window.store, self.window.site

        def op() -> SyncReport:
            from app.sync.engine import SyncEngine
            from app.sync.setup import connected_client

            client = connected_client(store, site)
            try:
                return SyncEngine(store, client).run()
            finally:
                client.close()

        self.running = True
        self.button.setEnabled(False)
        if self.status is not None:
            self.label.setText(status_text(self.status, running=True))
        self.window.runner.run(op, self._done, self._failed)

    def _done(self, report: SyncReport) -> None:
        self.running, self.problem = False, ""
        for notice in report.notices:
            self.window.notices.show_notice(notice, "info")
        emit(self.synced, report)
        self.refresh()

    def _failed(self, exc: BaseException) -> None:
        self.running = False
        if not isinstance(exc, UserError):
            self.window.runner.report_failure(exc)
            return
        self.problem = exc.message
        self.refresh()


def install_sync_indicator(window: MainWindow) -> SyncIndicator:
    """Add the indicator; its first status read starts a little after the case list has
    shown its first page. Loading the sync engine (SQLAlchemy, requests) in a worker holds the
    GIL in 5 ms slices, and every cell the table paints is a Python call that waits for one:
    started at once, it would delay the window's first paint by half a second."""
    indicator = SyncIndicator(window)

    def first_refresh() -> None:
        window.ready.disconnect(first_refresh)
        QTimer.singleShot(FIRST_REFRESH_DELAY_MS, indicator.refresh)

    window.ready.connect(first_refresh)
    return indicator
