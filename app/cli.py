"""The command-line face of Xianjie (DESIGN.md, "Command-line interface").

``xianjie [--data-dir DIR] COMMAND``; exit 0 on success, 1 on a handled failure with a
one-line reason on stderr, 2 on a usage error. ``--json`` gives machine output. The ``gui``
command is started by ``main.py`` (the composition root), the only place besides ``app/ui``
that may import Qt; everything else runs here without Qt.
"""

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from app import __version__
from app.errors import ConfigError, UserError
from app.logging_setup import configure_logging
from app.paths import DataPaths, default_site_config_path, resolve_data_dir
from app.site_config import SiteConfig, load_site_config
from app.store.db import Store, open_store

log = logging.getLogger(__name__)

GuiProbe = Callable[[], str]
"""Starts Qt offscreen and returns a description; supplied by main.py for ``selftest``."""


def _add_global_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--version", action="version", version=f"xianjie {__version__}")
    parser.add_argument("--data-dir", help="数据文件夹（默认：用户数据目录，或 XIANJIE_DATA_DIR）")
    parser.add_argument("--site-config", help="站点配置文件（默认：/etc/xianjie/site.toml）")
    parser.add_argument("--verbose", action="store_true", help="记录调试日志")


def build_parser() -> argparse.ArgumentParser:
    from app.commands import discover

    parser = argparse.ArgumentParser(
        prog="xianjie",
        description="衔接 —— 两法衔接信息共享平台桌面客户端",
    )
    _add_global_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    sub.add_parser("gui", help="打开桌面程序（默认）")

    p = sub.add_parser("selftest", help="无界面自检：数据库、字体、Qt、审计日志")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("demo-data", help="生成演示数据")
    p.add_argument("--cases", type=int, default=200, help="案件数（默认 200）")
    p.add_argument("--seed", type=int, default=1, help="随机种子（相同种子生成相同数据）")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("search", help="全文检索案件")
    p.add_argument("query", help="检索词，多个词用空格分开")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("export", help="导出全部记录为 JSON")
    p.add_argument("--out", help="输出文件（默认：标准输出）")

    p = sub.add_parser("import", help="从 JSON 导入记录")
    p.add_argument("file")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("backup", help="备份数据库（一致性副本）")
    p.add_argument("--out", required=True)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("restore", help="从备份恢复数据库（先校验，当前数据库另存）")
    p.add_argument("file")
    p.add_argument("--json", action="store_true")

    for command in discover():
        p = sub.add_parser(command.name, help=command.help)
        command.add_arguments(p)
        p.set_defaults(plugin=command)
    return parser


_GUI_VALUE_OPTIONS = {"--data-dir": "data_dir", "--site-config": "site_config"}


def _parse_gui_args(argv: Sequence[str]) -> argparse.Namespace | None:
    """``xianjie [--data-dir D] [--site-config F] [--verbose] [gui]``, spelled out in full,
    without building a parser.

    Building the full parser discovers every plug-in command (importing each module in
    ``app/commands``) and builds some twenty sub-parsers; even a small argparse parser costs a
    few milliseconds of gettext look-ups. The desktop start needs none of that. Anything
    else (another command, an abbreviation, ``-h``, ``--version``, a value that looks like an
    option, an error) returns None and goes through :func:`build_parser`, so help, usage
    errors and every command behave exactly as before (tests/unit/test_cli_parse.py).
    """
    values: dict[str, str | None] = {"data_dir": None, "site_config": None}
    verbose = False
    command: str | None = None
    rest = list(argv)
    while rest:
        arg = rest.pop(0)
        if command is not None:
            return None  # nothing may follow the command
        name, eq, inline = arg.partition("=")
        if name in _GUI_VALUE_OPTIONS:
            if eq:
                value = inline
            elif rest and not rest[0].startswith("-"):
                value = rest.pop(0)
            else:
                return None
            values[_GUI_VALUE_OPTIONS[name]] = value
        elif arg == "--verbose":
            verbose = True
        elif arg == "gui":
            command = "gui"
        else:
            return None
    return argparse.Namespace(command=command, verbose=verbose, **values)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    args = list(sys.argv[1:] if argv is None else argv)
    quick = _parse_gui_args(args)
    if quick is not None:
        return quick
    return build_parser().parse_args(args)


class Context:
    """What a command needs: where the data lives, the site config, and the open store."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.paths: DataPaths = resolve_data_dir(args.data_dir)
        site_path = Path(args.site_config) if args.site_config else default_site_config_path()
        self.site_problem: str | None = None
        try:
            self.site: SiteConfig = load_site_config(site_path)
        except ConfigError as exc:
            self.site = SiteConfig()
            self.site_problem = exc.message
        self._store: Store | None = None

    def store(self) -> Store:
        if self._store is None:
            self._store = open_store(self.paths)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


def _json_default(value: Any) -> Any:
    from dataclasses import asdict, is_dataclass
    from datetime import date, datetime

    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _named_tuples_as_objects(value: Any) -> Any:
    """json would write a NamedTuple (e.g. a case-list row) as an array; the contract is an
    object with its field names, as for dataclasses."""
    if isinstance(value, tuple) and hasattr(value, "_asdict"):
        return {k: _named_tuples_as_objects(v) for k, v in value._asdict().items()}
    if isinstance(value, list | tuple):
        return [_named_tuples_as_objects(v) for v in value]
    if isinstance(value, dict):
        return {k: _named_tuples_as_objects(v) for k, v in value.items()}
    return value


def print_json(data: Any) -> None:
    import json

    plain = _named_tuples_as_objects(data)
    sys.stdout.write(json.dumps(plain, ensure_ascii=False, indent=2, default=_json_default))
    sys.stdout.write("\n")


def _cmd_selftest(ctx: Context, gui_probe: GuiProbe | None) -> int:
    from app.services.selftest import run_selftest

    report = run_selftest(ctx.paths, ctx.site, site_problem=ctx.site_problem, gui_probe=gui_probe)
    if ctx.args.json:
        print_json({"ok": report.ok, "checks": report.checks})
    else:
        for check in report.checks:
            mark = "通过" if check.ok else ("警告" if not check.required else "失败")
            print(f"[{mark}] {check.title}：{check.detail}")
        print("自检通过" if report.ok else "自检未通过")
    return 0 if report.ok else 1


def _cmd_demo_data(ctx: Context) -> int:
    import time
    from dataclasses import asdict

    from app.services.demo_data import generate

    if ctx.args.cases < 0:
        raise UserError("案件数不能为负数")
    started = time.perf_counter()
    summary = generate(ctx.store(), cases=ctx.args.cases, seed=ctx.args.seed)
    elapsed = time.perf_counter() - started
    if ctx.args.json:
        print_json({**asdict(summary), "seconds": round(elapsed, 2)})
    else:
        print(
            f"已生成 {summary.cases} 件案件、{summary.parties} 个当事人、"
            f"{summary.events} 个程序节点、{summary.documents} 份文书，用时 {elapsed:.1f} 秒。"
        )
        if summary.users_created:
            print(
                "演示账号：" + "，".join(summary.users_created) + f"（密码均为 {summary.password}）"
            )
    return 0


def _cmd_search(ctx: Context) -> int:
    from app.services.case_queries import fetch_rows
    from app.store.search import search_case_ids

    store = ctx.store()
    with store.session() as session:
        ids = search_case_ids(session, ctx.args.query, limit=max(1, ctx.args.limit))
        rows = fetch_rows(session, ids)
    ordered = [rows[i] for i in ids if i in rows]
    if ctx.args.json:
        print_json({"query": ctx.args.query, "count": len(ordered), "cases": ordered})
    else:
        if not ordered:
            print("没有找到匹配的案件。")
        for row in ordered:
            print(f"{row.case_number}\t{row.title}\t{row.parties}\t{row.status}\t{row.opened_on}")
    return 0


def _cmd_export(ctx: Context) -> int:
    from app.store.exchange import export_json

    data = export_json(ctx.store())
    if ctx.args.out:
        from app.store.files import write_atomic

        write_atomic(Path(ctx.args.out), data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    return 0


def _cmd_import(ctx: Context) -> int:
    from app.store.exchange import import_json

    path = Path(ctx.args.file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(f"无法读取导入文件 {path}", detail=exc.strerror or str(exc)) from exc
    summary = import_json(ctx.store(), data)
    if ctx.args.json:
        print_json(summary)
    else:
        total = sum(summary.counts.values())
        print(
            f"已导入 {total} 条记录（新增 {summary.inserted}，已存在未改动 {summary.unchanged}）。"
        )
    return 0


def _cmd_backup(ctx: Context) -> int:
    from app.store.backup import make_backup

    info = make_backup(ctx.store(), Path(ctx.args.out))
    if ctx.args.json:
        print_json(info)
    else:
        print(f"备份已写入 {info.path}（{info.size} 字节，完整性检查通过）。")
    return 0


def _cmd_restore(ctx: Context) -> int:
    from app.store.backup import restore_backup

    info = restore_backup(ctx.paths, Path(ctx.args.file))
    if ctx.args.json:
        print_json(info)
    else:
        kept = f"原数据库已另存为 {info.previous_copy}。" if info.previous_copy else ""
        print(f"已从 {info.source} 恢复。{kept}")
    return 0


def _ignore_file_size_signal() -> None:
    """With a file-size limit, let writes fail with EFBIG instead of killing the process."""
    import signal

    if hasattr(signal, "SIGXFSZ"):
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def run(args: argparse.Namespace, *, gui_probe: GuiProbe | None = None) -> int:
    """Run a non-GUI command; handled failures print one Chinese line on stderr and give 1."""
    _ignore_file_size_signal()
    ctx = Context(args)
    configure_logging(ctx.paths.logs, verbose=args.verbose)
    if ctx.site_problem and args.command != "selftest":
        print(f"警告：{ctx.site_problem}（已按默认设置继续）", file=sys.stderr)
    handlers: dict[str, Callable[[], int]] = {
        "selftest": lambda: _cmd_selftest(ctx, gui_probe),
        "demo-data": lambda: _cmd_demo_data(ctx),
        "search": lambda: _cmd_search(ctx),
        "export": lambda: _cmd_export(ctx),
        "import": lambda: _cmd_import(ctx),
        "backup": lambda: _cmd_backup(ctx),
        "restore": lambda: _cmd_restore(ctx),
    }
    plugin = getattr(args, "plugin", None)
    if plugin is not None:
        handlers[args.command] = lambda: int(plugin.run(ctx))
    try:
        return handlers[args.command]()
    except UserError as exc:
        log.warning("%s failed: %s", args.command, exc)
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("已取消。", file=sys.stderr)
        return 1
    finally:
        ctx.close()
