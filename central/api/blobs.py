"""Attachment content: resumable upload by SHA-256 (the body streams to disk), status,
download."""

import asyncio
import threading
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from app.sync.wire import BlobStatus, ErrorBody
from central import blobs
from central.api.deps import ERROR_RESPONSES, BlobRootDep, CallerDep, DatabaseDep
from central.db import Database
from central.errors import ApiError, forbidden, invalid, not_found
from central.models import Blob
from central.records import visible_blob
from central.uploads import Uploads, Writer

router = APIRouter(responses=ERROR_RESPONSES)
MAX_BLOB = 1 << 40
"""The largest attachment the platform takes (1 TiB)."""
BUSY_WAIT = 5.0
"""Seconds an upload request waits for another request on the same content to end."""
FLUSH_EVERY = 32 * 1024 * 1024
"""Bytes of an upload after which its file is flushed to disk in the background."""
Sha256 = Annotated[
    str, Path(pattern="^[0-9a-f]{64}$", description="内容的 SHA-256（小写十六进制）")
]
_uploads_lock = threading.Lock()


def uploads_of(request: Request) -> Uploads:
    """The application's uploads in progress (one registry per app, in process memory)."""
    state = request.app.state
    with _uploads_lock:
        if not hasattr(state, "uploads"):
            state.uploads = Uploads(state.blobs)
        found: Uploads = state.uploads
    return found


async def _claim(uploads: Uploads, sha256: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + BUSY_WAIT
    while not uploads.claim(sha256):
        if loop.time() > deadline:
            raise ApiError(503, "busy", "该附件正在由另一个连接上传，稍后会重试")
        await asyncio.sleep(0.05)


async def _receive(request: Request, writer: Writer, limit: int, skip: int) -> None:
    """Append the body to the upload as it arrives: each block is hashed and written at once,
    in the event loop (handing blocks to a worker thread cost more than the work itself: the
    worker keeps waiting for the interpreter lock). Nothing waits in memory, so a crash of the
    platform loses only what was still in transit. The first ``skip`` bytes are on disk
    already (the client started from an older status) and are passed over. Every
    FLUSH_EVERY bytes the disk is asked, from a thread, to write what has arrived, so the
    fsync at the end has only the tail left."""
    loop = asyncio.get_running_loop()
    flushing: asyncio.Future[None] | None = None
    arrived = unflushed = 0
    data: bytes | memoryview
    try:
        async for data in request.stream():
            arrived += len(data)
            if arrived > limit:
                raise invalid("附件分块超出声明的大小")
            if skip:
                passed = min(skip, len(data))
                data, skip = memoryview(data)[passed:], skip - passed
            if data:
                writer.write(data)
                unflushed += len(data)
            if unflushed >= FLUSH_EVERY and (flushing is None or flushing.done()):
                flushing, unflushed = loop.run_in_executor(None, writer.flush), 0
    finally:
        if flushing is not None:
            await flushing  # the file stays open until it is done


@router.put(
    "/blobs/{sha256}",
    responses={503: {"model": ErrorBody, "description": "另一个连接正在上传同一内容"}},
)
async def upload_chunk(
    sha256: Sha256,
    request: Request,
    who: CallerDep,
    db: DatabaseDep,
    offset: Annotated[int, Query(ge=0, le=MAX_BLOB)],
    size: Annotated[int, Query(ge=0, le=MAX_BLOB)],
) -> BlobStatus:
    """Append the body (the content from ``offset``, up to its end) to the ``size``-byte
    content named ``sha256``; the answer is the status after it. ``offset`` may lie before
    ``received`` (those bytes are passed over), not after it."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and offset + int(length) > size:
        raise invalid("附件分块超出声明的大小")
    uploads = uploads_of(request)
    await _claim(uploads, sha256)
    writer: Writer | None = None
    keep = True  # the running hash, for the request that continues this upload
    try:
        answer, writer = await run_in_threadpool(_begin, db, uploads, sha256, offset, size)
        if writer is None:
            return answer
        start = answer["received"]  # offset, or more when the client saw an older status
        try:
            await _receive(request, writer, size - offset, start - offset)
        except ClientDisconnect:
            request.state.action = f"blob:{start}+{writer.received - start} cut"
            return await run_in_threadpool(_record, db, sha256, writer.received, False)
        request.state.action = f"blob:{start}+{writer.received - start}"
        if writer.received < size:
            return await run_in_threadpool(_record, db, sha256, writer.received, False)
        keep = False
        return await run_in_threadpool(_complete, db, uploads, writer, sha256, size)
    finally:
        uploads.release(sha256, writer, keep=keep)


def _begin(
    db: Database, uploads: Uploads, sha256: str, offset: int, size: int
) -> tuple[BlobStatus, Writer | None]:
    """The status, and a writer where the bytes continue (None: complete already)."""
    with db.session() as session:
        answer = blobs.begin(session, sha256, offset, size, uploads.received(sha256))
    if answer["complete"]:
        return answer, None
    return answer, uploads.open(sha256, answer["received"])


def _complete(db: Database, uploads: Uploads, writer: Writer, sha256: str, size: int) -> BlobStatus:
    """The last byte is in: fsync, check the hash, then publish and mark it complete, or
    discard content that does not match its name."""
    if writer.finish() != sha256:
        uploads.discard(sha256)
        _record(db, sha256, 0, False)
        raise invalid("附件内容与其 SHA-256 不符，已丢弃，请重新上传")
    blobs.publish(uploads.part(sha256), uploads.root, sha256)
    return _record(db, sha256, size, True)


def _record(db: Database, sha256: str, received: int, complete: bool) -> BlobStatus:
    with db.session() as session:
        return blobs.record(session, sha256, received, complete=complete)


@router.get("/blobs/{sha256}/status")
def blob_status(sha256: Sha256, request: Request, who: CallerDep, db: DatabaseDep) -> BlobStatus:
    """How much of the content has arrived (an upload resumes from ``received``)."""
    blobs.check_sha(sha256)
    with db.session() as session:
        blob = session.get(Blob, sha256)
        return blobs.status(blob, sha256, uploads_of(request).received(sha256))


@router.get("/blobs/{sha256}", response_class=FileResponse)
def download(sha256: Sha256, who: CallerDep, db: DatabaseDep, root: BlobRootDep) -> FileResponse:
    """The content, for a unit that may see an attachment with it."""
    blobs.check_sha(sha256)
    with db.session() as session:
        blob = session.get(Blob, sha256)
        if blob is None or not blob.complete:
            raise not_found("平台上没有这份附件的内容")
        if not visible_blob(session, who.unit.id, sha256):
            raise forbidden("无权下载该附件")
    return FileResponse(root / sha256, media_type="application/octet-stream")
