"""``xianjie dashboard [--from DATE] [--to DATE] [--unit CODE] [--json] [--xlsx FILE]``.

The supervision dashboard from the command line: the unit's figures for the period
``[--from, --to)`` (default: this year up to and including today), the open deadlines due
today, soon and overdue by node and by person, and optionally the same as an .xlsx workbook.
"""

import argparse
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from app.commands import Command

if TYPE_CHECKING:
    from app.cli import Context
    from app.services.dashboard import Dashboard


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{text}") from None


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="start", type=_date, help="起始日期（含），默认今年1月1日")
    parser.add_argument("--to", dest="end", type=_date, help="截止日期（不含），默认明天")
    parser.add_argument("--unit", help="单位代码（统一社会信用代码）；默认全部单位")
    parser.add_argument("--at", help="期限统计时点（ISO 8601；不带时区按北京时间；默认现在）")
    parser.add_argument("--soon-days", type=int, default=3, help="“即将到期”的天数，默认3")
    parser.add_argument(
        "--complete-threshold", type=int, default=100, help="计为“录入完整”的完整度，默认100"
    )
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--xlsx", type=Path, help="同时导出为 .xlsx 表格")


def _run(ctx: "Context") -> int:
    from datetime import timedelta

    from app.cli import print_json
    from app.commands.workflow import parse_time
    from app.domain.workcalendar import CST
    from app.services.dashboard import DashboardQuery, compute_dashboard, to_dict
    from app.services.dashboard_period import Period

    args = ctx.args
    now = parse_time(args.at)
    today = now.astimezone(CST).date()
    end: date = args.end or today + timedelta(days=1)
    start: date = args.start or date((end - timedelta(days=1)).year, 1, 1)
    query = DashboardQuery(
        Period(start, end),
        unit_code=args.unit,
        now=now,
        soon_days=args.soon_days,
        complete_threshold=args.complete_threshold,
    )
    dashboard = compute_dashboard(ctx.store(), query)
    written: Path | None = None
    if args.xlsx is not None:
        from app.services.dashboard_xlsx import write_xlsx

        written = write_xlsx(dashboard, args.xlsx)
    if args.json:
        data = to_dict(dashboard)
        data["xlsx"] = None if written is None else str(written)
        print_json(data)
    else:
        print(report_text(dashboard))
        if written is not None:
            print(f"已导出：{written}")
    return 0


def report_text(dashboard: "Dashboard") -> str:
    """The dashboard as plain Chinese text for a terminal."""
    from app.services.dashboard_labels import BUCKET_LABELS

    f = dashboard.figures
    board = dashboard.deadlines
    lines = [f"督办看板：{f.unit_name}，{f.period.label()}", ""]
    for fig in f.figures():
        share = f"（占{fig.of}件的{fig.percent}%）" if fig.percent is not None else ""
        note = f"  {fig.note}" if fig.note else ""
        lines.append(f"  {fig.label}：{fig.value}{share}{note}")
    lines.append("")
    lines.append(
        f"期限（截至 {board.now.isoformat(timespec='minutes')}，即将到期为{board.soon_days}日内）："
        + "，".join(f"{BUCKET_LABELS[b]} {board.count(b)} 项" for b in BUCKET_LABELS)
    )
    for title, groups in (("按节点", board.by_node), ("按承办人", board.by_person)):
        lines.append(f"{title}：")
        if not groups:
            lines.append("  （无）")
        for g in groups:
            lines.append(f"  {g.label}：逾期 {g.overdue}，今日 {g.today}，即将 {g.soon}")
    return "\n".join(lines)


COMMANDS = [
    Command("dashboard", "督办看板：期限提醒与本单位统计数据（可导出 .xlsx）", _arguments, _run),
]
