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


def test_not_connected_shows_so_and_sync_now_does_nothing(window: MainWindow) -> None:
    indicator = window.sync_indicator
    assert indicator.status is not None and indicator.status.server_url is None
    assert indicator.label.text() == "Platform: not connected"
    assert not indicator.button.isEnabled()
    indicator.sync_now()
    assert not indicator.running


def test_sync_now_pushes_and_shows_what_the_platform_refused(
    qtbot: QtBot, window: MainWindow, central: Central
) -> None:
    connect_store(window.store, central.url, central.token("A"))
    indicator = window.sync_indicator
    indicator.refresh()
    assert indicator.status is not None and indicator.status.pending > 0
    assert "waiting to send" in indicator.label.text()
    with qtbot.waitSignal(indicator.synced, timeout=20000) as done:
        qtbot.mouseClick(indicator.button, Qt.MouseButton.LeftButton)
    report = done.args[0]
    assert report.rejected > 0  # the seeded cases belong to units the platform does not know
    status = indicator.status
    assert status is not None and status.pending == 0 and status.errors == report.rejected
    assert status.last_success is not None
    assert "refused" in indicator.label.text() and indicator.button.isEnabled()
