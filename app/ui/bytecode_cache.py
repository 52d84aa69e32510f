"""Keep the bytecode of PySide6's embedded support modules between starts.

Importing PySide6 runs shiboken's signature bootstrap, which loads some fourteen support
modules (``signature_bootstrap``, ``shibokensupport.*``: the signature parser, the ``.pyi``
generator, the ``__feature__`` switch ...) from a zip archive embedded in the Shiboken
library. Its importer calls ``compile()`` on their source at every start (about 3,500 lines,
~18 ms here) because, unlike modules on ``sys.path``, they have no ``__pycache__``.
:func:`support_bytecode_cached` remembers what those ``compile()`` calls return, as
``__pycache__`` would: while PySide6 is being imported, a ``compile()`` of one of those
files is answered from ``<cache>/<magic>/<hash>.bin`` when the source, its name and the mode
are the ones cached (and the file's checksum holds), and the result is written there
otherwise.

Nothing else is touched: other callers, other file names and calls with flags go straight
to the built-in ``compile``, which is put back when the import is over. A cache that cannot
be read or written (read-only home, a damaged file, a different Python) only means compiling,
as PySide6 always does. When a newer PySide6 brings new sources, the old files are removed
after the import once they are a month old (:meth:`_CachedCompile.prune`).
"""

import builtins
import importlib
import marshal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from importlib.util import MAGIC_NUMBER
from pathlib import Path
from types import CodeType
from typing import Any

from app.errors import StorageError
from app.store.files import write_atomic

SUPPORT_FILES = ("signature_bootstrap.py", "shibokensupport/")
"""The file names shiboken's embedded importer compiles (a prefix match)."""

_SUFFIX = ".bin"
_CHECKSUM_BYTES = 32
"""Each file is a truncated SHA-512 of its ``marshal`` data, then the data."""
STALE_AFTER_S = 30 * 24 * 3600
"""Unused cached files older than this go when a new PySide6 writes its own."""


def cache_folder(root: Path) -> Path:
    """Where this Python's bytecode goes: one folder per bytecode format."""
    return root / "pyside-support" / MAGIC_NUMBER.hex()


def _sha512() -> Any:
    """SHA-512 from the interpreter's built-in module (``random`` has loaded it already);
    ``hashlib`` would load OpenSSL first, ~4 ms of start-up."""
    for module in ("_sha2", "_sha512"):  # Python 3.12+, 3.11
        try:
            return importlib.import_module(module).sha512()
        except (ImportError, AttributeError):
            continue
    return importlib.import_module("hashlib").sha512()


def _key(source: bytes, filename: str, mode: str) -> str:
    digest = _sha512()
    for part in (filename.encode(), mode.encode(), source):
        digest.update(len(part).to_bytes(8, "little"))
        digest.update(part)
    return digest.hexdigest()


def _checksum(data: bytes) -> bytes:
    digest = _sha512()
    digest.update(data)
    return bytes(digest.digest()[:_CHECKSUM_BYTES])


def _load(path: Path, filename: str) -> CodeType | None:
    """The cached code, or None if the file is missing, damaged (its checksum does not match:
    ``marshal`` is not made to read damaged data) or not for ``filename``."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    stored, body = data[:_CHECKSUM_BYTES], data[_CHECKSUM_BYTES:]
    if len(stored) != _CHECKSUM_BYTES or _checksum(body) != stored:
        return None
    try:
        code = marshal.loads(body)
    except (EOFError, ValueError, TypeError):
        return None
    if not isinstance(code, CodeType) or code.co_filename != filename:
        return None
    return code


def _store(path: Path, code: CodeType) -> None:
    body = marshal.dumps(code)
    with suppress(StorageError):  # a cache that cannot be written: compile next time too
        write_atomic(path, _checksum(body) + body, durable=False)  # checksummed


class _CachedCompile:
    """The stand-in for ``builtins.compile`` during the import (see the module docstring)."""

    def __init__(self, folder: Path, original: Any) -> None:
        self.folder = folder
        self.original = original
        self.used: set[str] = set()
        self.written = 0

    def __call__(
        self,
        source: Any,
        filename: Any,
        mode: str,
        flags: int = 0,
        dont_inherit: bool = False,
        optimize: int = -1,
        **kwargs: Any,
    ) -> Any:
        if (
            not isinstance(filename, str)
            or not filename.startswith(SUPPORT_FILES)
            or not isinstance(source, str | bytes)
            or flags
            or dont_inherit
            or optimize != -1
            or kwargs
        ):
            return self.original(source, filename, mode, flags, dont_inherit, optimize, **kwargs)
        raw = source.encode() if isinstance(source, str) else source
        name = _key(raw, filename, mode) + _SUFFIX
        self.used.add(name)
        path = self.folder / name
        code = _load(path, filename)
        if code is None:
            code = self.original(source, filename, mode)
            _store(path, code)
            self.written += 1
        return code

    def prune(self, now: float | None = None) -> None:
        """After an import that wrote files (a new PySide6), remove the cached files it did not
        use that are older than :data:`STALE_AFTER_S`: those of an older PySide6. Recent
        ones stay, as they may be another installation's on the same desk (a packaged copy
        and a developer's environment would otherwise evict each other at every start)."""
        if not self.written:
            return
        cutoff = (time.time() if now is None else now) - STALE_AFTER_S
        try:
            for path in self.folder.glob("*" + _SUFFIX):
                if path.name not in self.used and path.stat().st_mtime < cutoff:
                    path.unlink(missing_ok=True)
        except OSError:
            pass


@contextmanager
def support_bytecode_cached(root: Path | None) -> Iterator[None]:
    """Import PySide6 inside this block to reuse the support modules' bytecode kept under
    ``root`` (see the module docstring). Does nothing if ``root`` is None or PySide6's
    support modules are already loaded."""
    if root is None or "shiboken6" in sys.modules:
        yield
        return
    original = builtins.compile
    cached = _CachedCompile(cache_folder(root), original)
    builtins.compile = cached
    try:
        yield
    finally:
        if builtins.compile is cached:
            builtins.compile = original
    cached.prune()
