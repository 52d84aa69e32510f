"""``xianjie setup --server URL --token TOKEN`` and ``xianjie sync [--once] [--json]``.

``sync --once`` runs one push-then-pull and exits 1 with one Chinese line when the platform
cannot be reached (what is saved stays; the next run continues). Without ``--once`` it keeps
running: after a success it waits ``--interval`` seconds, after a network failure it backs
off exponentially with full jitter; a 4xx ends it. ``--conflicts`` lists open conflicts,
``--resolve ID --keep FIELD=local|server`` settles one.
"""

import argparse
from typing import TYPE_CHECKING

from app.commands import Command

if TYPE_CHECKING:
    from app.cli import Context
    from app.store.db import Store
    from app.sync.client import SyncClient


def _setup_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--server", required=True, help="平台网址，例如 https://lfxj.example.gov.cn"
    )
    parser.add_argument("--token", required=True, help="管理员签发的设备令牌")
    parser.add_argument("--json", action="store_true")


def _setup(ctx: "Context") -> int:
    from app.cli import print_json
    from app.sync.setup import setup

    hello, where = setup(ctx.store(), ctx.site, ctx.args.server, ctx.args.token)
    unit = hello["unit"]
    if ctx.args.json:
        print_json({"unit": unit, "user": hello["user"], "token_store": where})
    else:
        print(f"已连接平台：{unit['name']}（{unit['code']}），用户 {hello['user']}")
        print(f"设备令牌保存在：{'系统密钥环' if where == 'keyring' else where}")
    return 0


def _sync_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--once", action="store_true", help="只同步一次")
    parser.add_argument("--interval", type=float, default=300.0, help="持续同步的间隔秒数")
    parser.add_argument("--status", action="store_true", help="显示同步状态（不联网）")
    parser.add_argument("--conflicts", action="store_true", help="列出待处理的冲突")
    parser.add_argument("--resolve", metavar="RECORD_ID", help="处理一条记录的冲突")
    parser.add_argument("--keep", action="append", default=[], metavar="FIELD=local|server")
    parser.add_argument("--json", action="store_true")


def _print_report(ctx: "Context", report: object) -> None:
    from dataclasses import asdict

    from app.cli import print_json
    from app.sync.engine import SyncReport, pending_count

    assert isinstance(report, SyncReport)
    if ctx.args.json:
        print_json({**asdict(report), "pending": pending_count(ctx.store())})
        return
    print(
        f"推送 {report.pushed} 条（接受 {report.applied + report.merged + report.unchanged}，"
        f"冲突 {report.conflicts}，拒绝 {report.rejected}），"
        f"拉取 {report.pulled} 条，待发送 {pending_count(ctx.store())} 条"
    )
    for notice in report.notices:
        print(f"通知：{notice}")


def _sync(ctx: "Context") -> int:
    from app.cli import print_json
    from app.errors import UserError
    from app.sync import engine
    from app.sync.setup import connected_client

    store = ctx.store()
    if ctx.args.status:
        current = engine.status(store)
        if ctx.args.json:
            print_json(current)
        else:
            print(
                f"平台：{current.server_url or '未连接'}；待发送 {current.pending} 条，"
                f"出错 {current.errors} 条，冲突 {current.conflicts} 条；"
                f"上次成功同步：{current.last_success or '从未'}"
            )
        return 0
    if ctx.args.conflicts:
        found = engine.conflicts(store)
        if ctx.args.json:
            print_json(found)
        else:
            for c in found:
                print(f"{c['table']} {c['id']}：{'、'.join(c['fields'])}")
        return 0
    if ctx.args.resolve:
        keep = {}
        for pair in ctx.args.keep:
            name, _, side = pair.partition("=")
            if side not in ("local", "server"):
                raise UserError(f"--keep 应写成 字段=local 或 字段=server：{pair}")
            keep[name] = side
        engine.resolve_conflict(store, ctx.args.resolve, keep)
        print("冲突已处理，下次同步时发送")
        return 0
    client = connected_client(store, ctx.site)
    try:
        if ctx.args.once:
            _print_report(ctx, engine.SyncEngine(store, client).run())
            return 0
        return _loop(ctx, store, client)
    finally:
        client.close()


def _loop(ctx: "Context", store: "Store", client: "SyncClient") -> int:
    import random
    import time

    from app.sync.client import NetworkError
    from app.sync.engine import SyncEngine

    failures = 0
    while True:
        try:
            _print_report(ctx, SyncEngine(store, client).run())
            failures = 0
            delay = ctx.args.interval
        except NetworkError as exc:
            failures += 1
            delay = random.uniform(0, min(300.0, 2.0 * 2**failures))
            print(f"{exc.message}；{delay:.0f} 秒后重试", flush=True)
        time.sleep(delay)


COMMANDS = [
    Command("setup", "连接平台（网址与设备令牌）", _setup_arguments, _setup),
    Command("sync", "与平台同步：先推送本机修改，再拉取平台的变化", _sync_arguments, _sync),
]
