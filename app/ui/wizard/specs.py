"""The installed entry standards, loaded once per process and cached.

Parsing all nine bundled specs costs about 125 ms, so the first wizard of a session loads
them through the task helper (off the GUI thread) and every later one reuses the cache.
Specs the platform publishes are JSON files in the data folder's ``standards/``; a broken one
is refused with :class:`~app.forms.SpecError` naming its file and field.
"""

import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.forms import SpecRegistry

PUBLISHED_DIR = "standards"
"""Sub-folder of the data folder holding specs published by the platform."""

_lock = threading.Lock()
_cache: list["SpecRegistry"] = []


def builtin_registry() -> "SpecRegistry":
    """The bundled specs (thread-safe; parsed on the first call only)."""
    from app.forms import SpecRegistry

    with _lock:
        if not _cache:
            _cache.append(SpecRegistry.builtin())
        return _cache[0]


def load_registry(published: Path | None = None) -> "SpecRegistry":
    """The bundled specs plus those published into ``published`` (if that folder exists)."""
    from app.forms import SpecRegistry

    builtin = builtin_registry()
    if published is None or not published.is_dir() or not any(published.glob("*.json")):
        return builtin
    registry = SpecRegistry(
        builtin.get(spec_id, version)
        for spec_id in builtin.ids()
        for version in builtin.versions(spec_id)
    )
    registry.load_directory(published)
    return registry


def cached_registry() -> "SpecRegistry | None":
    """The bundled specs if already loaded, else None (never parses on the caller's thread)."""
    return _cache[0] if _cache else None
