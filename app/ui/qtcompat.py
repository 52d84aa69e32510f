"""Work-arounds for defects in the Qt binding, detected at import and applied only if present.

PySide6 6.12.0 ``SignalInstance.emit()`` returns ``True`` without taking a reference. Every
emit from Python whose result is dropped decrements ``True``'s reference count; on Python
3.11 (where ``True`` is not immortal) the process aborts after a few thousand emits with
"Fatal Python error: bool_dealloc". :func:`emit` gives the reference back when the defect is
present. All Python-side emits in ``app/ui`` go through it.

PySide6's ``__feature__`` import hook asks, once per module imported after PySide6, whether
the module's source mentions "PySide6", through ``inspect.getsource`` (linecache, tokenize):
0.1-0.8 ms a module, 5-7 ms over the GUI's start. :func:`_install_quick_feature_check`
answers the same question by reading the file's bytes. It is installed when this module is
imported, which ``main.load_gui`` does first of the Qt modules.
"""

import sys
from types import ModuleType
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


def _install_quick_feature_check() -> bool:
    """Replace ``__feature__._mod_uses_pyside`` with a check that gives the same answer for
    a module with a ``.py`` file (``b"PySide6" in`` its bytes, as ``"PySide6" in`` its
    source) and leaves every other module (extension, frozen, sourceless) to the original.
    Its answer only matters to a module that does ``from __feature__ import ...``, which
    Xianjie never does. Does nothing (and returns False) on a PySide6 without the hook."""
    feature = sys.modules.get("__feature__")
    original = getattr(feature, "_mod_uses_pyside", None)
    if feature is None or original is None or getattr(original, "quick", False):
        return False

    def uses_pyside(module: ModuleType) -> bool:
        path = getattr(module, "__file__", None)
        if isinstance(path, str) and path.endswith(".py"):
            try:
                with open(path, "rb") as source:
                    return b"PySide6" in source.read()
            except OSError:
                pass
        return bool(original(module))

    uses_pyside.quick = True  # type: ignore[attr-defined]
    feature._mod_uses_pyside = uses_pyside  # type: ignore[attr-defined]
    return True


QUICK_FEATURE_CHECK = _install_quick_feature_check()
"""True when PySide6's per-module ``__feature__`` check now reads bytes (see above)."""
