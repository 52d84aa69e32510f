"""``xianjie-central [--db URL] COMMAND``: serve, admin, act (DESIGN.md's CLI contract).

Exit 0 on success, 1 on a handled failure with one Chinese line on stderr, 2 on usage errors.
"""

import argparse
import json
import logging
import os
import socket
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from central.db import DEFAULT_URL, Database, migrate
from central.errors import ApiError

if TYPE_CHECKING:
    import uvicorn

DB_ENV = "XIANJIE_CENTRAL_DB"
RECEIVE_BUFFER = 1024 * 1024
"""SO_RCVBUF of the platform's listening socket, set before it listens: accepted connections
inherit it, and the kernel's receive buffer autotuning (up to ``tcp_rmem``'s maximum, tens of
MiB on loopback) is off for them. Linux doubles the value (effective at most 2 MiB, bookkeeping
included) and caps what is asked for at ``net.core.rmem_max``. What sits in this buffer when
the connection is reset or the platform crashes is lost; with the desk's send buffer
(``app.sync.client.SEND_BUFFER``) and :data:`BODY_HELD` it bounds what an interrupted upload
sends again to less than one chunk (docs/sync-protocol.md, Attachments)."""
BODY_HELD = 64 * 1024 + 256 * 1024
"""The most of a request body the platform holds in memory, read from the socket but not yet
written to the partial file: uvicorn's h11 protocol stops reading once more than 64 KiB waits
for the application, and asyncio reads at most 256 KiB at a time; the upload route writes
each block before it asks for the next."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="xianjie-central", description="衔接中心平台")
    parser.add_argument("--db", default=os.environ.get(DB_ENV, DEFAULT_URL), help="数据库 URL")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("serve", help="运行平台 HTTP 服务")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8600)
    p.add_argument("--blobs", default="central-blobs", help="附件内容文件夹")

    sub.add_parser("migrate", help="升级数据库结构")

    admin = sub.add_parser("admin", help="单位、令牌、统计").add_subparsers(
        dest="admin", required=True
    )
    p = admin.add_parser("create-unit")
    p.add_argument("--code", required=True)
    p.add_argument("--name", required=True)
    p.add_argument(
        "--kind", required=True, choices=("enforcement", "police", "procuratorate", "court")
    )
    p.add_argument("--region", default="")
    p.add_argument("--division", default="")
    p = admin.add_parser("issue-token", help="为某单位的用户签发设备令牌（只显示一次）")
    p.add_argument("--unit", required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--label", default="")
    p = admin.add_parser("revoke-token")
    p.add_argument("token")
    admin.add_parser("stats")
    p = admin.add_parser("publish-reference", help="发布参考数据文件")
    p.add_argument("name")
    p.add_argument("file")

    p = sub.add_parser("act", help="公安、检察院、法院的办理操作")
    p.add_argument(
        "action",
        help="receipt、forward、supplement、file、not-file、reconsideration、"
        "supervise、opinion、reverse、court-referral",
    )
    p.add_argument("--unit", required=True, help="执行操作的单位代码")
    p.add_argument("--case", required=True, help="案件编号（UUID）")
    p.add_argument("--param", action="append", default=[], metavar="KEY=VALUE")
    return parser


def listen_socket(host: str, port: int) -> socket.socket:
    """The platform's TCP socket, bound, with :data:`RECEIVE_BUFFER` set before it listens
    (uvicorn listens on it). Every way the platform is started uses it: ``serve`` and the
    tests' loopback server."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto given explicitly: asyncio sets TCP_NODELAY only on IPPROTO_TCP sockets
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)
        sock.bind((host, port))
    except BaseException:
        sock.close()
        raise
    return sock


def server_config(app: Any, **options: Any) -> "uvicorn.Config":
    """uvicorn's configuration of the platform: the h11 protocol on the asyncio loop, whose
    buffering :data:`BODY_HELD` counts."""
    import uvicorn

    return uvicorn.Config(app, http="h11", loop="asyncio", log_level="warning", **options)


def serve(app: Any, host: str, port: int) -> None:
    import uvicorn

    sock = listen_socket(host, port)
    try:
        effective = sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
        doubled = sys.platform.startswith("linux")
        if effective < (2 if doubled else 1) * RECEIVE_BUFFER:  # capped at rmem_max
            logging.getLogger("central").warning(
                "接收缓冲区只有 %d 字节（net.core.rmem_max 偏小），远程上传会变慢", effective
            )
        uvicorn.Server(server_config(app)).run(sockets=[sock])
    finally:
        sock.close()


def _params(pairs: list[str]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ApiError(2, "usage", f"参数应写成 KEY=VALUE：{pair}")
        params[key] = value
    return params


def _print(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True))


def run(args: argparse.Namespace) -> int:
    from central import acts, admin

    db = Database(args.db)
    try:
        migrate(db.engine)
        if args.command == "migrate":
            return 0
        if args.command == "serve":
            from central.app import create_app

            serve(create_app(db, Path(args.blobs).resolve()), args.host, args.port)
            return 0
        with db.session() as session:
            if args.command == "act":
                unit = admin.unit_by_code(session, args.unit)
                _print(acts.perform(session, unit, args.action, args.case, _params(args.param)))
            elif args.admin == "create-unit":
                unit = admin.create_unit(
                    session,
                    args.code,
                    args.name,
                    args.kind,
                    region=args.region,
                    division=args.division,
                )
                _print({"id": unit.id, "code": unit.code})
            elif args.admin == "issue-token":
                print(admin.issue_token(session, args.unit, args.user, args.label))
            elif args.admin == "revoke-token":
                if not admin.revoke_token(session, args.token):
                    raise ApiError(404, "not_found", "没有这个有效的令牌")
            elif args.admin == "stats":
                _print(admin.stats(session))
            elif args.admin == "publish-reference":
                _print(
                    {
                        "sha256": admin.publish_reference(
                            session, args.name, Path(args.file).read_bytes()
                        )
                    }
                )
        return 0
    finally:
        db.close()


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return run(args)
    except ApiError as exc:
        print(exc.message, file=sys.stderr)
        return 2 if exc.status == 2 else 1
    except OSError as exc:
        print(f"无法完成：{exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
