"""Write the dashboard to an .xlsx workbook (openpyxl), with Chinese headers.

Sheets: 统计数据 (the figures, with the period, unit and definitions' notes), 按节点 and
按承办人 (open deadlines counted by node and by person), 期限明细 (every open deadline) and
月度统计 (the monthly counts behind the charts). The file is written next to its target and
renamed into place, so a failed export never leaves half a workbook under the chosen name.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from app.domain.workcalendar import CST
from app.errors import UserError
from app.services.dashboard import Dashboard
from app.services.dashboard_deadlines import GroupCount
from app.services.dashboard_labels import BUCKET_LABELS
from app.store.errors import describe_os_error

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

FIGURE_HEADERS = ("指标", "数值", "占", "比例（%）", "说明")
GROUP_HEADERS = ("已逾期", "今日到期", "即将到期", "合计")
ITEM_HEADERS = (
    "状态",
    "到期时间",
    "节点",
    "期限",
    "承办人／等待方",
    "案件编号",
    "案件名称",
    "单位",
    "依据",
)
MONTH_HEADERS = ("月份", "移送", "公安立案", "公安不予立案", "收到反向移送")


def write_xlsx(dashboard: Dashboard, target: Path) -> Path:
    """Write ``dashboard`` to ``target`` (.xlsx); a storage problem raises UserError."""
    from openpyxl import Workbook

    book = Workbook()
    figures_sheet = book.active
    assert figures_sheet is not None
    figures_sheet.title = "统计数据"
    _figures(figures_sheet, dashboard)
    board = dashboard.deadlines
    _groups(book.create_sheet("按节点"), "节点", board.by_node)
    _groups(book.create_sheet("按承办人"), "承办人／等待方", board.by_person)
    _items(book.create_sheet("期限明细"), dashboard)
    _months(book.create_sheet("月度统计"), dashboard)
    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=".dashboard-", suffix=".xlsx", dir=folder)
        os.close(fd)
        try:
            book.save(tmp)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise UserError(f"无法写入表格文件 {target}。{describe_os_error(exc)}") from exc
    return target


def _bold_header(sheet: Worksheet, row: int) -> None:
    from openpyxl.styles import Font

    for cell in sheet[row]:
        cell.font = Font(bold=True)


def _figures(sheet: Worksheet, dashboard: Dashboard) -> None:
    f = dashboard.figures
    sheet.append(("统计期间", f.period.label()))
    sheet.append(
        ("单位", f.unit_name if f.unit_code is None else f"{f.unit_name}（{f.unit_code}）")
    )
    now = dashboard.deadlines.now.astimezone(CST)
    sheet.append(("期限统计时点", now.strftime("%Y-%m-%d %H:%M")))
    sheet.append(())
    sheet.append(FIGURE_HEADERS)
    _bold_header(sheet, sheet.max_row)
    for fig in f.figures():
        sheet.append((fig.label, fig.value, fig.of, fig.percent, fig.note))
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["E"].width = 36


def _groups(sheet: Worksheet, first: str, groups: tuple[GroupCount, ...]) -> None:
    sheet.append((first, *GROUP_HEADERS))
    _bold_header(sheet, 1)
    for g in groups:
        sheet.append((g.label, g.overdue, g.today, g.soon, g.total))
    sheet.append(
        (
            "合计",
            sum(g.overdue for g in groups),
            sum(g.today for g in groups),
            sum(g.soon for g in groups),
            sum(g.total for g in groups),
        )
    )
    sheet.column_dimensions["A"].width = 30


def _items(sheet: Worksheet, dashboard: Dashboard) -> None:
    sheet.append(ITEM_HEADERS)
    _bold_header(sheet, 1)
    for i in dashboard.deadlines.items:
        sheet.append(
            (
                BUCKET_LABELS[i.bucket],
                i.due_at.astimezone(CST).strftime("%Y-%m-%d %H:%M"),
                i.node_label,
                i.label,
                i.person,
                i.case_number,
                i.case_title,
                i.unit_name,
                i.source,
            )
        )
    for column, width in zip("ABCDEFGHI", (10, 18, 22, 30, 16, 24, 40, 28, 36), strict=True):
        sheet.column_dimensions[column].width = width


def _months(sheet: Worksheet, dashboard: Dashboard) -> None:
    sheet.append(MONTH_HEADERS)
    _bold_header(sheet, 1)
    for m in dashboard.months:
        sheet.append(
            (m.month.isoformat()[:7], m.transfers, m.filed, m.not_filed, m.referrals_received)
        )
