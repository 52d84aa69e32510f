"""What the other agencies do on a transferred case: police, procuratorate, court.

Each action writes synced records (a timeline event; a transfer's status; a reverse
referral) that flow back to the enforcement unit on its next pull. The API and the
``xianjie-central act`` CLI both call :func:`perform`.
"""

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.sync.wire import Record
from central.db import now_text
from central.errors import forbidden, invalid, not_found
from central.models import ServerRecord, Unit
from central.records import grant, has_access, write_record


@dataclass(frozen=True)
class Action:
    name: str
    unit_kind: str
    event_kind: str | None
    transfer_status: str | None = None
    required: tuple[str, ...] = ()


_KIND_LABELS = {"police": "公安机关", "procuratorate": "检察院", "court": "法院"}

ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        Action("receipt", "police", "receipt_signed", "received"),
        Action("forward", "police", "forwarded", "forwarded", ("to_unit",)),
        Action("supplement", "police", "supplement_requested", "supplement_requested"),
        Action("file", "police", "police_filed", "filed"),
        Action("not-file", "police", "police_not_filed", "not_filed", ("reason",)),
        Action("reconsideration", "police", "reconsideration_decided", None, ("outcome",)),
        Action("supervise", "procuratorate", "explanation_requested"),
        Action("opinion", "procuratorate", "transfer_demanded"),
        Action("reverse", "procuratorate", None, None, ("opinion_number", "reply_days")),
        Action("court-referral", "court", None, None, ("source",)),
    )
}


def _record_base() -> Record:
    stamp = now_text()
    return {
        "id": str(uuid.uuid4()),
        "created_at": stamp,
        "updated_at": stamp,
        "deleted": False,
        "version": 1,
    }


def perform(session: Session, unit: Unit, action_name: str, case_id: str, params: Any) -> Record:
    """Carry out an action on a case the unit may see; returns the main record written."""
    action = ACTIONS.get(action_name)
    if action is None:
        raise invalid(f"未知的操作：{action_name}")
    if unit.kind != action.unit_kind:
        raise forbidden(f"只有{_KIND_LABELS[action.unit_kind]}可以执行该操作")
    if not isinstance(params, dict):
        raise invalid("参数应为一个对象")
    missing = [k for k in action.required if not params.get(k)]
    if missing:
        raise invalid(f"缺少参数：{'、'.join(missing)}")
    case = session.get(ServerRecord, case_id)
    if case is None or case.table_name != "cases":
        raise not_found("平台上没有这个案件")
    if not has_access(session, case_id, unit.id):
        raise forbidden("无权访问该案件")
    if action.transfer_status is not None:
        _set_transfer_status(session, unit, case_id, action.transfer_status)
    if action_name == "forward":
        target = session.scalar(select(Unit).where(Unit.code == str(params["to_unit"])))
        if target is None or target.kind != "police":
            raise invalid("移交对象应为平台上的公安机关")
        grant(session, case_id, target.id, "forward")
    if action.event_kind is None:
        return _referral(session, unit, case_id, action_name, params)
    return _event(session, unit, case_id, action.event_kind, params)


def _event(session: Session, unit: Unit, case_id: str, kind: str, params: dict[str, Any]) -> Record:
    now = now_text()
    data = {k: v for k, v in params.items() if k != "note"}
    if kind in ("police_filed", "police_not_filed"):
        data.setdefault("decided_at", now)
    event = {
        **_record_base(),
        "case_id": case_id,
        "kind": kind,
        "occurred_at": now,
        "actor_user_id": None,
        "actor_unit_id": unit.id,
        "document_id": None,
        "note": str(params.get("note", "")),
        "data": data,
    }
    write_record(session, "events", event, owner_unit_id=unit.id, case_id=case_id)
    return event


def _referral(
    session: Session, unit: Unit, case_id: str, action_name: str, params: dict[str, Any]
) -> Record:
    received = datetime.now(UTC)
    days = int(params.get("reply_days", 0) or 0)
    source = "non_prosecution" if action_name == "reverse" else str(params["source"])
    if source not in ("non_prosecution", "court_exemption", "court_acquittal"):
        raise invalid("反向移送来源无效")
    due = received + timedelta(days=days) if days > 0 else None
    referral = {
        **_record_base(),
        "case_id": case_id,
        "source_kind": source,
        "source_unit_id": unit.id,
        "opinion_number": str(params.get("opinion_number", "")),
        "received_at": received.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "reply_due_at": due.strftime("%Y-%m-%dT%H:%M:%S.%fZ") if due else None,
        "status": "received",
    }
    write_record(session, "referrals", referral, owner_unit_id=unit.id, case_id=case_id)
    return referral


def _set_transfer_status(session: Session, unit: Unit, case_id: str, status: str) -> None:
    rows = session.scalars(
        select(ServerRecord).where(
            ServerRecord.case_id == case_id, ServerRecord.table_name == "transfers"
        )
    ).all()
    mine = [r for r in rows if json.loads(r.data).get("police_unit_id") == unit.id] or list(rows)
    if not mine:
        raise invalid("该案件没有移送记录")
    for row in mine:
        data = json.loads(row.data)
        data["status"] = status
        data["updated_at"] = now_text()
        write_record(
            session,
            "transfers",
            data,
            owner_unit_id=row.owner_unit_id,
            case_id=case_id,
            existing=row,
        )
