"""Entry point of the frozen ``xianjie`` executable (PyInstaller onedir).

The same program as ``python main.py`` / ``.venv/bin/xianjie``, plus what freezing needs:

- ``multiprocessing.freeze_support()`` first, so a multiprocessing child started from the
  bundle runs its task instead of a second copy of the app.
- A hidden worker mode. From source, helpers start worker processes as
  ``sys.executable -m MODULE ARGS`` (the SANE scan worker). In the bundle ``sys.executable``
  is this program, so ``xianjie -m MODULE ARGS`` runs that module as ``__main__``, but only
  for the modules in :data:`WORKER_MODULES`: the bundle is not a general Python interpreter.
- A windowed executable (Windows ``xianjie.exe``) gets null output streams instead of None.
- Child programs (tesseract, pdftoppm, fc-list, scanimage) get the library search path the
  user started the app with, not the bundle's, so they load the system's own libraries.
"""

import multiprocessing
import os
import runpy
import sys

WORKER_MODULES = frozenset(
    {
        "app.documents.scanners.sane_worker",
    }
)
"""Modules the bundle runs as worker processes (``xianjie -m MODULE``)."""


def _restore_library_path() -> None:
    """Give child processes the caller's LD_LIBRARY_PATH (the bootloader saved it as _ORIG)."""
    if not getattr(sys, "frozen", False) or sys.platform != "linux":
        return
    original = os.environ.pop("LD_LIBRARY_PATH_ORIG", None)
    if original is not None:
        os.environ["LD_LIBRARY_PATH"] = original
    else:
        os.environ.pop("LD_LIBRARY_PATH", None)


def _run_worker(argv: list[str]) -> int:
    """``-m MODULE ARGS``: run an allowed worker module as ``__main__``."""
    if len(argv) < 2 or argv[1] not in WORKER_MODULES:
        name = argv[1] if len(argv) > 1 else ""
        print(f"xianjie：不支持的工作进程模块 “{name}”", file=sys.stderr)
        return 2
    module = argv[1]
    sys.argv = [module, *argv[2:]]
    runpy.run_module(module, run_name="__main__", alter_sys=True)
    return 0


def _give_windowed_exe_streams() -> None:
    """A windowed Windows executable starts with ``sys.stdout``/``sys.stderr`` set to None;
    a stray print or a library writing a warning must not crash the app (logs go to files)."""
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115


def run() -> int:
    _give_windowed_exe_streams()
    multiprocessing.freeze_support()
    _restore_library_path()
    if len(sys.argv) > 1 and sys.argv[1] == "-m":
        return _run_worker(sys.argv[1:])
    import main

    return main.main()


if __name__ == "__main__":
    sys.exit(run())
