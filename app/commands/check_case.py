"""``xianjie check-case FILE.json [--json]``: entry-standard findings and threshold rules."""

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from app.commands import Command
from app.errors import UserError

if TYPE_CHECKING:
    from app.cli import Context


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="案件 JSON（见 docs/entry-standards.md）")
    parser.add_argument("--json", action="store_true")


def _run(ctx: "Context") -> int:
    """Findings are the command's output, not a failure: exit 0 once the check has run."""
    from app.cli import print_json
    from app.services.check_case import check_case_json

    path = Path(ctx.args.file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(f"无法读取案件文件 {path}", detail=exc.strerror or str(exc)) from exc
    report = check_case_json(data)
    if ctx.args.json:
        print_json(report.to_dict())
    else:
        print(report.to_text())
    return 0


COMMANDS = [
    Command("check-case", "按录入标准校验一个案件并运行追诉标准规则", _arguments, _run),
]
