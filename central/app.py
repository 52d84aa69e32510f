"""The FastAPI application: routers under /api/v1, error answers, and the audit of every
request (who, what, the answer's status)."""

import json
import logging
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.sync.wire import API_PREFIX
from central.db import Database, now_text
from central.errors import ApiError
from central.models import AuditRow

log = logging.getLogger(__name__)


def create_app(db: Database, blobs: Path) -> FastAPI:
    from central.api import acts, sync
    from central.api import blobs as blob_api

    app = FastAPI(
        title="衔接中心平台 (Xianjie central)",
        version="1",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
    )
    app.state.db = db
    app.state.blobs = blobs
    for module in (sync, blob_api, acts):
        app.include_router(module.router, prefix=API_PREFIX)

    @app.exception_handler(ApiError)
    async def api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse({"error": exc.code, "message": exc.message}, status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def bad_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        detail = "; ".join(str(e.get("msg", "")) for e in exc.errors()[:3])
        return JSONResponse(
            {"error": "invalid", "message": f"请求格式不符合接口约定：{detail}"}, status_code=422
        )

    app.add_middleware(AuditMiddleware, db=db)
    return app


class AuditMiddleware:
    """Writes one audit row per HTTP request once its answer has gone out (a plain ASGI
    middleware: the body streams through untouched)."""

    def __init__(self, app: ASGIApp, db: Database) -> None:
        self.app = app
        self.db = db

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            await run_in_threadpool(_audit, self.db, Request(scope), status)


def _audit(db: Database, request: Request, status: int) -> None:
    state = request.state
    try:
        with db.session() as session:
            session.add(
                AuditRow(
                    at=now_text(),
                    unit_id=getattr(state, "unit_id", None),
                    user_name=getattr(state, "user_name", ""),
                    token_id=getattr(state, "token_id", None),
                    method=request.method,
                    path=request.url.path[:300],
                    status=status,
                    action=getattr(state, "action", ""),
                    detail=json.dumps(dict(request.query_params), ensure_ascii=False),
                )
            )
    except Exception:  # the audit must not turn an answer into an error; it is logged
        log.exception("audit write failed for %s %s", request.method, request.url.path)
