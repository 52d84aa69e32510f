"""Command modules: each feature adds its CLI commands here, one module per feature.

A module in this package defines ``COMMANDS: list[Command]``. :func:`discover` imports every
module of the package (so keep their top level light: import heavy things inside ``run``),
and ``app.cli`` adds each command to the parser and dispatches to its ``run``. The contract
for every command is DESIGN.md's: exit 0 on success; raise :class:`app.errors.UserError` for a
handled failure (the CLI prints one Chinese line and exits 1); ``--json`` for machine output
(print with ``app.cli.print_json``).
"""

import argparse
import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.cli import Context


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[["Context"], int]


def discover() -> list[Command]:
    """Every command of every module in this package, in module-name order."""
    found: list[Command] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        found.extend(getattr(module, "COMMANDS", []))
    return found
