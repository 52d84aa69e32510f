"""Attachment content by SHA-256, uploaded in chunks and resumable.

A chunk is written only once its whole body has arrived, at the offset the server expects
(``received``); after an interruption the client asks for the status and continues from
there, so at most the one interrupted chunk travels again. The last chunk triggers the hash
check: content that does not match its name is discarded.
"""

import hashlib
import os
import re
from pathlib import Path

from sqlalchemy.orm import Session

from app.sync.wire import MAX_CHUNK, BlobStatus
from central.errors import ApiError, invalid
from central.models import Blob

_SHA = re.compile(r"[0-9a-f]{64}\Z")


def check_sha(sha256: str) -> None:
    if not _SHA.match(sha256):
        raise invalid("附件哈希应为 64 位小写十六进制 SHA-256")


def status(blob: Blob | None, sha256: str) -> BlobStatus:
    if blob is None:
        return {"sha256": sha256, "size": None, "received": 0, "complete": False}
    return {
        "sha256": sha256,
        "size": blob.size,
        "received": blob.received,
        "complete": blob.complete,
    }


def _hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(1024 * 1024):
            digest.update(block)
    return digest.hexdigest()


def put_chunk(
    session: Session, root: Path, sha256: str, offset: int, size: int, chunk: bytes
) -> tuple[BlobStatus, ApiError | None]:
    """Store one chunk; returns the new status and, if the finished content did not match
    its hash, the error to answer with (the status is still committed: the upload restarts)."""
    check_sha(sha256)
    if size < 0 or offset < 0 or len(chunk) > MAX_CHUNK:
        raise invalid("附件分块参数无效")
    blob = session.get(Blob, sha256, with_for_update=True)
    if blob is None:
        blob = Blob(sha256=sha256, size=size, received=0, complete=False, chunks=0)
        session.add(blob)
        session.flush()
    if blob.size != size:
        raise ApiError(409, "conflict", "附件大小与先前上传的不一致")
    if blob.complete:
        return status(blob, sha256), None
    if offset != blob.received:
        raise ApiError(409, "offset", f"平台已收到 {blob.received} 字节，请从该位置继续上传")
    if offset + len(chunk) > size:
        raise invalid("附件分块超出声明的大小")
    root.mkdir(parents=True, exist_ok=True)
    part = root / f"{sha256}.part"
    with part.open("r+b" if part.exists() else "wb") as fh:
        fh.seek(offset)
        fh.write(chunk)
        fh.truncate()
        fh.flush()
        os.fsync(fh.fileno())
    blob.received = offset + len(chunk)
    blob.chunks += 1
    if blob.received == size:
        if _hash_file(part) != sha256:
            part.unlink()
            blob.received = 0
            return status(blob, sha256), invalid("附件内容与其 SHA-256 不符，已丢弃，请重新上传")
        os.replace(part, root / sha256)
        blob.complete = True
    return status(blob, sha256), None
