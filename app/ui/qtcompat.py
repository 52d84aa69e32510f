"""Work-arounds for defects in the Qt binding, detected at import and applied only if present.

PySide6 6.12.0 ``SignalInstance.emit()`` returns ``True`` without taking a reference. Every
emit from Python whose result is dropped decrements ``True``'s reference count; on Python
3.11 (where ``True`` is not immortal) the process aborts after a few thousand emits with
"Fatal Python error: bool_dealloc". :func:`emit` gives the reference back when the defect is
present. All Python-side emits in ``app/ui`` go through it.
"""

import sys
from typing import Any

from PySide6.QtCore import QObject, Signal, SignalInstance


class _Probe(QObject):
    ping = Signal()


def _emit_steals_true() -> bool:
    probe = _Probe()
    before = sys.getrefcount(True)
    probe.ping.emit()
    after = sys.getrefcount(True)
    if after < before:
        _give_back_true()  # repair the probe's own emit
        return True
    return False


def _give_back_true() -> None:
    import ctypes  # only on an affected PySide6 (ctypes costs start-up time otherwise)

    ctypes.pythonapi.Py_IncRef(ctypes.py_object(True))


EMIT_STEALS_TRUE = _emit_steals_true()
"""True when this PySide6 has the borrowed-``True`` defect in ``emit()``."""


def emit(signal: SignalInstance, *args: Any) -> None:
    """``signal.emit(*args)``, safe on PySide6 releases whose ``emit`` leaks a reference."""
    result: object = signal.emit(*args)  # type: ignore[func-returns-value]
    if EMIT_STEALS_TRUE and result is True:
        _give_back_true()
