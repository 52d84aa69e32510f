"""Atomic file writes: temp file in the same folder, fsync, rename, fsync the folder."""

import os
import tempfile
from pathlib import Path

from app.store.errors import storage_errors


def fsync_dir(folder: Path) -> None:
    if os.name == "nt":  # Windows cannot open a directory for fsync
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(target: Path, data: bytes, *, durable: bool = True) -> None:
    """Write ``data`` to ``target`` so a reader sees the old file or the new one, never half.

    A failure (full disk, file-size limit) removes the temp file and leaves ``target`` as it was.
    ``durable=False`` skips the two fsyncs, for files that may be lost in a power cut (a
    cache that checks what it reads): still atomic for every reader, much cheaper to write.
    """
    with storage_errors(target):
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                if durable:
                    fh.flush()
                    os.fsync(fh.fileno())
            tmp.replace(target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        if durable:
            fsync_dir(target.parent)
