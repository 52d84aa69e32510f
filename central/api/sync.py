"""hello, push (idempotent), pull (by cursor), reference data."""

import json
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.sync.wire import (
    MAX_PULL_LIMIT,
    MAX_PUSH_RECORDS,
    PROTOCOL_MAX,
    PROTOCOL_MIN,
    Hello,
    PullPage,
    PushRequest,
    PushResponse,
    ReferenceItem,
)
from central.admin import unit_record
from central.api.deps import ERROR_RESPONSES, CallerDep, DatabaseDep
from central.db import now_text
from central.errors import ApiError, invalid, not_found
from central.models import PushLog, Reference
from central.records import apply_change, encode, pull

router = APIRouter(responses=ERROR_RESPONSES)


@router.get("/hello")
def hello(who: CallerDep) -> Hello:
    """Who this token is, and the protocol window."""
    from central import __name__ as server

    return {
        "protocol_min": PROTOCOL_MIN,
        "protocol_max": PROTOCOL_MAX,
        "server": server,
        "unit": unit_record(who.unit),
        "user": who.user_name,
    }


@router.post("/push")
def push(
    body: PushRequest,
    who: CallerDep,
    db: DatabaseDep,
    request: Request,
    idempotency_key: Annotated[str, Header(min_length=8, max_length=100)],
) -> PushResponse:
    """Apply records in order, in one transaction; the same key gets the same answer."""
    key = idempotency_key.strip()
    if len(body["changes"]) > MAX_PUSH_RECORDS:
        raise invalid(f"一次最多推送 {MAX_PUSH_RECORDS} 条记录")
    request.state.action = f"push:{len(body['changes'])}"
    for _attempt in range(2):
        try:
            with db.session() as session:
                logged = session.get(PushLog, (who.unit.id, key))
                if logged is not None:
                    request.state.action = "push:replayed"
                    replay: PushResponse = json.loads(logged.response)
                    return replay
                results = [apply_change(session, who.unit, c) for c in body["changes"]]
                response: PushResponse = {"results": results}
                session.add(
                    PushLog(
                        unit_id=who.unit.id,
                        key=key,
                        response=encode(dict(response)),
                        created_at=now_text(),
                    )
                )
                return response
        except IntegrityError:
            continue  # the same key committed concurrently: answer from the log
    raise ApiError(409, "conflict", "同一推送正在处理，请稍后重试")


@router.get("/pull")
def pull_page(
    who: CallerDep,
    db: DatabaseDep,
    cursor: Annotated[int, Query(ge=0, le=(1 << 62))] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PULL_LIMIT)] = 500,
) -> PullPage:
    """The changes this unit may see after ``cursor``, oldest first."""
    with db.session() as session:
        return pull(session, who.unit, cursor, limit)


@router.get("/reference")
def reference_list(who: CallerDep, db: DatabaseDep) -> list[ReferenceItem]:
    """Published reference data (entry standards, thresholds, deadline rules, calendar)."""
    with db.session() as session:
        rows = session.scalars(select(Reference).order_by(Reference.name)).all()
        return [{"name": r.name, "sha256": r.sha256, "size": len(r.content)} for r in rows]


@router.get("/reference/{name}", response_class=Response)
def reference_file(
    name: str,
    who: CallerDep,
    db: DatabaseDep,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    """One reference file; its ETag is its SHA-256 (304 when the client has it)."""
    with db.session() as session:
        row = session.get(Reference, name)
        if row is None:
            raise not_found(f"平台没有发布 {name}")
        etag = f'"{row.sha256}"'
        if if_none_match == etag:
            return Response(status_code=304, headers={"ETag": etag})
        return Response(row.content, media_type="application/octet-stream", headers={"ETag": etag})
