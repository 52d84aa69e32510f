"""Attachment content by SHA-256: the database side of a resumable upload.

An upload request carries the bytes from ``offset`` (the size already on disk) onwards, up to
the whole rest of the content; what arrives is appended and hashed as it comes
(:mod:`central.uploads`), so after an interruption the client asks for the status and continues
where the bytes stopped. Once the last byte is in, the running hash decides: content that does
not match its name is discarded.
"""

import os
import re
from pathlib import Path

from sqlalchemy.orm import Session

from app.sync.wire import BlobStatus
from central.errors import ApiError, invalid
from central.models import Blob

_SHA = re.compile(r"[0-9a-f]{64}\Z")


def check_sha(sha256: str) -> None:
    if not _SHA.match(sha256):
        raise invalid("附件哈希应为 64 位小写十六进制 SHA-256")


def status(blob: Blob | None, sha256: str, received: int) -> BlobStatus:
    """The answer for ``sha256``; ``received`` is the size on disk of an unfinished upload."""
    if blob is None:
        return {"sha256": sha256, "size": None, "received": 0, "complete": False}
    if blob.complete:
        received = blob.size
    return {
        "sha256": sha256,
        "size": blob.size,
        "received": min(received, blob.size),
        "complete": blob.complete,
    }


def begin(session: Session, sha256: str, offset: int, size: int, received: int) -> BlobStatus:
    """Check an upload request against what the platform has; its status (complete: nothing
    to write). ``received`` is the size on disk; a request may start before it (a client that
    saw an older status: the bytes it repeats are passed over), not after it."""
    check_sha(sha256)
    if size < 0 or offset < 0:
        raise invalid("附件分块参数无效")
    blob = session.get(Blob, sha256, with_for_update=True)
    if blob is None:
        blob = Blob(sha256=sha256, size=size, received=0, complete=False, chunks=0)
        session.add(blob)
        session.flush()
    if blob.size != size:
        raise ApiError(409, "conflict", "附件大小与先前上传的不一致")
    if not blob.complete and offset > received:
        raise ApiError(409, "offset", f"平台已收到 {received} 字节，请从该位置继续上传")
    return status(blob, sha256, received)


def record(session: Session, sha256: str, received: int, *, complete: bool) -> BlobStatus:
    """Note the end of an upload request (how much is on disk; whether verified)."""
    blob = session.get_one(Blob, sha256, with_for_update=True)
    blob.received = received
    blob.chunks += 1
    blob.complete = blob.complete or complete
    return status(blob, sha256, received)


def publish(part: Path, root: Path, sha256: str) -> None:
    """Move verified (and fsynced) content to its name, durably."""
    os.replace(part, root / sha256)
    if hasattr(os, "O_DIRECTORY"):
        fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
