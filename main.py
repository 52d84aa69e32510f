"""Composition root: parse the command line, then start the GUI or run a command.

Only this file and ``app/ui/`` import Qt. ``python main.py`` and ``xianjie`` are the same.
"""

import sys
from collections.abc import Sequence

from app.cli import parse_args, run


def _gui_probe() -> str:
    from app.ui.probe import offscreen_probe

    return offscreen_probe()


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.command in (None, "gui"):
        from app.ui.application import run_gui

        return run_gui(args)
    return run(args, gui_probe=_gui_probe)


if __name__ == "__main__":
    sys.exit(main())
