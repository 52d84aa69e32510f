"""Start the desktop app: translators, crash handler, store, first run, login, main window.

``run_gui(args)`` is called by ``main.py`` for the ``gui`` command. The start-up steps are a
small chain of callbacks in :class:`Startup` (no nested event loops), so tests can drive each
step with a synchronous task runner:

1. open the store in the background (a corrupt, newer or unwritable database is refused by
   :func:`~app.store.db.open_store` with a Chinese message, shown in a box; exit 1, nothing
   on disk touched);
2. on first start, :class:`~app.ui.first_run.FirstRunDialog` (set up the unit, or demo data);
3. :class:`~app.ui.login.LoginDialog`;
4. :class:`~app.ui.main_window.MainWindow`.
"""

import argparse
import gc
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from PySide6 import QtWidgets
from PySide6.QtCore import QLibraryInfo, QLocale, QObject, QTranslator, Signal
from PySide6.QtWidgets import QApplication

from app.domain.identity import SignedInUser
from app.errors import UserError
from app.paths import DataPaths
from app.site_config import SiteConfig
from app.store import profile
from app.store.case_list import CaseFilter
from app.store.db import Store, open_store
from app.ui.case_table import FirstPage, read_ahead
from app.ui.crash import dialogs_enabled, install_crash_handler
from app.ui.main_window import MainWindow
from app.ui.qtcompat import emit
from app.ui.tasks import TaskRunner

if TYPE_CHECKING:  # the dialogs (and the ORM they use) load only when a start needs them
    from PySide6.QtWidgets import QDialog

    from app.ui.first_run import FirstRunDialog
    from app.ui.login import LoginDialog

log = logging.getLogger(__name__)

I18N_DIR = Path(__file__).resolve().parent / "i18n"
"""Compiled translations (.qm) shipped inside the package (built by tools/build_translations.py)."""


def install_translators(app: QApplication, language: str) -> list[QTranslator]:
    """Install Xianjie's and Qt's own translations for ``language``; English needs none."""
    if language == "en":
        return []
    installed: list[QTranslator] = []
    ours = QTranslator(app)
    if ours.load(str(I18N_DIR / f"xianjie_{language}.qm")):
        installed.append(ours)
    else:
        log.warning("translation xianjie_%s.qm not found in %s", language, I18N_DIR)
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    qt_base = QTranslator(app)
    if qt_base.load(f"qtbase_{language}", qt_dir):
        installed.append(qt_base)
    for translator in installed:
        app.installTranslator(translator)
    QLocale.setDefault(QLocale(language))
    return installed


def resume_gc() -> None:
    """Switch the cyclic garbage collector back on after start-up (``main.load_gui`` turns it
    off: the imports and the first window allocate a lot and keep nearly all of it, so the
    collections during start-up find almost nothing). What start-up made is frozen, so later
    full collections do not walk it again."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


DESKTOP_FILE_NAME = "xianjie"
"""The desktop entry the .deb installs (installer/linux/xianjie.desktop, ``Icon=xianjie``).
Set before any window is shown: Wayland takes a window's app id when it is created."""


def set_window_icon(window: QtWidgets.QWidget) -> None:
    """The themed ``xianjie`` icon (installed with the desktop entry), where there is one.
    Called once the window has settled: looking up a themed icon reads the icon theme, which
    the first paint does not need."""
    from PySide6.QtGui import QIcon

    icon = QIcon.fromTheme(DESKTOP_FILE_NAME)
    if not icon.isNull():
        window.setWindowIcon(icon)


def prepare_fonts(app: QApplication) -> None:
    """Initialise fontconfig and settle the UI font, while the store opens.

    Where the desktop's UI font has no Chinese glyphs (a desk whose font settings were made
    for another language, the generic and offscreen platforms, where Qt's default is
    ``Sans Serif``), the app's font becomes the family fontconfig prefers for Simplified
    Chinese, at the same size. Latin and Chinese text then come from one font, with one set of
    metrics (mixed case numbers such as 徐环罚〔2024〕12号 sit on one baseline), and painting
    skips Qt's per-character search through the fallback fonts (measured: the first paint of
    the case list ~6 ms sooner, every repaint ~20% cheaper). A desk whose UI font has Chinese
    glyphs keeps it. Without fontconfig (Windows) nothing changes."""
    from app.ui.fontconfig import han_ui_family, init_during_wait

    if not init_during_wait():
        return
    font = app.font()
    family = han_ui_family(font.family())
    if family is not None:
        font.setFamilies([family])
        app.setFont(font)


def show_fatal(title: str, message: str) -> None:
    """A blocking error box (or stderr when dialogs are switched off)."""
    print(f"{title}：{message}", file=sys.stderr)
    if dialogs_enabled() and QApplication.instance() is not None:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.critical(None, title, message)


class _Opened(NamedTuple):  # not a dataclass: it would compile its methods at every start
    store: Store
    first_run: bool
    unit_name: str
    preset_user: SignedInUser | None
    first_page: FirstPage | None = None


def _open(paths: DataPaths, signed_in_as: str | None) -> _Opened:
    """Open the store and read what the next step needs, in plain sqlite3 (no ORM import:
    see :mod:`app.store.case_list`). A user already signed in gets the case list's first
    page read here too, as a sign-in through the dialog does."""
    store = open_store(paths)
    try:
        with store.reading() as conn:
            first_run = not profile.has_users(conn)
            unit_name = profile.home_unit_name(conn)
            preset = profile.active_user(conn, signed_in_as) if signed_in_as else None
        if signed_in_as and preset is None:
            raise UserError(f"没有用户 {signed_in_as}")
    except BaseException:
        store.close()
        raise
    first_page = read_ahead(store, CaseFilter()) if preset is not None else None
    return _Opened(store, first_run, unit_name, preset, first_page)


class Startup(QObject):
    """The start-up chain.

    Signals:
        window_shown(MainWindow): the main window is up (the app is usable once it is ready).
        finished(int): start-up ended without a main window; the payload is the exit code.
    """

    window_shown = Signal(object)
    finished = Signal(int)

    def __init__(
        self,
        paths: DataPaths,
        site: SiteConfig,
        runner: TaskRunner,
        *,
        site_problem: str | None = None,
        signed_in_as: str | None = None,
        demo_cases: int | None = None,
        on_wait: Callable[[], None] | None = None,
    ) -> None:
        super().__init__()
        self.on_wait = on_wait
        """GUI-thread work to do while the store opens (``run_gui``: :func:`prepare_fonts`)."""
        self.paths = paths
        self.site = site
        self.runner = runner
        self.site_problem = site_problem
        self.signed_in_as = signed_in_as
        self.demo_cases = demo_cases
        self.store: Store | None = None
        self.unit_name = ""
        self.dialog: QDialog | None = None
        self.window: MainWindow | None = None

    def start(self) -> None:
        paths, who = self.paths, self.signed_in_as
        if self.runner.synchronous and self.on_wait is not None:
            self.on_wait()  # the store opens at once: before the dialogs or the window
        self.runner.run(lambda: _open(paths, who), self._opened, self._open_failed)
        if not self.runner.synchronous and self.on_wait is not None:
            self.on_wait()  # the GUI thread waits for the store anyway

    def _open_failed(self, exc: BaseException) -> None:
        if isinstance(exc, UserError):
            log.error("cannot open the store: %s", exc)
            show_fatal(self.tr("Xianjie cannot start"), str(exc))
        else:
            self.runner.report_failure(exc)
        emit(self.finished, 1)

    def _opened(self, opened: _Opened) -> None:
        self.store = opened.store
        self.unit_name = opened.unit_name
        if opened.preset_user is not None:
            self.show_main_window(opened.preset_user, opened.first_page)
        elif opened.first_run:
            self._show_first_run()
        else:
            self._show_login()

    def _show_first_run(self) -> None:
        resume_gc()  # a dialog waits for the user; demo data allocates a lot
        from app.ui.first_run import FirstRunDialog

        assert self.store is not None
        from app.ui.first_run import DEMO_CASES

        dialog = FirstRunDialog(self.store, self.runner, demo_cases=self.demo_cases or DEMO_CASES)
        dialog.finished.connect(lambda _code: self._first_run_done(dialog))
        self.dialog = dialog
        dialog.open()

    def _first_run_done(self, dialog: "FirstRunDialog") -> None:
        dialog.deleteLater()
        if dialog.result() != QtWidgets.QDialog.DialogCode.Accepted:
            emit(self.finished, 0)
        elif dialog.user is not None:
            self.show_main_window(dialog.user)
        else:
            self._show_login(dialog.demo_username or "")

    def _show_login(self, username: str = "") -> None:
        resume_gc()
        from app.ui.login import LoginDialog

        assert self.store is not None
        dialog = LoginDialog(self.store, self.runner, username=username, unit_name=self.unit_name)
        dialog.finished.connect(lambda _code: self._login_done(dialog))
        self.dialog = dialog
        dialog.open()

    def _login_done(self, dialog: "LoginDialog") -> None:
        dialog.deleteLater()
        if dialog.result() != QtWidgets.QDialog.DialogCode.Accepted or dialog.user is None:
            emit(self.finished, 0)
            return
        self.show_main_window(dialog.user, dialog.first_page)

    def show_main_window(
        self, user: SignedInUser, first_page: FirstPage | None = None
    ) -> MainWindow:
        assert self.store is not None
        self.dialog = None
        window = MainWindow(self.store, user, self.site, self.runner, first_page=first_page)
        self.window = window
        window.show()
        if self.site_problem:
            window.notices.show_notice(self.site_problem)
        window.start()
        emit(self.window_shown, window)
        return window

    def close(self) -> None:
        if self.store is not None:
            self.store.close()


def run_gui(
    args: argparse.Namespace,
    *,
    signed_in_as: str | None = None,
    on_window: Callable[[MainWindow], None] | None = None,
) -> int:
    """The ``gui`` command. ``signed_in_as`` and ``on_window`` exist for the start-up benchmark."""
    from app.cli import Context
    from app.logging_setup import buffer_logging, configure_logging

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Xianjie")
    app.setApplicationDisplayName("衔接")
    app.setOrganizationName("Xianjie")
    app.setDesktopFileName(DESKTOP_FILE_NAME)  # task bars match windows to xianjie.desktop
    ctx = Context(args)
    verbose = bool(getattr(args, "verbose", False))
    buffer_logging(verbose=verbose)  # the log file is opened once the window is up
    log_file_open = False

    def open_log_file() -> None:
        nonlocal log_file_open
        if not log_file_open:
            log_file_open = True
            configure_logging(ctx.paths.logs, verbose=verbose)

    install_translators(app, ctx.site.language)
    crash = install_crash_handler(ctx.paths.logs)
    runner = TaskRunner(parent=app)
    startup = Startup(
        ctx.paths,
        ctx.site,
        runner,
        site_problem=ctx.site_problem,
        signed_in_as=signed_in_as,
        on_wait=lambda: prepare_fonts(app),
    )
    app.setQuitOnLastWindowClosed(False)  # dialogs come and go before the main window

    def window_up(window: MainWindow) -> None:
        app.setQuitOnLastWindowClosed(True)
        window.settled.connect(open_log_file)  # after the first page is painted
        window.settled.connect(resume_gc)
        window.settled.connect(lambda: set_window_icon(window))
        if on_window is not None:
            on_window(window)

    startup.window_shown.connect(window_up)
    startup.finished.connect(app.exit)
    startup.start()
    try:
        code = app.exec()
    finally:
        resume_gc()
        runner.wait_idle()
        startup.close()
        crash.uninstall()
        open_log_file()  # a start that ended early still writes what it logged
    return int(code)
