"""Workflow commands: ``event``, ``deadlines``, ``next-steps``, ``make-document``.

The whole forward transfer and reverse referral can be driven from here as from the UI; each
command calls the same service (app/services/workflow*.py). The acting user (``--user``) must
exist; the command line trusts it as IT staff script it (no password), so keep shell access to
a desk as protected as the desk itself (docs/generated-documents.md, "Command line").
"""

import argparse
import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.commands import Command
from app.errors import UserError

if TYPE_CHECKING:
    from app.cli import Context
    from app.domain.identity import SignedInUser
    from app.store.db import Store


def parse_time(text: str | None) -> datetime:
    """An ISO time; without a zone it is China time (UTC+8); None is now."""
    from app.domain.workcalendar import CST

    if not text:
        return datetime.now(CST)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise UserError(f"时间 {text} 不是 ISO 格式（例如 2025-03-01T09:30:00+08:00）") from exc
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=CST)


def _actor(store: "Store", username: str | None) -> "SignedInUser":
    from app.services.workflow import default_actor, signed_in_as

    return signed_in_as(store, username) if username else default_actor(store)


# --- event ---------------------------------------------------------------------------------


def _event_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("case", metavar="CASE-ID", help="案件 id 或案件编号")
    parser.add_argument(
        "kind", metavar="KIND", help="节点类型，如 transfer_reported（见 next-steps）"
    )
    parser.add_argument("--at", help="发生时间（ISO；不带时区按北京时间；默认：现在）")
    parser.add_argument("--data", default="{}", help="节点数据（JSON 对象）")
    parser.add_argument("--note", default="", help="备注")
    parser.add_argument("--doc", help="随节点附上的文件")
    parser.add_argument("--doc-type", help="附件的文书类型，如 investigation_report")
    parser.add_argument("--user", help="操作人用户名（须已存在）")
    parser.add_argument("--json", action="store_true")


def _data(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(f"--data 不是合法的 JSON：{exc.msg}") from exc
    if not isinstance(value, dict):
        raise UserError('--data 须为 JSON 对象，例如 {"reason": "…"}')
    return value


def _event(ctx: "Context") -> int:
    from app.cli import print_json
    from app.domain.labels import STATUS_LABELS, label
    from app.services.workflow import Attachment, record_event, resolve_case_id

    args = ctx.args
    if bool(args.doc) != bool(args.doc_type):
        raise UserError("--doc 与 --doc-type 须一起使用")
    store = ctx.store()
    actor = _actor(store, args.user)
    case_id = resolve_case_id(store, args.case)
    document = Attachment(Path(args.doc), args.doc_type) if args.doc else None
    changes = record_event(
        store,
        actor,
        case_id,
        args.kind,
        at=parse_time(args.at),
        data=_data(args.data),
        document=document,
        note=args.note,
    )
    if args.json:
        print_json(changes)
        return 0
    print(f"已记录：{changes.label}（案件状态：{label(STATUS_LABELS, changes.status)}）")
    if changes.document_id:
        print(f"已附文书：{changes.document_id}")
    print(
        f"时限：新增 {changes.deadlines_added}，更新 {changes.deadlines_updated}，"
        f"移除 {changes.deadlines_removed}"
    )
    for owed in changes.owes:
        print(f"待办：{owed}")
    return 0


# --- deadlines -----------------------------------------------------------------------------


def _deadlines_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--at", help="以此时间判断是否逾期（ISO；默认：现在）")
    parser.add_argument("--case", help="只列出这件案件（id 或案件编号）")
    parser.add_argument("--json", action="store_true")


def _deadlines(ctx: "Context") -> int:
    from app.cli import print_json
    from app.domain.workcalendar import CST
    from app.services.workflow import list_deadlines, resolve_case_id

    store = ctx.store()
    at = parse_time(ctx.args.at)
    case_id = resolve_case_id(store, ctx.args.case) if ctx.args.case else None
    rows = list_deadlines(store, at, case_id)
    if ctx.args.json:
        print_json({"at": at, "count": len(rows), "deadlines": rows})
        return 0
    if not rows:
        print("没有未届满或逾期的时限。")
    natures = {"window": "（可选期限）", "chase": "（催办参考）"}
    for d in rows:
        mark = "【逾期】" if d.overdue else ""
        if d.owed_by != "self":
            mark += "【待对方】"
        due = d.due_at.astimezone(CST).strftime("%Y-%m-%d %H:%M")
        print(
            f"{mark}{due}\t{d.case_number or d.case_id}\t{d.label}{natures.get(d.nature, '')}\t"
            f"{d.owed_by_label}\t{d.rule_id}\t{d.source}"
        )
    return 0


# --- next-steps ----------------------------------------------------------------------------


def _next_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("case", metavar="CASE-ID", help="案件 id 或案件编号")
    parser.add_argument("--at", help="以此时间判断是否逾期（ISO；默认：现在）")
    parser.add_argument("--json", action="store_true")


def _next_steps(ctx: "Context") -> int:
    from app.cli import print_json
    from app.domain.workcalendar import CST
    from app.services.workflow import case_workflow, resolve_case_id

    store = ctx.store()
    flow = case_workflow(store, resolve_case_id(store, ctx.args.case), parse_time(ctx.args.at))
    if ctx.args.json:
        print_json(flow)
        return 0
    print(f"{flow.case_number or flow.case_id}　{flow.title}　状态：{flow.status_label}")
    print(f"正向移送：{flow.forward_label}；反向移送：{flow.reverse_label}")
    for party, what in flow.owes:
        print(f"待办（{party}）：{what}")
    for d in flow.deadlines:
        due = d.due_at.astimezone(CST).strftime("%Y-%m-%d %H:%M")
        print(f"时限：{due} {d.label}（{d.owed_by_label}）{'【逾期】' if d.overdue else ''}")
    print("可进行的步骤：")
    for step in flow.next_steps:
        head = "（仅负责人）" if step.head_only else ""
        print(f"  {step.kind}\t{step.label}{head}")
    print("移送材料：" + ("齐全" if flow.materials_complete else "不全"))
    for item in flow.materials:
        print(f"  [{item.status_label}] {item.label}")
    return 0


# --- make-document -------------------------------------------------------------------------


def _make_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("case", metavar="CASE-ID", help="案件 id 或案件编号")
    parser.add_argument(
        "type",
        metavar="TYPE",
        help="transfer_letter（移送书及回执）、materials_list（材料目录）、"
        "seized_items_list（涉案物品清单）、opinion_reply（检察意见回复）",
    )
    parser.add_argument("--out", help="另存一份 PDF 到此文件")
    parser.add_argument("--at", help="成文日期（ISO；默认：现在）")
    parser.add_argument("--user", help="操作人用户名（须已存在）")
    parser.add_argument("--json", action="store_true")


def _make_document(ctx: "Context") -> int:
    from app.cli import print_json
    from app.services.workflow import resolve_case_id
    from app.services.workflow_documents import make_document
    from app.store.files import write_atomic

    args = ctx.args
    store = ctx.store()
    actor = _actor(store, args.user)
    made = make_document(
        store, actor, resolve_case_id(store, args.case), args.type, at=parse_time(args.at)
    )
    out = Path(args.out) if args.out else None
    if out is not None:
        write_atomic(out, made.path.read_bytes())
    if args.json:
        print_json({**made.__dict__, "text": None, "out": out})
        return 0
    print(f"已生成：{made.title}（{made.number}），{made.size} 字节")
    print(f"已存为案件文书 {made.document_id}" + (f"，另存为 {out}" if out else ""))
    return 0


COMMANDS = [
    Command("event", "记录一个移送或反向移送节点", _event_arguments, _event),
    Command("deadlines", "列出未办结的法定时限（逾期在前）", _deadlines_arguments, _deadlines),
    Command("next-steps", "案件当前节点、待办、时限和可进行的步骤", _next_arguments, _next_steps),
    Command(
        "make-document",
        "生成移送书、材料目录、涉案物品清单或检察意见回复",
        _make_arguments,
        _make_document,
    ),
]
