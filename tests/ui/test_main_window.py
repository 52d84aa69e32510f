"""pytest-qt tests that drive the start-up chain and the main window over real SQLite stores."""

import gc
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QWidget
from pytestqt.qtbot import QtBot

import app.ui.case_table as case_table
from app.errors import StorageError
from app.paths import DataPaths
from app.site_config import SiteConfig
from app.store.db import Store, open_store
from app.ui.application import Startup, resume_gc
from app.ui.case_view import CaseView
from app.ui.first_run import FirstRunDialog
from app.ui.login import LoginDialog
from app.ui.main_window import MainWindow
from app.ui.tasks import TaskRunner
from tests.case_seed import PASSWORD

from .conftest import Seeded, seed_cases


def ime_preedit(widget: QWidget, text: str) -> None:
    """What a pinyin input method sends while the user is still composing."""
    QApplication.sendEvent(widget, QInputMethodEvent(text, []))


def ime_commit(widget: QWidget, text: str) -> None:
    """What an input method sends when the user picks the characters."""
    event = QInputMethodEvent("", [])
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def _fill_setup(dialog: FirstRunDialog, qtbot: QtBot, password_again: str) -> None:
    # QTest can only type Latin-1 keys; Chinese arrives as an input-method commit.
    ime_commit(dialog.unit_name, "徐州市铜山生态环境局")
    qtbot.keyClicks(dialog.unit_code, "320312-HB")
    ime_commit(dialog.region, "铜山区")
    qtbot.keyClicks(dialog.username, "zhang")
    ime_commit(dialog.display_name, "张三")
    qtbot.keyClicks(dialog.password, PASSWORD)
    dialog.password_again.setText(password_again)


def test_first_run_creates_unit_and_admin_and_opens_window(
    qtbot: QtBot, data_paths: DataPaths, runner: TaskRunner
) -> None:
    startup = Startup(data_paths, SiteConfig(), runner)
    startup.start()
    dialog = startup.dialog
    assert isinstance(dialog, FirstRunDialog)
    assert dialog.windowTitle() == "欢迎使用衔接"
    qtbot.mouseClick(dialog.setup_button, Qt.MouseButton.LeftButton)
    assert dialog.pages.currentIndex() == 1

    _fill_setup(dialog, qtbot, password_again="something else")
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    assert dialog.setup_error.text() == "两次输入的密码不一致。"
    assert startup.window is None

    dialog.password_again.setText(PASSWORD)
    with qtbot.waitSignal(startup.window_shown, timeout=5000):
        qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    window = startup.window
    assert isinstance(window, MainWindow)
    qtbot.addWidget(window)
    assert window.user.role == "admin"
    assert window.user.unit_name == "徐州市铜山生态环境局"
    assert "张三" in window.user_label.text()
    qtbot.waitUntil(lambda: window.sync_indicator.label.text() == "平台：未连接", timeout=10000)
    assert window.count_label.text() == "共 0 件案件"
    startup.close()


def test_login_wrong_password_then_right(
    qtbot: QtBot, data_paths: DataPaths, runner: TaskRunner
) -> None:
    store = open_store(data_paths)
    seed_cases(store)
    store.close()

    startup = Startup(data_paths, SiteConfig(), runner)
    startup.start()
    dialog = startup.dialog
    assert isinstance(dialog, LoginDialog)
    assert dialog.unit_label.text() == "徐州市铜山生态环境局"
    qtbot.keyClicks(dialog.username, "admin")
    qtbot.keyClicks(dialog.password, "wrong-password")
    qtbot.mouseClick(
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton
    )
    assert dialog.error.isVisible()
    assert dialog.error.text() == "用户名或密码错误"
    assert startup.window is None

    dialog.password.setText(PASSWORD)
    with qtbot.waitSignal(startup.window_shown, timeout=5000):
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    window = startup.window
    assert window is not None
    qtbot.addWidget(window)
    assert window.user.username == "admin"
    qtbot.waitUntil(lambda: window.model.rowCount() == 3)
    startup.close()


def test_search_is_debounced_and_finds_party_names(
    qtbot: QtBot, window: MainWindow, seeded: Seeded
) -> None:
    queries: list[str] = []
    window.model.loading_changed.connect(lambda on: on and queries.append(window.search.text()))
    window.search.setFocus()
    with qtbot.waitSignal(window.model.ids_loaded, timeout=3000) as blocker:
        # Composing pinyin changes nothing; the committed characters start the debounce.
        ime_preedit(window.search, "hua")
        ime_preedit(window.search, "huagong")
        assert window.search.text() == ""
        ime_commit(window.search, "化")
        ime_commit(window.search, "工")
        assert queries == []
    assert blocker.args == [1]
    assert queries == ["化工"], "one query after typing stops, not one per keystroke"
    assert window.model.case_ids() == [seeded.env]
    assert window.model.index(0, 2).data() == "徐州某某化工有限公司"
    assert window.count_label.text() == "共 1 件案件"

    with qtbot.waitSignal(window.model.ids_loaded, timeout=3000):
        window.search.clear()
    assert window.model.rowCount() == 3


def test_filters_domain_status_overdue(qtbot: QtBot, window: MainWindow, seeded: Seeded) -> None:
    assert window.model.case_ids() == [seeded.food, seeded.drug, seeded.env]
    window.domain.setCurrentIndex(window.domain.findData("drug"))
    assert window.model.case_ids() == [seeded.drug]
    assert window.model.index(0, 3).data() == "药品"
    window.domain.setCurrentIndex(0)
    window.status.setCurrentIndex(window.status.findData("decided"))
    assert window.model.case_ids() == [seeded.food]
    window.status.setCurrentIndex(0)
    qtbot.mouseClick(window.overdue, Qt.MouseButton.LeftButton)
    assert window.model.case_ids() == [seeded.env]
    assert window.model.index(0, 1).data(Qt.ItemDataRole.BackgroundRole) is not None
    assert window.overdue.text() == "只看逾期"


def test_open_case_with_enter_shows_parties_and_timeline(
    qtbot: QtBot, window: MainWindow, seeded: Seeded
) -> None:
    row = window.model.case_ids().index(seeded.env)
    window.table.setCurrentIndex(window.model.index(row, 0))
    window.table.setFocus()
    with qtbot.waitSignal(window.case_opened, timeout=3000):
        qtbot.keyClick(window.table, Qt.Key.Key_Return)
    view = window.tabs.currentWidget()
    assert isinstance(view, CaseView)
    assert view.heading.text() == "非法倾倒危险废物案"
    assert window.tabs.tabText(window.tabs.currentIndex()) == "徐铜环罚〔2024〕15号"
    assert view.parties.item(0, 2).text() == "徐州某某化工有限公司"
    assert view.parties.item(0, 1).text() == "单位"
    steps = [view.timeline.item(r, 1).text() for r in range(view.timeline.rowCount())]
    assert steps == ["行政立案", "发现涉嫌犯罪"]
    assert view.documents.item(0, 0).text() == "现场检查笔录"
    assert view.deadlines.item(0, 0).text() == "负责人审批"
    assert view.fields["money"].text().startswith("￥12,500.00")

    # Opening it again reuses the tab; Ctrl+F returns to the list and focuses search.
    window.open_case(seeded.env)
    assert len(window.case_views()) == 1
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentIndex() == 0
    qtbot.waitUntil(window.search.hasFocus)


def test_double_click_opens_case(qtbot: QtBot, window: MainWindow, seeded: Seeded) -> None:
    row = window.model.case_ids().index(seeded.food)
    rect = window.table.visualRect(window.model.index(row, 1))
    # A real double-click is press, release, double-click; QTest's DClick sends only the last.
    qtbot.mouseClick(window.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    with qtbot.waitSignal(window.case_opened, timeout=3000):
        qtbot.mouseDClick(window.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    view = window.case_views()[0]
    assert view.case_id == seeded.food
    assert view.parties.item(0, 1).text() == "自然人"


def test_case_tabs_close_but_the_list_tab_does_not(
    qtbot: QtBot, window: MainWindow, seeded: Seeded
) -> None:
    bar = window.tabs.tabBar()
    right = bar.ButtonPosition.RightSide
    assert not window.tabs.tabsClosable()  # the list alone: nothing to close
    window.open_case(seeded.env)
    window.open_case(seeded.food)
    assert window.tabs.tabsClosable()
    assert bar.tabButton(0, right) is None
    assert bar.tabButton(1, right) is not None and bar.tabButton(2, right) is not None

    window.tabs.tabCloseRequested.emit(0)  # the list's tab stays whatever asks
    window.tabs.tabCloseRequested.emit(1)
    assert window.tabs.count() == 2
    assert [v.case_id for v in window.case_views()] == [seeded.food]


def test_site_problem_and_task_failures_show_as_notices(
    qtbot: QtBot, window: MainWindow, store: Store
) -> None:
    from app.errors import StorageError

    def op() -> None:
        raise StorageError("磁盘空间已满，本次修改未保存")

    with qtbot.waitSignal(window.notices.shown, timeout=3000):
        window.runner.run(op)
    assert window.notices.isVisible()
    assert window.notices.text() == "磁盘空间已满，本次修改未保存"


def test_corrupt_database_is_refused_with_chinese_message_and_untouched(
    qtbot: QtBot, tmp_path: Path, capsys
) -> None:
    from app.cli import parse_args
    from app.ui.application import run_gui

    data = tmp_path / "data"
    data.mkdir()
    db = data / "xianjie.db"
    db.write_bytes(b"this is not a database" * 100)
    before = db.read_bytes()
    assert run_gui(parse_args(["--data-dir", str(data), "gui"])) == 1
    assert db.read_bytes() == before
    err = capsys.readouterr().err
    assert "衔接无法启动" in err and "已损坏" in err


def test_first_run_demo_data_then_login(qtbot: QtBot, data_paths: DataPaths) -> None:
    runner = TaskRunner()  # the real thread pool: generation runs off the GUI thread
    startup = Startup(data_paths, SiteConfig(), runner, demo_cases=60)
    with qtbot.waitSignal(runner.busy_changed, timeout=10000, check_params_cb=lambda b: not b):
        startup.start()
    dialog = startup.dialog
    assert isinstance(dialog, FirstRunDialog)
    qtbot.mouseClick(dialog.demo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.demo_continue.isEnabled, timeout=60000)
    assert dialog.demo_progress.value() == dialog.demo_progress.maximum()
    assert "演示账号" in dialog.demo_label.text()
    assert dialog.demo_password and dialog.demo_password in dialog.demo_label.text()
    password = dialog.demo_password
    qtbot.mouseClick(dialog.demo_continue, Qt.MouseButton.LeftButton)

    login = startup.dialog
    assert isinstance(login, LoginDialog)
    assert login.username.text() == "admin"
    login.password.setText(password)
    with qtbot.waitSignal(startup.window_shown, timeout=10000):
        qtbot.keyClick(login.password, Qt.Key.Key_Return)
    window = startup.window
    assert window is not None
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.ready, timeout=10000):
        pass
    assert window.model.rowCount() == 60
    qtbot.waitUntil(lambda: runner.pending == 0)
    startup.close()


def test_window_settles_after_its_first_page_is_painted(
    qtbot: QtBot, store: Store, seeded: Seeded
) -> None:
    runner = TaskRunner()
    window = MainWindow(store, seeded.admin, SiteConfig(), runner)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignals([window.ready, window.settled], order="strict", timeout=10000):
        window.start()
    assert window.model.rowCount() == 3
    qtbot.waitUntil(lambda: runner.pending == 0)


def test_sign_in_reads_the_first_page_and_the_window_opens_with_it(
    qtbot: QtBot, store: Store, seeded: Seeded, runner: TaskRunner
) -> None:
    dialog = LoginDialog(store, runner, username="admin")
    qtbot.addWidget(dialog)
    dialog.password.setText(PASSWORD)
    dialog.submit()
    assert dialog.user is not None and dialog.first_page is not None
    assert dialog.first_page.ids == [seeded.food, seeded.drug, seeded.env]

    window = MainWindow(
        store, dialog.user, SiteConfig(), TaskRunner(), first_page=dialog.first_page
    )
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.ready, timeout=10000):
        window.start()
        assert window.is_ready, "the rows are in place before the first paint"
        assert window.model.case_ids() == [seeded.food, seeded.drug, seeded.env]


def test_the_header_shows_the_column_titles(window: MainWindow) -> None:
    header = window.table.horizontalHeader()
    titles = [
        header.model().headerData(n, Qt.Orientation.Horizontal) for n in range(header.count())
    ]
    assert titles[:3] == ["案号", "案件名称", "当事人"]
    assert header.count() == window.model.columnCount()


def test_a_store_refusing_the_read_ahead_does_not_fail_the_sign_in(
    qtbot: QtBot, store: Store, seeded: Seeded, runner: TaskRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    def locked(*_args: object) -> None:
        raise StorageError("数据库被占用")

    monkeypatch.setattr(case_table, "read_first_page", locked)
    dialog = LoginDialog(store, runner, username="admin")
    qtbot.addWidget(dialog)
    dialog.password.setText(PASSWORD)
    dialog.submit()
    assert dialog.user is not None and dialog.first_page is None


def test_garbage_collection_is_back_on_when_a_dialog_waits_or_the_window_settles(
    qtbot: QtBot, data_paths: DataPaths, runner: TaskRunner
) -> None:
    store = open_store(data_paths)
    seed_cases(store)
    store.close()
    try:
        gc.disable()  # as main.load_gui leaves it
        startup = Startup(data_paths, SiteConfig(), runner)
        startup.start()
        assert isinstance(startup.dialog, LoginDialog)
        assert gc.isenabled(), "the login dialog may wait for minutes"
        startup.close()

        gc.disable()
        startup = Startup(data_paths, SiteConfig(), TaskRunner(), signed_in_as="admin")
        with qtbot.waitSignal(startup.window_shown, timeout=10000):
            startup.start()
        window = startup.window
        assert window is not None
        qtbot.addWidget(window)
        window.settled.connect(resume_gc)  # as run_gui connects it
        with qtbot.waitSignal(window.settled, timeout=10000):
            pass
        assert gc.isenabled()
        qtbot.waitUntil(lambda: startup.runner.pending == 0)
        startup.close()
    finally:
        gc.enable()


def test_the_table_does_not_move_when_the_tool_bars_fill_in(
    qtbot: QtBot, store: Store, seeded: Seeded, runner: TaskRunner
) -> None:
    window = MainWindow(store, seeded.admin, SiteConfig(), runner)
    qtbot.addWidget(window)
    window.show()
    first: list[QRect] = []

    def at_first_paint() -> None:
        if not first:
            first.append(QRect(window.table.mapTo(window, QPoint(0, 0)), window.table.size()))

    window.table.painted.connect(at_first_paint)
    with qtbot.waitSignal(window.ready, timeout=5000):
        window.start()
    qtbot.waitUntil(lambda: window.is_settled, timeout=5000)
    assert window.entry is not None and window.dashboard_launcher is not None
    qtbot.wait(50)  # the filled tool bars are laid out
    assert first, "the table painted before the window settled"
    assert QRect(window.table.mapTo(window, QPoint(0, 0)), window.table.size()) == first[0]
    assert window.search.placeholderText()  # filled in once settled
