"""Opening the dashboard from the main window: a "Dashboard" tool-bar action and Ctrl+D.

The dashboard opens as a tab beside the case list (one at most; the action brings it to the
front). Double-clicking a deadline opens its case through the window's own ``open_case``.
"""

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QAction, QKeySequence

if TYPE_CHECKING:  # the view and the dashboard services load on first use
    from app.ui.dashboard.view import DashboardView
    from app.ui.main_window import MainWindow


class DashboardLauncher:
    """The main window's dashboard action and the dashboard tab it opened."""

    def __init__(self, window: "MainWindow") -> None:
        self.window = window
        self.view: DashboardView | None = None
        self.action = QAction(QCoreApplication.translate("DashboardLauncher", "Dashboard"), window)
        # setShortcuts, not setShortcut: resolving setShortcut's overloads builds PySide6's
        # whole ``Qt`` namespace (~30 ms) while the main window is being set up
        self.action.setShortcuts([QKeySequence("Ctrl+D")])
        self.action.setToolTip(
            QCoreApplication.translate(
                "DashboardLauncher",
                "Deadlines due and overdue, and the unit's figures for a period (Ctrl+D)",
            )
        )
        self.action.triggered.connect(self.open)
        bar = window.take_toolbar(
            "dashboardToolBar", QCoreApplication.translate("DashboardLauncher", "Supervision")
        )
        bar.addAction(self.action)

    def open(self) -> "DashboardView":
        """Show the dashboard tab, creating and loading it the first time."""
        from app.ui.dashboard.view import DashboardView

        tabs = self.window.tabs
        if self.view is not None and tabs.indexOf(self.view) >= 0:
            tabs.setCurrentWidget(self.view)
            return self.view
        view = DashboardView(
            self.window.store, self.window.runner, tabs, unit_id=self.window.user.unit_id
        )
        view.open_case_requested.connect(self.window.open_case)
        view.destroyed.connect(self._forget)
        self.view = view
        title = QCoreApplication.translate("DashboardLauncher", "Dashboard")
        tabs.setCurrentIndex(tabs.addTab(view, title))
        view.load()
        return view

    def _forget(self) -> None:
        self.view = None  # the tab was closed and its widget deleted


def install_dashboard_action(window: "MainWindow") -> DashboardLauncher:
    return DashboardLauncher(window)
