"""The main window: a thin shell around the case list, the open cases and the status bar.

It composes a search box (full-text, debounced), the domain/status/overdue filters, the lazy
case table (:mod:`app.ui.case_table`) and one tab per opened case (:mod:`app.ui.case_view`).
All queries run through the task helper; the window itself only arranges widgets.

Keyboard: Ctrl+F focuses the search box, Enter (or a double-click) opens the selected case,
Ctrl+W closes the current case tab, Esc in the search box clears it. The shortcuts, the
search box's hint and its clear button are added once the window has settled (see
``settled``): the first paint is the case list's.
"""

from typing import TYPE_CHECKING

from PySide6 import QtCore
from PySide6.QtCore import QModelIndex, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QTableView,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app.domain.identity import SignedInUser
from app.domain.labels import DOMAIN_LABELS, STATUS_LABELS
from app.site_config import SiteConfig
from app.store.case_list import CaseFilter
from app.store.db import Store
from app.ui.case_table import CaseTableModel, FirstPage, header_labels
from app.ui.qtcompat import emit
from app.ui.tasks import TaskRunner

if TYPE_CHECKING:  # a case view loads when the first case is opened, not at start-up
    from app.ui.case_view import CaseView
    from app.ui.dashboard.launcher import DashboardLauncher
    from app.ui.notices import NoticeBar
    from app.ui.wizard.launcher import EntryLauncher

SEARCH_DEBOUNCE_MS = 250
SETTLE_FALLBACK_MS = 1000
"""Start-up counts as over this long after the first page arrived even if it never painted
(a window started minimised)."""
_COLUMN_WIDTHS = (190, 300, 200, 80, 110, 90, 170, 80)
TOOLBARS = ("dashboardToolBar", "entryToolBar")
"""The tool bars the launchers fill once the window has settled, in their order."""


class CaseTableView(QTableView):
    """The case list; Enter opens the current case.

    Signals:
        open_requested(QModelIndex): Enter or Return pressed on a row.
        painted(): the rows were just painted (after every paint of the table).
    """

    open_requested = Signal(QModelIndex)
    painted = Signal()

    def paintEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        # A signal, not an event filter on viewport(): the first Python call of viewport()
        # makes PySide6 look through, and set up, every QWidget subclass (~10 ms).
        super().paintEvent(event)
        emit(self.painted)

    def keyPressEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        keys = (QtCore.Qt.Key.Key_Return, QtCore.Qt.Key.Key_Enter)
        if event.key() in keys and self.currentIndex().isValid():
            emit(self.open_requested, self.currentIndex())
            return
        super().keyPressEvent(event)


class CaseTabs(QTabWidget):
    """The case list's tab and one tab per opened case or dashboard; every tab but the case
    list's can be closed. The close buttons come with the second tab: asking for the tab bar
    to take the list tab's button away would set up PySide6's ``QTabBar`` type (~2 ms) before
    the window's first paint, when there is nothing to close."""

    def tabInserted(self, index: int) -> None:
        super().tabInserted(index)
        if index > 0 and not self.tabsClosable():
            self.setTabsClosable(True)
            bar = self.tabBar()
            bar.setTabButton(0, bar.ButtonPosition.RightSide, None)


class MainWindow(QMainWindow):
    """The signed-in user's window.

    Signals:
        ready(): the first rows of the case list are shown (the window is usable).
        settled(): the first rows have been painted; start-up is over, so work that is not
            needed for the first paint (the log file, the full id list) starts now.
        case_opened(str): a case tab was opened or brought to the front.
    """

    ready = Signal()
    settled = Signal()
    case_opened = Signal(str)

    def __init__(
        self,
        store: Store,
        user: SignedInUser,
        site: SiteConfig,
        runner: TaskRunner,
        parent: QWidget | None = None,
        *,
        first_page: FirstPage | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.user = user
        self.site = site
        self.runner = runner
        self._first_page = first_page
        self._ready = False
        self._announce_later = False
        self._settled = False
        self.setWindowTitle(self.tr("Xianjie: %1").replace("%1", user.unit_name))
        self.resize(1280, 800)

        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(8, 8, 8, 4)
        self._central_layout = layout
        self._notices: NoticeBar | None = None  # made by the first notice: see ``notices``
        runner.set_notice_sink(self._show_notice)

        self.tabs = CaseTabs(central)
        self.tabs.setDocumentMode(True)
        self.tabs.tabCloseRequested.connect(self._close_tab)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)

        self.tabs.addTab(self._build_list_page(), self.tr("Cases"))
        self._build_status_bar()
        self._toolbars = self._reserve_toolbars()
        self.dashboard_launcher: DashboardLauncher | None = None  # "Dashboard" (Ctrl+D)
        self.entry: EntryLauncher | None = None  # "New case" (Ctrl+N), "Drafts", "Edit case"
        from app.ui.sync.indicator import install_sync_indicator

        self.sync_indicator = install_sync_indicator(self)  # status bar: state, "Sync now"

        self.model.head_loaded.connect(self._on_head_loaded)
        self.model.ids_loaded.connect(self._on_ids_loaded)
        self.model.loading_changed.connect(self._on_loading)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DEBOUNCE_MS)
        self._search_timer.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(self._search_timer.start)

    # -- construction ------------------------------------------------------------------

    def _build_list_page(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 6, 0, 0)
        bar = QHBoxLayout()
        self.search = QLineEdit(page)  # its hint and clear button: _finish_search_box
        bar.addWidget(self.search, 3)

        self.domain = QComboBox(page)
        self.domain.addItem(self.tr("All domains"), "")
        for code, name in DOMAIN_LABELS.items():
            self.domain.addItem(name, code)
        self.domain.setToolTip(self.tr("Domain"))
        bar.addWidget(self.domain)

        self.status = QComboBox(page)
        self.status.addItem(self.tr("All statuses"), "")
        for code, name in STATUS_LABELS.items():
            self.status.addItem(name, code)
        self.status.setToolTip(self.tr("Status"))
        bar.addWidget(self.status)

        self.overdue = QCheckBox(self.tr("Overdue only"), page)
        bar.addWidget(self.overdue)
        layout.addLayout(bar)

        self.domain.currentIndexChanged.connect(self.apply_filter)
        self.status.currentIndexChanged.connect(self.apply_filter)
        self.overdue.toggled.connect(self.apply_filter)

        self.model = CaseTableModel(self.store, self.runner, self)
        self.table = CaseTableView(page)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setModel(header_labels(self))  # titles answered in C++: see header_labels
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        for column, width in enumerate(_COLUMN_WIDTHS):
            header.resizeSection(column, width)
        self.table.doubleClicked.connect(self.open_index)
        self.table.open_requested.connect(self.open_index)
        layout.addWidget(self.table, 1)
        return page

    def _reserve_toolbars(self) -> dict[str, QToolBar]:
        """The launchers' tool bars, empty until the window has settled but already as tall
        as they will be, so the first paint has the final layout and nothing moves when
        their buttons arrive (``_install_launchers``). The height is that of the bar with
        one text button: every button on them is text of the same font."""
        bars: dict[str, QToolBar] = {}
        for name in TOOLBARS:
            bar = self.addToolBar("")  # titled by its launcher
            bar.setObjectName(name)
            bars[name] = bar
        bars["entryToolBar"].setMovable(False)
        probe_bar = bars[TOOLBARS[0]]
        probe = probe_bar.addAction(self.tr("Cases"))
        height = probe_bar.sizeHint().height()
        probe_bar.removeAction(probe)
        probe.deleteLater()
        for bar in bars.values():
            bar.setMinimumHeight(height)
        return bars

    def take_toolbar(self, name: str, title: str) -> QToolBar:
        """The tool bar reserved under ``name`` (titled ``title``), or a new one."""
        bar = self._toolbars.pop(name, None)
        if bar is None:
            bar = self.addToolBar(title)
            bar.setObjectName(name)
        bar.setWindowTitle(title)
        return bar

    def _install_launchers(self) -> None:
        from app.ui.dashboard.launcher import install_dashboard_action
        from app.ui.wizard.launcher import install_entry_actions

        self.dashboard_launcher = install_dashboard_action(self)
        self.entry = install_entry_actions(self)
        for bar in self.findChildren(QToolBar):
            bar.setMinimumHeight(0)  # filled: the reservation is no longer needed

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.user_label = QLabel(
            self.tr("%1 (%2), %3")
            .replace("%1", self.user.display_name)
            .replace("%2", self.user.username)
            .replace("%3", self.user.unit_name),
            self,
        )
        self.count_label = QLabel(self)
        for label in (self.user_label, self.count_label):
            label.setContentsMargins(6, 0, 12, 0)
        bar.addWidget(self.user_label)
        bar.addWidget(self.count_label)
        # the platform connection (offline / syncing / up to date) is the sync indicator's

    def _build_shortcuts(self) -> None:
        """Ctrl+F, Ctrl+W and Esc in the search box, once the window has settled. Esc's
        context is a ``Qt`` enum, and the first use of ``Qt`` costs ~30 ms (see
        case_table.DISPLAY_ROLE); none of them is needed to paint the first page."""
        from PySide6.QtGui import QKeySequence, QShortcut  # their types cost ~1 ms to set up

        find = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self)
        find.activated.connect(self.focus_search)
        close = QShortcut(QKeySequence(QKeySequence.StandardKey.Close), self)
        close.activated.connect(lambda: self._close_tab(self.tabs.currentIndex()))
        clear = QShortcut(QKeySequence(QtCore.Qt.Key.Key_Escape), self.search)
        clear.setContext(QtCore.Qt.ShortcutContext.WidgetShortcut)
        clear.activated.connect(self.search.clear)

    def _finish_search_box(self) -> None:
        """The search box's hint and clear button, once the window has settled: the hint is
        some twenty more Chinese glyphs to render and the clear button loads an icon, neither
        of which changes the box's size. The first frame shows the box empty."""
        self.search.setPlaceholderText(
            self.tr("Search case name, number, party, ID or document text (Ctrl+F)")
        )
        self.search.setClearButtonEnabled(True)

    @property
    def notices(self) -> "NoticeBar":
        """The notice bar above the tabs, made when first needed: hidden, it takes no room,
        so a start without a notice does not build it before the first paint."""
        if self._notices is None:
            from app.ui.notices import NoticeBar

            self._notices = NoticeBar(self.centralWidget())
            self._central_layout.insertWidget(0, self._notices)
        return self._notices

    def _show_notice(self, text: str) -> None:
        self.notices.show_notice(text)

    # -- behaviour ---------------------------------------------------------------------

    @property
    def is_ready(self) -> bool:
        """The first rows are in the table (``ready`` may still be on its way)."""
        return self._ready

    @property
    def is_settled(self) -> bool:
        """Start-up is over: ``settled`` has been emitted."""
        return self._settled

    def start(self) -> None:
        """Load the first case list (in the background); its full id list (the count) waits
        until the first page has been painted. A first page read ahead with the sign-in is
        put in place at once, so the window's first paint already shows it."""
        if not self.runner.synchronous:
            self.model.hold_tail()
        first, self._first_page = self._first_page, None
        flt = self.current_filter()
        if first is not None and first.case_filter == flt:
            self._announce_later = True  # ``ready`` goes out once the caller has connected
            self.model.set_filter(flt, first)
        else:
            self.apply_filter()

    def current_filter(self) -> CaseFilter:
        return CaseFilter(
            text=self.search.text().strip(),
            domain=self.domain.currentData() or "",
            status=self.status.currentData() or "",
            overdue_only=self.overdue.isChecked(),
        )

    def apply_filter(self) -> None:
        self._search_timer.stop()
        flt = self.current_filter()
        if flt == self.model.case_filter and self._ready:
            return
        self.model.set_filter(flt)

    def focus_search(self) -> None:
        self.tabs.setCurrentIndex(0)
        self.search.setFocus(QtCore.Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def open_index(self, index: QModelIndex) -> None:
        case_id = self.model.case_id(index.row())
        if case_id is not None:
            self.open_case(case_id)

    def open_case(self, case_id: str) -> "CaseView":
        from app.ui.case_view import CaseView

        for n in range(1, self.tabs.count()):
            view = self.tabs.widget(n)
            if isinstance(view, CaseView) and view.case_id == case_id:
                self.tabs.setCurrentIndex(n)
                emit(self.case_opened, case_id)
                return view
        view = CaseView(self.store, self.runner, case_id, self.tabs)
        n = self.tabs.addTab(view, self.tr("Loading…"))
        view.title_changed.connect(lambda title, v=view: self._retitle(v, title))
        self.tabs.setCurrentIndex(n)
        view.load()
        emit(self.case_opened, case_id)
        return view

    def case_views(self) -> list["CaseView"]:
        from app.ui.case_view import CaseView

        views = (self.tabs.widget(n) for n in range(1, self.tabs.count()))
        return [v for v in views if isinstance(v, CaseView)]

    def _retitle(self, view: "CaseView", title: str) -> None:
        n = self.tabs.indexOf(view)
        if n >= 0:
            self.tabs.setTabText(n, title if len(title) <= 24 else title[:23] + "…")
            self.tabs.setTabToolTip(n, title)

    def _close_tab(self, n: int) -> None:
        if n <= 0:
            return
        view = self.tabs.widget(n)
        self.tabs.removeTab(n)
        if view is not None:
            view.deleteLater()
        self.table.setFocus()

    def _on_loading(self, loading: bool) -> None:
        if loading:
            self.count_label.setText(self.tr("Searching…"))

    def _on_ids_loaded(self, count: int) -> None:
        self.count_label.setText(self.tr("%n case(s)", "", count))

    def _on_head_loaded(self, count: int) -> None:
        if count and not self.table.currentIndex().isValid():
            self.table.setCurrentIndex(self.model.index(0, 0))
        if not self._ready:
            self._ready = True
            self.table.setFocus()
            if self.table.isVisible():
                self.table.painted.connect(self._first_paint_done)
                QTimer.singleShot(SETTLE_FALLBACK_MS, self._settle)
            else:
                QTimer.singleShot(0, self._settle)
            if self._announce_later:
                QTimer.singleShot(0, lambda: emit(self.ready))
            else:
                emit(self.ready)

    def _first_paint_done(self) -> None:
        self.table.painted.disconnect(self._first_paint_done)
        # two turns: whatever else was queued while the rows painted goes first
        QTimer.singleShot(0, lambda: QTimer.singleShot(0, self._settle))

    def _settle(self) -> None:
        if self._settled:
            return
        self._settled = True
        self.model.release_tail()
        self._install_launchers()
        self._finish_search_box()
        self._build_shortcuts()
        emit(self.settled)
