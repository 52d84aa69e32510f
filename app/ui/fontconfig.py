"""Start fontconfig while the GUI thread would otherwise wait for the store.

On Linux, Qt's first text measurement initialises fontconfig: it parses the configuration
files and maps the font caches (5-7 ms, on the GUI thread, inside the main window's
construction). Start-up opens the store on a worker thread and the GUI thread waits for it
with nothing to do, so :func:`init_during_wait` does that initialisation then. It calls
``FcInit`` through ctypes, which releases the interpreter lock, so the worker is not held up;
Qt's own ``FcInit`` call later finds the configuration loaded. The library is the one Qt
already loaded (``dlopen`` by its soname returns it). Anything unexpected (no fontconfig,
another platform) leaves the work to Qt, as before.

Tried and dropped before this: the same call on a helper thread during the imports, where
it competed with the GUI thread for the two CPUs (docs/design-notes.md).
"""

import sys


def init_during_wait() -> bool:
    """Initialise fontconfig now; True if it was done here."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        library = ctypes.CDLL("libfontconfig.so.1")
        return bool(library.FcInit())
    except (OSError, AttributeError):
        return False
