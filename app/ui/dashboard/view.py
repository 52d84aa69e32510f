"""The supervision dashboard (督办看板) as a widget: figures, deadlines, charts, export.

Choosing a period or a unit reloads through the task helper
(:func:`app.services.dashboard.compute_dashboard` on a worker thread); the widget only renders
the plain dataclasses it gets back. Double-clicking a deadline asks the main window to open its
case (:attr:`DashboardView.open_case_requested`).
"""

from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.workcalendar import CST
from app.services.dashboard import (
    ALL_UNITS,
    DEFAULT_SOON_DAYS,
    Dashboard,
    DashboardQuery,
    UnitChoice,
    compute_dashboard,
    list_units,
)
from app.services.dashboard_deadlines import DeadlineItem, GroupCount
from app.services.dashboard_figures import Figure
from app.services.dashboard_labels import BUCKET_LABELS
from app.services.dashboard_period import Period, this_month, this_quarter, this_year
from app.store.db import Store
from app.timeutil import utc_now
from app.ui.dashboard.charts import BarChart, Series
from app.ui.qtcompat import emit
from app.ui.tasks import TaskRunner

CASE_ID_ROLE = Qt.ItemDataRole.UserRole
_OVERDUE_COLOUR = "#b5524c"


class FigureCard(QFrame):
    """One figure: its name, its value large, and its share and note below."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName("figureCard")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        self.title = QLabel(self)
        self.value = QLabel(self)
        font = self.value.font()
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        self.value.setFont(font)
        self.detail = QLabel(self)
        self.detail.setWordWrap(True)
        for label in (self.title, self.value, self.detail):
            layout.addWidget(label)

    def show_figure(self, figure: Figure) -> None:
        self.title.setText(figure.label)
        self.value.setText(str(figure.value))
        parts = []
        if figure.percent is not None:
            parts.append(
                self.tr("%1% of %2")
                .replace("%1", f"{figure.percent:g}")
                .replace("%2", str(figure.of))
            )
        if figure.note:
            parts.append(figure.note)
        self.detail.setText(" · ".join(parts))
        self.setToolTip(figure.note)


class DashboardView(QWidget):
    """Figures for a period and unit, open deadlines by node and person, charts, export.

    Signals:
        open_case_requested(str): a deadline was double-clicked (its case id).
        loaded(): a dashboard was computed and shown.
        exported(str): the .xlsx file that was written.
    """

    open_case_requested = Signal(str)
    loaded = Signal()
    exported = Signal(str)

    def __init__(
        self,
        store: Store,
        runner: TaskRunner,
        parent: QWidget | None = None,
        *,
        unit_id: str | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.runner = runner
        self.clock = clock
        self.dashboard: Dashboard | None = None
        self._preferred_unit = unit_id
        self._units_loaded = False
        self._generation = 0

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addLayout(self._build_bar())
        self.cards_grid = QGridLayout()
        self.cards: dict[str, FigureCard] = {}
        layout.addLayout(self.cards_grid)

        lower = QHBoxLayout()
        deadlines = QVBoxLayout()
        self.deadline_summary = QLabel(self)
        deadlines.addWidget(self.deadline_summary)
        self.deadline_tabs = QTabWidget(self)
        self.by_node = self._make_tree()
        self.by_person = self._make_tree()
        self.deadline_tabs.addTab(self.by_node, self.tr("By node"))
        self.deadline_tabs.addTab(self.by_person, self.tr("By person"))
        deadlines.addWidget(self.deadline_tabs, 1)
        lower.addLayout(deadlines, 3)
        charts = QVBoxLayout()
        self.transfers_chart = BarChart(self.tr("Transfers and filings per month"), self)
        self.overdue_chart = BarChart(self.tr("Overdue deadlines by node"), self)
        charts.addWidget(self.transfers_chart, 1)
        charts.addWidget(self.overdue_chart, 1)
        lower.addLayout(charts, 2)
        layout.addLayout(lower, 1)
        self.status = QLabel(self)
        layout.addWidget(self.status)

    # -- construction ------------------------------------------------------------------

    def _build_bar(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        self.period_kind = QComboBox(self)
        for code, text in (
            ("month", self.tr("This month")),
            ("quarter", self.tr("This quarter")),
            ("year", self.tr("This year")),
            ("custom", self.tr("Custom")),
        ):
            self.period_kind.addItem(text, code)
        self.period_kind.setCurrentIndex(2)
        self.period_kind.setToolTip(self.tr("Period"))
        bar.addWidget(self.period_kind)
        today = self._today()
        self.date_from = QDateEdit(QDate(today.year, 1, 1), self)
        self.date_to = QDateEdit(QDate(today.year, today.month, today.day), self)
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setEnabled(False)
        self.date_from.setToolTip(self.tr("First day (included)"))
        self.date_to.setToolTip(self.tr("Last day (included)"))
        bar.addWidget(self.date_from)
        bar.addWidget(QLabel("—", self))
        bar.addWidget(self.date_to)
        self.unit = QComboBox(self)
        self.unit.addItem(ALL_UNITS, None)
        self.unit.setToolTip(self.tr("Unit"))
        self.unit.setMinimumContentsLength(16)
        bar.addWidget(self.unit, 1)
        bar.addWidget(QLabel(self.tr("Due soon within"), self))
        self.soon_days = QSpinBox(self)
        self.soon_days.setRange(1, 30)
        self.soon_days.setValue(DEFAULT_SOON_DAYS)
        self.soon_days.setSuffix(self.tr(" days"))
        bar.addWidget(self.soon_days)
        self.refresh_button = QPushButton(self.tr("Refresh"), self)
        self.export_button = QPushButton(self.tr("Export .xlsx…"), self)
        self.export_button.setEnabled(False)
        bar.addWidget(self.refresh_button)
        bar.addWidget(self.export_button)

        self.period_kind.currentIndexChanged.connect(self._period_kind_changed)
        self.date_from.dateChanged.connect(self._custom_dates_changed)
        self.date_to.dateChanged.connect(self._custom_dates_changed)
        self.unit.currentIndexChanged.connect(self.refresh)
        self.soon_days.valueChanged.connect(self.refresh)
        self.refresh_button.clicked.connect(self.refresh)
        self.export_button.clicked.connect(self._choose_export_file)
        return bar

    def _make_tree(self) -> QTreeWidget:
        tree = QTreeWidget(self)
        tree.setHeaderLabels(
            [
                self.tr("Group / case"),
                self.tr("Overdue"),
                self.tr("Due today"),
                self.tr("Due soon"),
                self.tr("Due at"),
                self.tr("Deadline"),
                self.tr("Case number"),
            ]
        )
        tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        tree.setAlternatingRowColors(True)
        tree.setUniformRowHeights(True)
        header = tree.header()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.resizeSection(0, 300)
        for column in (1, 2, 3):
            header.resizeSection(column, 64)
        header.resizeSection(4, 130)
        header.resizeSection(5, 220)
        tree.itemActivated.connect(self._item_activated)
        return tree

    # -- the query ---------------------------------------------------------------------

    def _today(self) -> date:
        return self.clock().astimezone(CST).date()

    def period(self) -> Period:
        kind = self.period_kind.currentData()
        today = self._today()
        if kind == "month":
            return this_month(today)
        if kind == "quarter":
            return this_quarter(today)
        if kind == "year":
            return this_year(today)
        start = self.date_from.date().toPython()
        last = self.date_to.date().toPython()
        assert isinstance(start, date) and isinstance(last, date)
        return Period(start, max(last, start) + timedelta(days=1))

    def query(self) -> DashboardQuery:
        return DashboardQuery(
            self.period(),
            unit_code=self.unit.currentData(),
            now=self.clock(),
            soon_days=self.soon_days.value(),
        )

    def set_period(self, kind: str, start: date | None = None, last: date | None = None) -> None:
        """Choose a period (month, quarter, year or custom with its first and last day)."""
        if kind == "custom" and start is not None and last is not None:
            for edit, day in ((self.date_from, start), (self.date_to, last)):
                edit.blockSignals(True)
                edit.setDate(QDate(day.year, day.month, day.day))
                edit.blockSignals(False)
        n = self.period_kind.findData(kind)
        if n == self.period_kind.currentIndex():
            self.refresh()
        else:
            self.period_kind.setCurrentIndex(n)

    def set_unit(self, code: str | None) -> None:
        n = self.unit.findData(code)
        if n < 0:
            raise ValueError(f"unit {code!r} is not in the chooser")
        if n == self.unit.currentIndex():
            self.refresh()
        else:
            self.unit.setCurrentIndex(n)

    def _period_kind_changed(self) -> None:
        custom = self.period_kind.currentData() == "custom"
        self.date_from.setEnabled(custom)
        self.date_to.setEnabled(custom)
        self.refresh()

    def _custom_dates_changed(self) -> None:
        if self.period_kind.currentData() == "custom":
            self.refresh()

    # -- loading -----------------------------------------------------------------------

    def load(self) -> None:
        """Load the unit list, then the dashboard (both in the background)."""
        self.runner.run(lambda: list_units(self.store), self._units_arrived)

    def _units_arrived(self, units: list[UnitChoice]) -> None:
        self.unit.blockSignals(True)
        self.unit.clear()
        self.unit.addItem(ALL_UNITS, None)
        preferred = 0
        for choice in units:
            self.unit.addItem(f"{choice.name}（{choice.code}）", choice.code)
            if choice.id == self._preferred_unit:
                preferred = self.unit.count() - 1
        self.unit.setCurrentIndex(preferred)
        self.unit.blockSignals(False)
        self._units_loaded = True
        self.refresh()

    def refresh(self) -> None:
        if not self._units_loaded:
            return
        query = self.query()
        self._generation += 1
        generation = self._generation
        self.status.setText(self.tr("Counting…"))
        self.runner.run(
            lambda: compute_dashboard(self.store, query),
            lambda result: self._arrived(generation, result),
            self._failed,
        )

    def _failed(self, exc: BaseException) -> None:
        self.status.setText("")
        self.runner.report_failure(exc)

    def _arrived(self, generation: int, dashboard: Dashboard) -> None:
        if generation != self._generation:
            return  # a newer query is under way
        self.dashboard = dashboard
        self._show_figures(dashboard)
        self._show_deadlines(dashboard)
        self._show_charts(dashboard)
        f = dashboard.figures
        self.status.setText(
            self.tr("%1, %2").replace("%1", f.unit_name).replace("%2", f.period.label())
        )
        self.export_button.setEnabled(True)
        emit(self.loaded)

    # -- rendering ---------------------------------------------------------------------

    def _show_figures(self, dashboard: Dashboard) -> None:
        for n, figure in enumerate(dashboard.figures.figures()):
            card = self.cards.get(figure.key)
            if card is None:
                card = FigureCard(self)
                self.cards[figure.key] = card
                self.cards_grid.addWidget(card, n // 5, n % 5)
            card.show_figure(figure)

    def _show_deadlines(self, dashboard: Dashboard) -> None:
        board = dashboard.deadlines
        self.deadline_summary.setText(
            self.tr("Overdue %1 · due today %2 · due within %3 days %4")
            .replace("%1", str(board.count("overdue")))
            .replace("%2", str(board.count("today")))
            .replace("%3", str(board.soon_days))
            .replace("%4", str(board.count("soon")))
        )
        node_items: dict[str, list[DeadlineItem]] = {}
        person_items: dict[str, list[DeadlineItem]] = {}
        for item in board.items:
            node_items.setdefault(item.node_key, []).append(item)
            person_items.setdefault(item.person_key, []).append(item)
        self._fill_tree(self.by_node, board.by_node, node_items)
        self._fill_tree(self.by_person, board.by_person, person_items)

    def _fill_tree(
        self,
        tree: QTreeWidget,
        groups: tuple[GroupCount, ...],
        items: dict[str, list[DeadlineItem]],
    ) -> None:
        tree.setUpdatesEnabled(False)
        tree.clear()
        for group in groups:
            top = QTreeWidgetItem(
                [group.label, str(group.overdue), str(group.today), str(group.soon)]
            )
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            if group.overdue:
                top.setForeground(1, Qt.GlobalColor.darkRed)
            children = []
            for item in items.get(group.key, []):
                child = QTreeWidgetItem(
                    [
                        item.case_title,
                        "●" if item.bucket == "overdue" else "",
                        "●" if item.bucket == "today" else "",
                        "●" if item.bucket == "soon" else "",
                        item.due_at.astimezone(CST).strftime("%Y-%m-%d %H:%M"),
                        item.label,
                        item.case_number,
                    ]
                )
                child.setData(0, CASE_ID_ROLE, item.case_id)
                child.setToolTip(
                    0, f"{item.case_title}\n{item.unit_name}\n{BUCKET_LABELS[item.bucket]}"
                )
                child.setToolTip(5, item.source)
                if item.bucket == "overdue":
                    child.setForeground(4, Qt.GlobalColor.darkRed)
                children.append(child)
            top.addChildren(children)
            tree.addTopLevelItem(top)
        tree.setUpdatesEnabled(True)

    def _show_charts(self, dashboard: Dashboard) -> None:
        months = dashboard.months
        self.transfers_chart.set_data(
            [m.month.strftime("%Y-%m") for m in months],
            [
                Series(self.tr("Transferred"), tuple(m.transfers for m in months)),
                Series(self.tr("Filed by police"), tuple(m.filed for m in months)),
            ],
        )
        overdue = [g for g in dashboard.deadlines.by_node if g.overdue][:8]
        self.overdue_chart.set_data(
            [g.label if len(g.label) <= 8 else g.label[:7] + "…" for g in overdue],
            [Series(self.tr("Overdue"), tuple(g.overdue for g in overdue))],
        )

    # -- actions -----------------------------------------------------------------------

    def _item_activated(self, item: QTreeWidgetItem, column: int) -> None:
        case_id = item.data(0, CASE_ID_ROLE)
        if isinstance(case_id, str) and case_id:
            emit(self.open_case_requested, case_id)

    def _choose_export_file(self) -> None:
        if self.dashboard is None:
            return
        f = self.dashboard.figures
        suggested = f"督办看板_{f.period.start.isoformat()}_{f.period.last_day.isoformat()}.xlsx"
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export dashboard"), suggested, self.tr("Excel workbook (*.xlsx)")
        )
        if path:
            if not path.lower().endswith(".xlsx"):
                path += ".xlsx"
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        """Write the dashboard shown to ``path`` (in the background)."""
        dashboard = self.dashboard
        if dashboard is None:
            return
        from app.services.dashboard_xlsx import write_xlsx

        def done(written: Path) -> None:
            self.status.setText(self.tr("Exported to %1").replace("%1", str(written)))
            emit(self.exported, str(written))

        self.runner.run(lambda: write_xlsx(dashboard, path), done)
