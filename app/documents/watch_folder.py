"""A watched folder for network scanners: polling plus a stability check.

inotify and QFileSystemWatcher do not see writes made by other hosts on SMB/NFS shares, so
the folder is polled. A file is handed over only when its size and modification time have
not changed for ``stable_seconds`` across polls and its first bytes are a type we accept;
files still being written, temporary names and hidden files are left alone.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from app.documents.importer import sniff

_TEMP_SUFFIXES = (".part", ".tmp", ".crdownload", ".partial", "~")


@dataclass
class _Seen:
    size: int
    mtime_ns: int
    since: float


@dataclass
class WatchFolder:
    folder: Path
    stable_seconds: float = 2.0
    clock: Callable[[], float] = time.monotonic
    _seen: dict[Path, _Seen] = field(default_factory=dict)
    _handed: set[tuple[Path, int, int]] = field(default_factory=set)

    def poll(self) -> list[Path]:
        """Files that are complete and not handed over before, in name order."""
        now = self.clock()
        ready: list[Path] = []
        try:
            entries = sorted(self.folder.iterdir())
        except OSError:
            return []  # the share is away: try again next poll
        present: set[Path] = set()
        for path in entries:
            name = path.name
            if name.startswith(".") or name.lower().endswith(_TEMP_SUFFIXES):
                continue
            try:
                stat = path.stat()
            except OSError:
                continue
            if not path.is_file():
                continue
            present.add(path)
            key = (path, stat.st_size, stat.st_mtime_ns)
            if key in self._handed:
                continue
            seen = self._seen.get(path)
            if seen is None or (seen.size, seen.mtime_ns) != (stat.st_size, stat.st_mtime_ns):
                self._seen[path] = _Seen(stat.st_size, stat.st_mtime_ns, now)
                continue
            if now - seen.since < self.stable_seconds or stat.st_size == 0:
                continue
            if not self._recognised(path):
                continue
            self._handed.add(key)
            ready.append(path)
        for gone in set(self._seen) - present:
            del self._seen[gone]
        return ready

    @staticmethod
    def _recognised(path: Path) -> bool:
        try:
            with path.open("rb") as fh:
                return sniff(fh.read(1024)) is not None
        except OSError:
            return False
