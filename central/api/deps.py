"""Request plumbing: the protocol window, the device token, the database."""

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Header, Request

from app.sync.wire import PROTOCOL_MAX, PROTOCOL_MIN, ErrorBody
from central.admin import authenticate
from central.db import Database
from central.errors import ApiError
from central.models import Unit


@dataclass(frozen=True)
class Caller:
    unit: Unit
    user_name: str
    token_id: int


def database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def blob_root(request: Request) -> Path:
    root: Path = request.app.state.blobs
    return root


def protocol(
    x_xianjie_protocol: Annotated[str | None, Header()] = None,
) -> int:
    """The client's protocol version; outside the window the answer is please-upgrade."""
    try:
        version = int(x_xianjie_protocol or "")
    except ValueError:
        version = -1
    if not PROTOCOL_MIN <= version <= PROTOCOL_MAX:
        raise ApiError(
            426,
            "please_upgrade",
            f"客户端的同步协议版本（{x_xianjie_protocol or '未提供'}）平台不再支持，"
            f"请升级衔接客户端（平台支持 {PROTOCOL_MIN}–{PROTOCOL_MAX} 版）",
        )
    return version


def caller(
    request: Request,
    db: Annotated[Database, Depends(database)],
    _protocol: Annotated[int, Depends(protocol)],
    authorization: Annotated[str | None, Header()] = None,
) -> Caller:
    """The unit and user behind the device token; revoked or unknown tokens are refused."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "unauthorized", "缺少设备令牌，请先用 xianjie setup 连接平台")
    with db.session() as session:
        found = authenticate(session, token.strip())
    if found is None:
        raise ApiError(401, "unauthorized", "设备令牌无效或已被吊销，请向管理员申请新的令牌")
    row, unit = found
    request.state.unit_id = unit.id
    request.state.user_name = row.user_name
    request.state.token_id = row.id
    return Caller(unit=unit, user_name=row.user_name, token_id=row.id)


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text}
    for status, text in (
        (400, "请求缺少必需的内容"),
        (401, "设备令牌缺失、无效或已吊销"),
        (403, "无权访问"),
        (404, "不存在"),
        (409, "与平台上的状态冲突"),
        (422, "请求格式不符合接口约定"),
        (426, "协议版本不在平台支持的范围内：请升级客户端"),
    )
}
"""The error answers every route may give (documented in the OpenAPI contract)."""

CallerDep = Annotated[Caller, Depends(caller)]
DatabaseDep = Annotated[Database, Depends(database)]
BlobRootDep = Annotated[Path, Depends(blob_root)]
