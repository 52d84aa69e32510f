"""The crash handler: an unexpected exception writes a log and shows a dialog.

Expected problems (:class:`~app.errors.UserError`) never come here; they are shown as notices.
Everything else is a bug: :func:`install_crash_handler` replaces ``sys.excepthook`` so that
such an exception writes ``logs/crash-YYYYmmdd-HHMMSS.log`` (traceback and versions) into the
data folder and shows a dialog that offers to copy the report. With the environment variable
``XIANJIE_NO_CRASH_DIALOG=1`` (set by the tests) no modal box is shown; the log is still written.
"""

import logging
import os
import sys
import traceback
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from types import TracebackType

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import qVersion
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from app import __version__


def _platform() -> str:
    import platform  # only when a crash report is written: keeps it off the start-up path

    return platform.platform()


log = logging.getLogger(__name__)

NO_DIALOG_ENV = "XIANJIE_NO_CRASH_DIALOG"

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], None]


def dialogs_enabled() -> bool:
    """False when ``XIANJIE_NO_CRASH_DIALOG=1``: tests and headless runs get no modal boxes."""
    return os.environ.get(NO_DIALOG_ENV, "") not in ("1", "true", "yes")


def version_report() -> str:
    import sqlalchemy

    return "\n".join(
        [
            f"Xianjie {__version__}",
            f"Python {sys.version.split()[0]} ({_platform()})",
            f"Qt {qVersion()}, PySide6 {pyside_version}",
            f"Qt platform {QGuiApplication.platformName() or '-'}",
            f"SQLAlchemy {sqlalchemy.__version__}",
        ]
    )


def crash_report(
    exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> str:
    stack = "".join(traceback.format_exception(exc_type, exc, tb))
    when = datetime.now().isoformat(timespec="seconds")
    return f"Xianjie crash report, {when}\n\n{version_report()}\n\n{stack}"


def write_crash_log(log_dir: Path | None, report: str) -> Path | None:
    """Write ``report`` into ``log_dir``; None if the folder cannot be written (full, read-only)."""
    if log_dir is None:
        return None
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = log_dir / f"crash-{stamp}.log"
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        target.write_text(report, encoding="utf-8")
    except OSError:
        log.exception("cannot write crash log to %s", target)
        return None
    return target


class CrashHandler:
    """The ``sys.excepthook`` replacement; keeps the previous hook to restore it."""

    def __init__(self, log_dir: Path | None) -> None:
        self.log_dir = log_dir
        self.previous: ExceptHook = sys.excepthook
        self.last_log: Path | None = None
        self._showing = False

    def __call__(
        self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            self.previous(exc_type, exc, tb)
            return
        report = crash_report(exc_type, exc, tb)
        log.error("unexpected error\n%s", report)
        self.last_log = write_crash_log(self.log_dir, report)
        sys.stderr.write(report)
        if self._showing or not dialogs_enabled() or QApplication.instance() is None:
            return
        self._showing = True
        try:
            from app.ui.crash_dialog import CrashDialog

            CrashDialog(report, self.last_log, QApplication.activeWindow()).exec()
        finally:
            self._showing = False

    def uninstall(self) -> None:
        if sys.excepthook is self:
            sys.excepthook = self.previous


def install_crash_handler(log_dir: Path | None) -> CrashHandler:
    handler = CrashHandler(log_dir)
    sys.excepthook = handler
    return handler
