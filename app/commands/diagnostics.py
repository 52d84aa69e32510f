"""``xianjie diagnostics --out FILE.zip [--json]``: a diagnostics zip for IT staff.

Collects versions, the site config with secrets removed, paths, logs, the selftest report
and a read-only database check (:mod:`app.services.diagnostics`). A part that cannot be
collected (a damaged or missing database, a read-only data folder) is recorded in the zip
and the command still exits 0 with a Chinese note; it exits 1 only when the zip itself
cannot be written.
"""

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from app.commands import Command

if TYPE_CHECKING:
    from app.cli import Context


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, help="诊断包文件（.zip），也可以是一个已有的文件夹")
    parser.add_argument("--json", action="store_true")


def _run(ctx: "Context") -> int:
    from app.cli import print_json
    from app.paths import default_site_config_path
    from app.services.diagnostics import collect_diagnostics

    site_path = Path(ctx.args.site_config) if ctx.args.site_config else default_site_config_path()
    result = collect_diagnostics(
        ctx.paths,
        site_path=site_path,
        site=ctx.site,
        site_problem=ctx.site_problem,
        out=Path(ctx.args.out),
    )
    if ctx.args.json:
        print_json(result.summary())
        return 0
    print(f"诊断包已写入 {result.path}（{result.size} 字节）。")
    if result.problems:
        print(
            f"注意：有 {len(result.problems)} 项发现问题或未能收集（详见诊断包中的 summary.json）："
        )
        for section in result.problems:
            print(f"  - {section.title}：{section.error}")
    else:
        print("各项均已收集。")
    return 0


COMMANDS = [
    Command(
        "diagnostics",
        "收集诊断包（版本、去除密钥的配置、日志、自检、数据库检查）",
        _arguments,
        _run,
    ),
]
