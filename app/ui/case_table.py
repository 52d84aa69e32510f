"""The case list's table model: it holds ids only and fetches rows in pages.

Like Anki's browser ``DataModel``, the model keeps the ordered list of case ids that match
the current :class:`~app.store.case_list.CaseFilter` (one indexed query, run through
the task helper) and asks :func:`~app.store.case_list.fetch_rows` for pages of
:data:`PAGE_SIZE` rows when the view first needs them. Pages are kept in a small LRU cache, so
scrolling through 100,000 cases costs one query per 200 rows shown, never one per row.

A page that is not loaded yet shows a placeholder; its rows are filled in (``dataChanged``)
when the background fetch returns. A new result first shows its first page (ids and rows
from one LIMIT query); the full id list follows and extends the model.
"""

import logging
import sqlite3
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, NamedTuple

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Signal,
)
from PySide6.QtGui import QColor, QStandardItemModel

from app.errors import UserError
from app.store.case_list import CaseFilter, CaseRow, fetch_rows, list_ids
from app.store.db import Store
from app.ui.qtcompat import emit
from app.ui.tasks import TaskRunner

log = logging.getLogger(__name__)

DISPLAY_ROLE = 0
TOOLTIP_ROLE = 3
BACKGROUND_ROLE = 8
FOREGROUND_ROLE = 9
"""``Qt.ItemDataRole`` values as plain numbers (Qt passes ``data()`` an int). The first use of
PySide6's ``Qt`` namespace builds all of its 150-odd enums, about 30 ms, so nothing on the way
to the main window's first paint touches it (tests check the values)."""

PAGE_SIZE = 200
READ_AHEAD_ROWS = 80
"""Rows the start-up read-ahead reads with the first page's ids (all :data:`PAGE_SIZE` of
them): more than a maximised window shows, so the first paint has every visible row; the
model reads the rest of the page once the window has settled. 80 rows instead of 200 take a
few milliseconds off the read-ahead, which the window's first paint waits for."""
MAX_PAGES = 60
"""Pages kept in memory (12,000 rows): enough for any screen and quick back-scrolling."""

Index = QModelIndex | QPersistentModelIndex

COLUMNS: tuple[str, ...] = (
    "case_number",
    "title",
    "parties",
    "domain",
    "status",
    "opened_on",
    "unit_name",
    "sync_state",
)

_OVERDUE_BACKGROUND = QColor("#fde2df")
_OVERDUE_FOREGROUND = QColor("#8a1c12")


class FirstPage(NamedTuple):
    """The first page of a result read ahead, so a window can open with its rows in place
    (start-up reads it with the sign-in, off the GUI thread). ``rows`` may hold only the first
    rows of ``ids`` (:data:`READ_AHEAD_ROWS`); the model reads the rest itself."""

    case_filter: CaseFilter
    ids: list[str]
    rows: dict[str, CaseRow]


def read_first_page(conn: sqlite3.Connection, flt: CaseFilter, rows: int = PAGE_SIZE) -> FirstPage:
    """The first :data:`PAGE_SIZE` ids of ``flt`` and the rows of the first ``rows`` of them
    (no Qt: any thread)."""
    head = list_ids(conn, flt, limit=PAGE_SIZE)
    return FirstPage(flt, head, fetch_rows(conn, head[:rows]))


def read_ahead(store: Store, flt: CaseFilter) -> FirstPage | None:
    """:func:`read_first_page` (the rows of its first :data:`READ_AHEAD_ROWS` ids) on its own
    connection, or None if the store refuses (a
    locked or damaged database): the window then runs the query itself and reports the
    problem as it always has, instead of the sign-in failing over it."""
    try:
        with store.reading() as conn:
            return read_first_page(conn, flt, READ_AHEAD_ROWS)
    except UserError as exc:
        log.warning("first page not read ahead: %s", exc)
        return None


def header_labels(parent: QObject) -> QStandardItemModel:
    """The column titles as a model of their own, for the table's horizontal header.

    The case model has no Python ``headerData``: Qt would call it with a ``Qt.Orientation``,
    and converting that builds the whole ``Qt`` namespace while the window is being set up
    (see :data:`DISPLAY_ROLE`). A :class:`QStandardItemModel` answers the header in C++.
    """
    labels = QStandardItemModel(0, len(COLUMNS), parent)
    labels.setHorizontalHeaderLabels(column_titles())
    return labels


def column_titles() -> list[str]:
    return [
        QCoreApplication.translate("CaseTable", "Case no."),
        QCoreApplication.translate("CaseTable", "Case name"),
        QCoreApplication.translate("CaseTable", "Parties"),
        QCoreApplication.translate("CaseTable", "Domain"),
        QCoreApplication.translate("CaseTable", "Status"),
        QCoreApplication.translate("CaseTable", "Opened on"),
        QCoreApplication.translate("CaseTable", "Handling unit"),
        QCoreApplication.translate("CaseTable", "Sync"),
    ]


def sync_state_text(state: str) -> str:
    if state == "pending":
        return QCoreApplication.translate("CaseTable", "● Pending")
    if state == "sending":
        return QCoreApplication.translate("CaseTable", "◐ Sending")
    if state == "synced":
        return QCoreApplication.translate("CaseTable", "✓ Synced")
    if state == "error":
        return QCoreApplication.translate("CaseTable", "✕ Error")
    return state


_UNKNOWN_SYNC_COLOUR = QColor("#555555")
_SYNC_COLOURS = {
    "pending": QColor("#9a6700"),
    "sending": QColor("#0b5cad"),
    "synced": QColor("#1a7f37"),
    "error": QColor("#b42318"),
}


class CaseTableModel(QAbstractTableModel):
    """Case ids in the current order, rows fetched lazily in pages.

    Signals:
        loading_changed(bool): True while an id-list query is running.
        head_loaded(int): the first page of a new result is shown (it may still grow).
        ids_loaded(int): the complete id list is in place; the payload is its length.
    """

    loading_changed = Signal(bool)
    head_loaded = Signal(int)
    ids_loaded = Signal(int)

    def __init__(self, store: Store, runner: TaskRunner, parent: Any = None) -> None:
        super().__init__(parent)
        self._store = store
        self._runner = runner
        self._ids: list[str] = []
        self._pages: OrderedDict[int, dict[str, CaseRow]] = OrderedDict()
        self._requested: set[int] = set()
        self._generation = 0
        self._filter = CaseFilter()
        self._partial: set[int] = set()
        """Pages holding only some of their rows (a first page read ahead)."""
        self._cells: dict[int, _Cells] = {}
        """What ``data()`` answers for each row index it was asked about (see :func:`_cells`)."""
        self._in_data = False
        self._tail_held = False
        self._pending_tail: Callable[[], None] | None = None
        self.page_fetches = 0
        """How many page queries ran (the 100,000-case test checks it stays tiny)."""

    # -- loading -----------------------------------------------------------------------

    @property
    def case_filter(self) -> CaseFilter:
        return self._filter

    def set_filter(self, flt: CaseFilter, first_page: FirstPage | None = None) -> None:
        """Run the id query for ``flt`` in the background; the model resets when it returns.
        A ``first_page`` read ahead for the same filter is shown at once instead."""
        self._filter = flt
        self.reload(
            first_page if first_page is not None and first_page.case_filter == flt else None
        )

    def hold_tail(self) -> None:
        """Keep the next result's second step (the full id list) back until
        :meth:`release_tail`. At start-up the first page is painted before that query
        competes with the GUI thread for the interpreter."""
        self._tail_held = True

    def release_tail(self) -> None:
        """Run a held-back full id list query now; later results are not held."""
        self._tail_held = False
        pending, self._pending_tail = self._pending_tail, None
        if pending is not None:
            pending()

    def reload(self, first_page: FirstPage | None = None) -> None:
        """Two background steps: the first page (ids and rows, a LIMIT query) is shown at
        once; the full ordered id list follows and the rows beyond the first page are
        appended (``rowsInserted``), so a large result is usable before it is counted.
        With ``first_page`` (read ahead for the current filter) the first step is done."""
        self._generation += 1
        self._pending_tail = None
        generation = self._generation
        store, flt = self._store, self._filter
        emit(self.loading_changed, True)

        def head_op() -> FirstPage:
            with store.reading() as conn:
                return read_first_page(conn, flt)

        def head_done(result: FirstPage) -> None:
            if generation != self._generation:
                return  # a newer filter superseded this one
            head = result.ids
            self.beginResetModel()
            self._ids = head
            self._pages.clear()
            self._requested.clear()
            self._cells.clear()
            partial = len(result.rows) < len(head)
            if head:
                self._pages[0] = result.rows
            self._partial = {0} if partial else set()
            self.endResetModel()
            emit(self.head_loaded, len(head))
            if len(head) < PAGE_SIZE and not partial:
                self._finish_loading(len(head))
                return

            def tail() -> None:
                if generation != self._generation:
                    return
                if partial:
                    self._request_page(0)  # the rows the first page was read without
                if len(head) < PAGE_SIZE:
                    self._finish_loading(len(head))
                else:
                    self._runner.run(ids_op, lambda ids: ids_done(head, ids), failed)

            if self._tail_held:
                self._pending_tail = tail
            else:
                tail()

        def ids_op() -> list[str]:
            with store.reading() as conn:
                return list_ids(conn, flt)

        def ids_done(head: list[str], ids: list[str]) -> None:
            if generation != self._generation:
                return
            if ids[: len(head)] == head:
                if len(ids) > len(head):
                    self.beginInsertRows(QModelIndex(), len(head), len(ids) - 1)
                    self._ids = ids
                    self.endInsertRows()
            else:  # the store changed between the two queries
                self.beginResetModel()
                self._ids = ids
                self._pages.clear()
                self._requested.clear()
                self._cells.clear()
                self._partial.clear()
                self.endResetModel()
            self._finish_loading(len(ids))

        def failed(exc: BaseException) -> None:
            if generation == self._generation:
                emit(self.loading_changed, False)
            self._runner.report_failure(exc)

        if first_page is not None:
            head_done(first_page)
        else:
            self._runner.run(head_op, head_done, failed)

    def _finish_loading(self, count: int) -> None:
        emit(self.loading_changed, False)
        emit(self.ids_loaded, count)

    def _request_page(self, page: int) -> None:
        if page in self._requested:
            return
        self._requested.add(page)
        generation = self._generation
        ids = self._ids[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
        store = self._store
        self.page_fetches += 1

        def op() -> dict[str, CaseRow]:
            with store.reading() as conn:
                return fetch_rows(conn, ids)

        def done(rows: dict[str, CaseRow]) -> None:
            self._requested.discard(page)
            if generation != self._generation:
                return
            self._store_page(page, rows)
            if not self._in_data:
                first = page * PAGE_SIZE
                last = min(len(self._ids), first + PAGE_SIZE) - 1
                emit(self.dataChanged, self.index(first, 0), self.index(last, len(COLUMNS) - 1))

        def failed(exc: BaseException) -> None:
            self._requested.discard(page)
            self._runner.report_failure(exc)

        self._runner.run(op, done, failed)

    def _store_page(self, page: int, rows: dict[str, CaseRow]) -> None:
        self._cells.clear()
        self._partial.discard(page)
        self._pages[page] = rows
        self._pages.move_to_end(page)
        while len(self._pages) > MAX_PAGES:
            self._pages.popitem(last=False)

    def invalidate_cases(self, case_ids: set[str]) -> None:
        """Forget cached rows of changed cases; visible ones are fetched again."""
        for page, rows in list(self._pages.items()):
            if case_ids & rows.keys():
                del self._pages[page]
                self._cells.clear()
                first = page * PAGE_SIZE
                last = min(len(self._ids), first + PAGE_SIZE) - 1
                emit(self.dataChanged, self.index(first, 0), self.index(last, len(COLUMNS) - 1))

    # -- access ------------------------------------------------------------------------

    def case_id(self, row: int) -> str | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def case_ids(self) -> list[str]:
        return list(self._ids)

    def row_data(self, row: int) -> CaseRow | None:
        """The row's data if its page is loaded; otherwise start loading it and return None."""
        if not 0 <= row < len(self._ids):
            return None
        page = row // PAGE_SIZE
        rows = self._pages.get(page)
        if rows is None:
            self._in_data = True
            try:
                self._request_page(page)  # inline when the runner is synchronous
            finally:
                self._in_data = False
            rows = self._pages.get(page)
            if rows is None:
                return None
        else:
            self._pages.move_to_end(page)
        found = rows.get(self._ids[row])
        if found is None and page in self._partial and not self._tail_held:
            self._in_data = True
            try:
                self._request_page(page)  # a first page read ahead with part of its rows
            finally:
                self._in_data = False
            found = self._pages.get(page, rows).get(self._ids[row])
        return found

    # -- QAbstractTableModel -----------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = DISPLAY_ROLE) -> Any:
        # Qt asks seven roles per cell while painting; four of them are answered before any
        # call back into Qt, the others from the row's cells, worked out once per row.
        if role not in _ROLES:
            return None
        row = index.row()
        cells = self._cells.get(row)
        if cells is None:
            found = self.row_data(row)
            if found is None:
                return "…" if role == DISPLAY_ROLE and index.column() == 0 else None
            if len(self._cells) >= _MAX_CELLS:
                self._cells.clear()
            cells = self._cells[row] = _cells(found)
        return cells[role][index.column()]


_Cells = dict[int, tuple[Any, ...]]
"""A row's answers: role number -> one value per column."""

_ROLES = frozenset((DISPLAY_ROLE, TOOLTIP_ROLE, BACKGROUND_ROLE, FOREGROUND_ROLE))
_MAX_CELLS = 2 * PAGE_SIZE
"""Rows whose cells are kept (a screenful and more); the cache is dropped when it is full."""


def _cells(row: CaseRow) -> _Cells:
    """Every role ``data()`` answers, for every column of ``row`` (in :data:`COLUMNS`' order),
    worked out once per row rather than once per cell and role."""
    overdue_tip = None
    if row.overdue:
        overdue_tip = QCoreApplication.translate("CaseTable", "This case has an overdue deadline")
    # Colours, not QBrush: Qt converts them, and PySide6 builds its whole ``Qt`` namespace
    # on the first QBrush (see DISPLAY_ROLE), which would land in the first paint.
    background = _OVERDUE_BACKGROUND if row.overdue else None
    overdue_colour = _OVERDUE_FOREGROUND if row.overdue else None
    sync_colour = _SYNC_COLOURS.get(row.sync_state, _UNKNOWN_SYNC_COLOUR)
    return {
        DISPLAY_ROLE: tuple(_display(row, column) for column in COLUMNS),
        TOOLTIP_ROLE: tuple(overdue_tip or _tooltip(row, column) for column in COLUMNS),
        BACKGROUND_ROLE: (background,) * len(COLUMNS),
        FOREGROUND_ROLE: tuple(
            sync_colour if column == "sync_state" else overdue_colour for column in COLUMNS
        ),
    }


def _display(row: CaseRow, column: str) -> Any:
    if column == "opened_on":
        return row.opened_on.isoformat()
    if column == "sync_state":
        return sync_state_text(row.sync_state)
    return getattr(row, column)


def _tooltip(row: CaseRow, column: str) -> Any:
    """A cell's tool tip when its case is not overdue (an overdue case says so in every cell)."""
    if column in ("title", "parties"):
        return getattr(row, column)
    if column == "sync_state" and row.sync_state == "error":
        return QCoreApplication.translate("CaseTable", "Sync failed; see the case for the reason")
    return None
