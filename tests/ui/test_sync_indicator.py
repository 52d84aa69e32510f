"""The status-bar sync indicator against a real central server on loopback."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.ui.main_window import MainWindow
from tests.sync_helpers import Central, connect_store, start_central


@pytest.fixture
def central(tmp_path: Path) -> Iterator[Central]:
    server, thread = start_central(f"sqlite:///{tmp_path / 'central.db'}", tmp_path / "blobs")
    server.create_unit("A", "enforcement", "徐州市铜山生态环境局")
    yield server
    thread.stop()
    server.db.close()


def test_not_connected_shows_so_and_sync_now_says_why(qtbot: QtBot, window: MainWindow) -> None:
    indicator = window.sync_indicator
    # the first status read comes a moment after the case list's first page (start-up)
    qtbot.waitUntil(lambda: indicator.status is not None, timeout=10000)
    assert indicator.status is not None and indicator.status.server_url is None
    assert indicator.label.text() == "平台：未连接"
    indicator.sync_now()
    assert not indicator.running
    assert "xianjie setup" in indicator.problem and indicator.label.toolTip() == indicator.problem


def test_sync_now_pushes_and_shows_what_the_platform_refused(
    qtbot: QtBot, window: MainWindow, central: Central
) -> None:
    connect_store(window.store, central.url, central.token("A"))
    indicator = window.sync_indicator
    indicator.refresh()
    assert indicator.status is not None and indicator.status.pending > 0
    assert "等待发送" in indicator.label.text()
    with qtbot.waitSignal(indicator.synced, timeout=20000) as done:
        qtbot.mouseClick(indicator.button, Qt.MouseButton.LeftButton)
    report = done.args[0]
    assert report.rejected > 0  # the seeded cases belong to units the platform does not know
    status = indicator.status
    assert status is not None and status.pending == 0 and status.errors == report.rejected
    assert status.last_success is not None
    assert "被拒绝" in indicator.label.text() and indicator.button.isEnabled()


def test_a_conflict_is_settled_in_the_dialog_and_sent_again(
    qtbot: QtBot, window: MainWindow, central: Central, tmp_path: Path
) -> None:
    from app.paths import DataPaths
    from app.store.db import open_store
    from app.store.models import Case
    from app.sync.setup import settings
    from tests.sync_helpers import new_case, sync

    store = window.store
    connect_store(store, central.url, central.token("A"))
    case_id = new_case(store, settings(store)["unit_id"], "原标题")
    indicator = window.sync_indicator
    indicator.sync_now()
    assert indicator.problem == "", indicator.problem
    other = open_store(DataPaths(tmp_path / "other-desk"))
    try:
        connect_store(other, central.url, central.token("A", "other"))
        sync(other)
        with other.session() as session:
            session.get_one(Case, case_id).title = "另一台电脑的标题"
        sync(other)
    finally:
        other.close()
    with store.session() as session:
        session.get_one(Case, case_id).title = "本机的标题"
    indicator.sync_now()
    assert indicator.status is not None and indicator.status.conflicts == 1
    assert indicator.conflicts_button.isVisible()
    indicator.open_conflicts()
    dialog = indicator.dialog
    assert dialog is not None and list(dialog.choices) == [case_id]
    assert dialog.decisions() == {case_id: {"title": "server"}}
    dialog.keep_local(case_id, "title")
    with qtbot.waitSignal(dialog.resolved, timeout=5000):
        dialog.apply()
    assert indicator.status.conflicts == 0 and indicator.status.pending == 1
    assert not indicator.conflicts_button.isVisible()
    indicator.sync_now()
    import json

    from central.models import ServerRecord

    with central.db.session() as session:
        assert json.loads(session.get_one(ServerRecord, case_id).data)["title"] == "本机的标题"
