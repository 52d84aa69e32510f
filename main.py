"""Composition root: parse the command line, then start the GUI or run a command.

Only this file and ``app/ui/`` import Qt. ``python main.py`` and ``xianjie`` are the same.
"""

import gc
import sys
from collections.abc import Callable, Sequence

from app.cli import parse_args, run


def _gui_probe() -> str:
    from app.ui.probe import offscreen_probe

    return offscreen_probe()


def load_gui() -> Callable[..., int]:
    """Import the desktop app and return its ``run_gui``.

    The Qt-free modules the main window reads with are imported before PySide6: once PySide6
    is loaded it reads the source of every module imported after it (its ``__feature__``
    check), which costs start-up time for nothing; :mod:`app.ui.qtcompat` comes first of the
    Qt modules and makes that check a plain read of the file. The cyclic garbage collector is
    off until the first page is painted or a dialog waits for the user
    (``app.ui.application.resume_gc``). PySide6's own support modules are compiled once and
    their bytecode kept in the user's cache folder (:mod:`app.ui.bytecode_cache`).
    """
    gc.disable()
    import app.domain.identity
    import app.store.case_list
    import app.store.profile
    from app.paths import user_cache_dir
    from app.ui.bytecode_cache import support_bytecode_cached

    with support_bytecode_cached(user_cache_dir()):
        # first of the Qt modules: it makes PySide6's per-module check cheap for the rest
        import app.ui.qtcompat  # noqa: F401
    from app.ui.application import run_gui

    return run_gui


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.command in (None, "gui"):
        return load_gui()(args)
    return run(args, gui_probe=_gui_probe)


if __name__ == "__main__":
    sys.exit(main())
