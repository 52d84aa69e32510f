"""pytest-qt: the dashboard tab over demo data shows the service's numbers, opens cases, exports.

The numbers themselves are checked against independent counts in
tests/integration/test_dashboard.py; here the window must show exactly those numbers.
"""

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem
from pytestqt.qtbot import QtBot

from app.domain.identity import SignedInUser
from app.paths import DataPaths
from app.services import demo_data
from app.services.dashboard import ALL_UNITS, DashboardQuery, compute_dashboard
from app.services.dashboard_period import Period, this_month, this_quarter
from app.site_config import SiteConfig
from app.store.db import Store, open_store
from app.ui.dashboard.view import DashboardView
from app.ui.main_window import MainWindow
from app.ui.tasks import TaskRunner

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)  # 17:00 Beijing on the demo's last day
YEAR_2025 = Period(date(2025, 1, 1), date(2026, 1, 1))


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    store = open_store(DataPaths(tmp_path_factory.mktemp("dashboard-ui") / "data"))
    demo_data.generate(store, cases=3000, seed=8)
    yield store
    store.close()


def demo_admin(store: Store) -> SignedInUser:
    with closing(sqlite3.connect(store.paths.database)) as conn:
        row = conn.execute(
            "SELECT u.id, u.username, u.display_name, u.role, u.unit_id, n.name "
            "FROM users u JOIN units n ON n.id = u.unit_id WHERE u.username = 'admin'"
        ).fetchone()
    return SignedInUser(*row)


def unit_code(store: Store, name: str) -> str:
    with closing(sqlite3.connect(store.paths.database)) as conn:
        return str(conn.execute("SELECT code FROM units WHERE name = ?", (name,)).fetchone()[0])


def top_counts(tree: QTreeWidget) -> list[tuple[str, int, int, int]]:
    out = []
    for n in range(tree.topLevelItemCount()):
        item = tree.topLevelItem(n)
        assert item is not None
        out.append((item.text(0), int(item.text(1)), int(item.text(2)), int(item.text(3))))
    return out


def first_child(tree: QTreeWidget) -> QTreeWidgetItem:
    top = tree.topLevelItem(0)
    assert top is not None and top.childCount() > 0
    child = top.child(0)
    assert child is not None
    return child


def test_dashboard_shows_the_service_numbers(
    qtbot: QtBot, demo_store: Store, runner: TaskRunner
) -> None:
    view = DashboardView(demo_store, runner, clock=lambda: NOW)
    qtbot.addWidget(view)
    view.show()
    with qtbot.waitSignal(view.loaded, timeout=10000):
        view.load()
    assert view.unit.itemText(0) == ALL_UNITS and view.unit.count() > 10
    assert view.period() == Period(date(2026, 1, 1), date(2027, 1, 1))  # "this year" by default

    with qtbot.waitSignal(view.loaded, timeout=10000):
        view.set_period("custom", date(2025, 1, 1), date(2025, 12, 31))
    assert view.date_from.isEnabled()
    expected = compute_dashboard(demo_store, DashboardQuery(YEAR_2025, now=NOW))
    shown = {key: int(card.value.text()) for key, card in view.cards.items()}
    assert shown == {f.key: f.value for f in expected.figures.figures()}
    assert shown["penalty_cases"] > 0 and shown["transfers"] > 0
    entered = view.cards["entered_on_time"]
    assert entered.title.text() == "按时录入数"
    assert f"{expected.figures.penalty_cases}" in entered.detail.text()

    board = expected.deadlines
    assert view.deadline_summary.text() == (
        f"已逾期 {board.count('overdue')} 项 · 今日到期 {board.count('today')} 项 · "
        f"{board.soon_days}日内到期 {board.count('soon')} 项"
    )
    assert top_counts(view.by_node) == [
        (g.label, g.overdue, g.today, g.soon) for g in board.by_node
    ]
    assert top_counts(view.by_person) == [
        (g.label, g.overdue, g.today, g.soon) for g in board.by_person
    ]
    children = sum(
        view.by_node.topLevelItem(n).childCount()  # type: ignore[union-attr]
        for n in range(view.by_node.topLevelItemCount())
    )
    assert children == len(board.items)

    months = [m.month.strftime("%Y-%m") for m in expected.months]
    assert view.transfers_chart.categories == tuple(months)
    assert view.transfers_chart.series[0].values == tuple(m.transfers for m in expected.months)
    assert (
        view.overdue_chart.series[0].values
        == tuple(g.overdue for g in board.by_node if g.overdue)[:8]
    )
    for chart in (view.transfers_chart, view.overdue_chart):
        assert not chart.grab().isNull()  # paints without a warning

    # one unit: the numbers follow the chooser
    code = unit_code(demo_store, demo_data.HOME_UNIT_NAME)
    with qtbot.waitSignal(view.loaded, timeout=10000):
        view.set_unit(code)
    home = compute_dashboard(demo_store, DashboardQuery(YEAR_2025, code, now=NOW))
    assert int(view.cards["penalty_cases"].value.text()) == home.figures.penalty_cases
    assert home.figures.penalty_cases < expected.figures.penalty_cases
    assert demo_data.HOME_UNIT_NAME in view.status.text()

    # the period chooser
    with qtbot.waitSignal(view.loaded, timeout=10000):
        view.set_period("quarter")
    assert view.period() == this_quarter(date(2026, 11, 27))
    assert not view.date_from.isEnabled()
    with qtbot.waitSignal(view.loaded, timeout=10000):
        view.set_period("month")
    assert view.dashboard is not None
    assert view.dashboard.figures.period == this_month(date(2026, 11, 27))


def test_export_writes_a_workbook_that_opens(
    qtbot: QtBot, demo_store: Store, runner: TaskRunner, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    view = DashboardView(demo_store, runner, clock=lambda: NOW)
    qtbot.addWidget(view)
    assert not view.export_button.isEnabled()
    with qtbot.waitSignal(view.loaded, timeout=10000):
        view.load()
    assert view.export_button.isEnabled()
    target = tmp_path / "看板.xlsx"
    with qtbot.waitSignal(view.exported, timeout=10000) as signal:
        view.export_to(target)
    assert signal.args == [str(target)]
    assert str(target) in view.status.text()
    book = load_workbook(target, read_only=True)
    rows = list(book["统计数据"].iter_rows(values_only=True))
    assert view.dashboard is not None
    transfers = view.dashboard.figures.transfers
    assert ("移送涉嫌犯罪案件数", transfers, None, None, None) in rows
    book.close()


def test_ctrl_d_opens_the_dashboard_and_a_double_click_opens_the_case(
    qtbot: QtBot, demo_store: Store, runner: TaskRunner
) -> None:
    window = MainWindow(demo_store, demo_admin(demo_store), SiteConfig(), runner)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.ready, timeout=10000):
        window.start()
    qtbot.waitUntil(lambda: window.is_settled, timeout=5000)  # the tool bars fill in then
    launcher = window.dashboard_launcher
    assert launcher is not None
    assert launcher.action.shortcut().toString() == "Ctrl+D"
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    qtbot.keyClick(window.table, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    view = launcher.view
    assert isinstance(view, DashboardView)
    assert window.tabs.currentWidget() is view
    # the signed-in user's unit is chosen first
    assert view.unit.currentText().startswith(demo_data.HOME_UNIT_NAME)
    assert view.dashboard is not None and view.dashboard.deadlines.items

    child = first_child(view.by_node)
    case_id = child.data(0, Qt.ItemDataRole.UserRole)
    view.by_node.expandItem(child.parent())
    view.by_node.scrollToItem(child)
    rect = view.by_node.visualItemRect(child)
    qtbot.mouseClick(view.by_node.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    with qtbot.waitSignal(window.case_opened, timeout=10000) as opened:
        qtbot.mouseDClick(view.by_node.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened.args == [case_id]
    assert [v.case_id for v in window.case_views()] == [case_id]

    # Ctrl+D again brings the same tab back; closing it and reopening makes a new one
    window.tabs.setCurrentIndex(0)
    assert launcher.open() is view and window.tabs.currentWidget() is view
    window._close_tab(window.tabs.indexOf(view))
    qtbot.waitUntil(lambda: launcher.view is None, timeout=5000)
    again = launcher.open()
    assert again is not view and window.tabs.currentWidget() is again
