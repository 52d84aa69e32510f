"""Uploads in progress: content arrives in order, is appended to ``SHA.part`` and hashed as it
comes, so the last byte needs no second pass over the file.

The on-disk ``.part`` file is the truth about how much has arrived (``received``). The running
SHA-256 of each upload is kept in process memory between requests; after a restart (or when
the cache has dropped it) the prefix on disk is hashed once when the upload resumes. Nothing is
fsynced until the content is complete: a file that lost bytes in a crash fails the final hash
check and is uploaded again.
"""

import hashlib
import os
import threading
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hashlib import _Hash

KEPT_DIGESTS = 64
"""Running hashes of interrupted uploads kept in memory (older ones are rebuilt from disk)."""
_READ_BLOCK = 1024 * 1024


class Writer:
    """Appends to one upload's ``.part`` file and hashes what it writes."""

    def __init__(self, fd: int, digest: "_Hash", received: int) -> None:
        self.fd = fd
        self.digest = digest
        self.received = received
        self.broken = False

    def write(self, data: bytes | memoryview) -> None:
        try:
            written = os.write(self.fd, data)
            while written < len(data):  # a short write: the rest
                written += os.write(self.fd, memoryview(data)[written:])
        except OSError:
            self.broken = True  # the disk may hold part of it: the digest is rebuilt next time
            raise
        self.digest.update(data)
        self.received += len(data)

    def flush(self) -> None:
        """Have the disk write what is in the file so far (from another thread; the final
        fsync then has less to do)."""
        if hasattr(os, "fdatasync"):
            os.fdatasync(self.fd)
        else:  # Windows and macOS
            os.fsync(self.fd)

    def finish(self) -> str:
        """fsync the complete content; its SHA-256."""
        os.fsync(self.fd)
        return self.digest.hexdigest()


class Uploads:
    """The platform's uploads in progress (at most one request per content hash at a time)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._lock = threading.Lock()
        self._busy: set[str] = set()
        self._digests: OrderedDict[str, tuple[int, _Hash]] = OrderedDict()

    def part(self, sha256: str) -> Path:
        return self.root / f"{sha256}.part"

    def received(self, sha256: str) -> int:
        """Bytes of the content on disk so far."""
        try:
            return self.part(sha256).stat().st_size
        except FileNotFoundError:
            return 0

    def claim(self, sha256: str) -> bool:
        """Reserve the upload for one request; False while another request writes it."""
        with self._lock:
            if sha256 in self._busy:
                return False
            self._busy.add(sha256)
            return True

    def open(self, sha256: str, offset: int) -> Writer:
        """A writer appending at ``offset``, which the caller checked is the size on disk."""
        self.root.mkdir(parents=True, exist_ok=True)
        with self._lock:
            kept = self._digests.pop(sha256, None)
        fd = os.open(self.part(sha256), os.O_WRONLY | os.O_CREAT | getattr(os, "O_BINARY", 0))
        try:
            os.ftruncate(fd, offset)
            os.lseek(fd, offset, os.SEEK_SET)
            if kept is not None and kept[0] == offset:
                digest = kept[1]
            else:
                digest = self._hash_prefix(sha256, offset)
        except BaseException:
            os.close(fd)
            raise
        return Writer(fd, digest, offset)

    def _hash_prefix(self, sha256: str, length: int) -> "_Hash":
        digest = hashlib.sha256()
        with self.part(sha256).open("rb") as fh:
            while length > 0 and (block := fh.read(min(_READ_BLOCK, length))):
                digest.update(block)
                length -= len(block)
        return digest

    def release(self, sha256: str, writer: Writer | None, *, keep: bool) -> None:
        """End the request: keep the running hash for the next one (when ``keep``)."""
        if writer is not None:
            os.close(writer.fd)
        with self._lock:
            self._busy.discard(sha256)
            if writer is not None and keep and not writer.broken:
                self._digests[sha256] = (writer.received, writer.digest)
                while len(self._digests) > KEPT_DIGESTS:
                    self._digests.popitem(last=False)

    def discard(self, sha256: str) -> None:
        """Forget content that did not match its hash."""
        self.part(sha256).unlink(missing_ok=True)
