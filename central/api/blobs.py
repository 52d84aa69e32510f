"""Attachment content: chunked resumable upload by SHA-256, status, download."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from app.sync.wire import BlobStatus
from central.api.deps import ERROR_RESPONSES, BlobRootDep, CallerDep, DatabaseDep
from central.blobs import check_sha, put_chunk, status
from central.errors import forbidden, not_found
from central.models import Blob
from central.records import visible_blob

router = APIRouter(responses=ERROR_RESPONSES)
MAX_BLOB = 1 << 40
"""The largest attachment the platform takes (1 TiB)."""
Sha256 = Annotated[
    str, Path(pattern="^[0-9a-f]{64}$", description="内容的 SHA-256（小写十六进制）")
]


@router.put("/blobs/{sha256}")
async def upload_chunk(
    sha256: Sha256,
    request: Request,
    who: CallerDep,
    db: DatabaseDep,
    root: BlobRootDep,
    offset: Annotated[int, Query(ge=0, le=MAX_BLOB)],
    size: Annotated[int, Query(ge=0, le=MAX_BLOB)],
) -> BlobStatus:
    """Write the body at ``offset`` of the ``size``-byte content named ``sha256``."""
    body = await request.body()
    request.state.action = f"blob:{offset}+{len(body)}"

    def store() -> BlobStatus:
        with db.session() as session:
            result, error = put_chunk(session, root, sha256, offset, size, body)
        if error is not None:
            raise error
        return result

    return await run_in_threadpool(store)


@router.get("/blobs/{sha256}/status")
def blob_status(sha256: Sha256, who: CallerDep, db: DatabaseDep) -> BlobStatus:
    """How much of the content has arrived (an upload resumes from ``received``)."""
    check_sha(sha256)
    with db.session() as session:
        return status(session.get(Blob, sha256), sha256)


@router.get("/blobs/{sha256}", response_class=FileResponse)
def download(sha256: Sha256, who: CallerDep, db: DatabaseDep, root: BlobRootDep) -> FileResponse:
    """The content, for a unit that may see an attachment with it."""
    check_sha(sha256)
    with db.session() as session:
        blob = session.get(Blob, sha256)
        if blob is None or not blob.complete:
            raise not_found("平台上没有这份附件的内容")
        if not visible_blob(session, who.unit.id, sha256):
            raise forbidden("无权下载该附件")
    return FileResponse(root / sha256, media_type="application/octet-stream")
