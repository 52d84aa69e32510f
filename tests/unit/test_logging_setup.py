"""Start-up log buffering: records logged before the file exists still reach it."""

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.logging_setup import buffer_logging, configure_logging


@pytest.fixture(autouse=True)
def _restore_root() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


def test_buffered_records_are_written_when_the_file_opens(tmp_path: Path) -> None:
    buffer_logging()
    logging.getLogger("xianjie.test").warning("早期记录 %d", 1)
    logging.getLogger("xianjie.test").debug("below the level")
    log_file = configure_logging(tmp_path / "logs")
    logging.getLogger("xianjie.test").warning("later")
    assert log_file is not None
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = log_file.read_text(encoding="utf-8")
    assert "早期记录 1" in text and "later" in text
    assert "below the level" not in text
    assert text.index("早期记录") < text.index("later")


def test_unwritable_folder_swallows_records(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert configure_logging(blocker / "logs") is None
    logging.getLogger("xianjie.test").error("nowhere to go")
    assert "nowhere to go" not in capsys.readouterr().err
