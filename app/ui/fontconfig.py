"""Fontconfig work done while the GUI thread would otherwise wait for the store.

On Linux, Qt's first text measurement initialises fontconfig: it parses the configuration
files and maps the font caches (5-7 ms, on the GUI thread, inside the main window's
construction). Start-up opens the store on a worker thread and the GUI thread waits for it
with nothing to do, so :func:`init_during_wait` does that initialisation then. It calls
``FcInit`` through ctypes, which releases the interpreter lock, so the worker is not held up;
Qt's own ``FcInit`` call later finds the configuration loaded. The library is the one Qt
already loaded (``dlopen`` by its soname returns it). Anything unexpected (no fontconfig,
another platform) leaves the work to Qt, as before.

:func:`han_ui_family` answers, in the same wait, whether the desktop's UI font has Chinese
glyphs and, if not, which family fontconfig prefers for Simplified Chinese
(``sans-serif:lang=zh-cn``, as ``fc-match`` would answer it, so the desk's own font settings
decide). See :func:`app.ui.application.prepare_fonts` for why the app then uses it.

Tried and dropped before this: the same call on a helper thread during the imports, where
it competed with the GUI thread for the two CPUs (docs/design-notes.md).
"""

import functools
import sys
from typing import Any

HAN_PROBE = "衔接案件中"
"""Characters a UI font must have to count as covering Chinese (the app's name and common
words of its UI)."""

_MATCH_PATTERN = 0  # FcMatchPattern
_RESULT_MATCH = 0  # FcResultMatch


@functools.cache
def _library() -> Any:
    """The fontconfig Qt loaded (once: both calls below share it and its argument types)."""
    import ctypes

    return _Fontconfig(ctypes.CDLL("libfontconfig.so.1"))


def init_during_wait() -> bool:
    """Initialise fontconfig now; True if it was done here."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        return bool(_library().lib.FcInit())
    except (OSError, AttributeError):
        return False


def han_ui_family(ui_family: str) -> str | None:
    """The family to use for the UI when ``ui_family`` has no Chinese glyphs: the one
    fontconfig prefers for Simplified Chinese, if that one has them. None when ``ui_family``
    covers Chinese already, when no installed font does, or without fontconfig."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        fc = _library()
        ui = fc.match(ui_family, None, HAN_PROBE)
        if ui is None or ui[1]:
            return None
        chinese = fc.match("sans-serif", "zh-cn", HAN_PROBE)
    except (OSError, AttributeError, UnicodeDecodeError):
        return None
    return chinese[0] if chinese is not None and chinese[1] else None


class _Fontconfig:
    """The few fontconfig calls :func:`han_ui_family` needs, typed for ctypes."""

    def __init__(self, lib: Any) -> None:
        import ctypes

        self.ctypes = ctypes
        self.lib = lib
        pointer, text = ctypes.c_void_p, ctypes.c_char_p
        lib.FcPatternCreate.restype = pointer
        lib.FcPatternAddString.argtypes = [pointer, text, text]
        lib.FcConfigSubstitute.argtypes = [pointer, pointer, ctypes.c_int]
        lib.FcDefaultSubstitute.argtypes = [pointer]
        lib.FcDefaultSubstitute.restype = None
        lib.FcFontMatch.argtypes = [pointer, pointer, ctypes.POINTER(ctypes.c_int)]
        lib.FcFontMatch.restype = pointer
        lib.FcPatternGetString.argtypes = [pointer, text, ctypes.c_int, ctypes.POINTER(text)]
        lib.FcPatternGetCharSet.argtypes = [pointer, text, ctypes.c_int, ctypes.POINTER(pointer)]
        lib.FcCharSetHasChar.argtypes = [pointer, ctypes.c_uint32]
        lib.FcPatternDestroy.argtypes = [pointer]
        lib.FcPatternDestroy.restype = None

    def match(self, family: str, lang: str | None, probe: str) -> tuple[str, bool] | None:
        """The family of the font fontconfig would draw ``family`` (in ``lang``) with, as
        ``fc-match`` answers, and whether that font has every character of ``probe``."""
        lib, ctypes = self.lib, self.ctypes
        pattern = lib.FcPatternCreate()
        if not pattern:
            return None
        try:
            lib.FcPatternAddString(pattern, b"family", family.encode())
            if lang:
                lib.FcPatternAddString(pattern, b"lang", lang.encode())
            lib.FcConfigSubstitute(None, pattern, _MATCH_PATTERN)
            lib.FcDefaultSubstitute(pattern)
            result = ctypes.c_int(_RESULT_MATCH)
            found = lib.FcFontMatch(None, pattern, ctypes.byref(result))
        finally:
            lib.FcPatternDestroy(pattern)
        if not found:
            return None
        try:
            name = ctypes.c_char_p()
            charset = ctypes.c_void_p()
            if (
                lib.FcPatternGetString(found, b"family", 0, ctypes.byref(name)) != _RESULT_MATCH
                or not name.value
                or lib.FcPatternGetCharSet(found, b"charset", 0, ctypes.byref(charset))
                != _RESULT_MATCH
            ):
                return None
            covers = all(lib.FcCharSetHasChar(charset, ord(char)) for char in probe)
            return name.value.decode("utf-8"), covers
        finally:
            lib.FcPatternDestroy(found)
