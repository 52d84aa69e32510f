"""Applying pushed records, the pull feed, and who may see which case.

Every write takes the next numbers from the ``seq`` counter row; its row lock serialises
writers, so change numbers are handed out in commit order and a pull cursor never skips a
change that commits later. See docs/sync-protocol.md for the merge rules.
"""

import json
import re
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from app.sync.wire import (
    APPEND_ONLY,
    LOCAL_ONLY,
    SERVER_OWNED,
    TABLES,
    Change,
    ChangeResult,
    PulledRecord,
    PullPage,
    Record,
)
from central.db import now_text
from central.models import CaseAccess, Counter, RecordVersion, ServerRecord, Unit

_ID = re.compile(r"[0-9a-fA-F-]{32,36}\Z")
PUBLIC_TABLES = ("units", "users")
"""Directory tables every unit receives (users without any password hash)."""
_META = frozenset({"version", "updated_at", "created_at"})
_CHILD_TABLES = frozenset({"parties", "documents", "events", "transfers", "deadlines"})


def encode(data: Record) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def next_seq(session: Session, count: int = 1) -> int:
    """Reserve ``count`` change numbers; returns the first."""
    session.execute(
        update(Counter).where(Counter.name == "seq").values(value=Counter.value + count)
    )
    last = session.execute(select(Counter.value).where(Counter.name == "seq")).scalar_one()
    return int(last) - count + 1


def jurisdiction_prefix(unit: Unit) -> str | None:
    """The division-code prefix a procuratorate or court covers ("320300" -> "3203"), else
    None (other units see only what they own or what was sent to them)."""
    if unit.kind not in ("procuratorate", "court") or not unit.division_code:
        return None
    code = unit.division_code
    while code.endswith("00") and len(code) > 2:
        code = code[:-2]
    return code


def has_access(session: Session, case_id: str, unit_id: str) -> bool:
    """Owner, units the case went to, and a procuratorate or court over the owner's division."""
    if session.get(CaseAccess, (case_id, unit_id)) is not None:
        return True
    unit = session.get(Unit, unit_id)
    prefix = jurisdiction_prefix(unit) if unit is not None else None
    if prefix is None:
        return False
    case = session.get(ServerRecord, case_id)
    owner = session.get(Unit, case.owner_unit_id) if case and case.owner_unit_id else None
    return owner is not None and owner.division_code.startswith(prefix)


def write_record(
    session: Session,
    table: str,
    data: Record,
    *,
    owner_unit_id: str | None,
    case_id: str | None,
    existing: ServerRecord | None = None,
) -> ServerRecord:
    """Store a new version of a record (version + 1, a new change number, its history)."""
    version = 1 if existing is None else existing.version + 1
    data = {**data, "version": version}
    text = encode(data)
    seq = next_seq(session)
    if existing is None:
        existing = ServerRecord(
            id=data["id"],
            table_name=table,
            version=version,
            seq=seq,
            case_id=case_id,
            owner_unit_id=owner_unit_id,
            ref=data.get("sha256") if table == "attachments" else None,
            deleted=bool(data.get("deleted")),
            data=text,
            updated_at=now_text(),
        )
        session.add(existing)
    else:
        existing.version = version
        existing.seq = seq
        existing.deleted = bool(data.get("deleted"))
        existing.data = text
        existing.updated_at = now_text()
    session.add(RecordVersion(record_id=data["id"], version=version, data=text))
    if table == "cases" and owner_unit_id is not None:
        grant(session, data["id"], owner_unit_id, "owner")
    if table == "transfers" and case_id is not None and data.get("status") != "drafting":
        for key in ("police_unit_id", "procuratorate_unit_id"):
            if data.get(key):
                grant(session, case_id, str(data[key]), "transfer")
    return existing


def grant(session: Session, case_id: str, unit_id: str, reason: str) -> bool:
    """Let ``unit_id`` see a case. Its records get new change numbers (parents first) so the
    unit's next pull carries the whole case; other units re-receive versions they have."""
    if has_access(session, case_id, unit_id):
        return False
    session.add(CaseAccess(case_id=case_id, unit_id=unit_id, reason=reason))
    session.flush()
    if reason == "owner":
        return True
    rows = session.scalars(select(ServerRecord).where(ServerRecord.case_id == case_id)).all()
    order = {t: i for i, t in enumerate(TABLES)}
    rows = sorted(rows, key=lambda r: (order.get(r.table_name, 99), r.seq))
    first = next_seq(session, len(rows))
    for offset, row in enumerate(rows):
        row.seq = -(first + offset)  # two steps: never two rows with one seq mid-update
    session.flush()
    for row in rows:
        row.seq = -row.seq
    session.flush()
    return True


def _case_of(session: Session, table: str, data: Record) -> str | None:
    if table == "cases":
        return str(data["id"])
    if table in _CHILD_TABLES or table == "referrals":
        value = data.get("case_id")
        return str(value) if value else None
    if table == "attachments":
        document = session.get(ServerRecord, str(data.get("document_id", "")))
        return document.case_id if document is not None else None
    return None


def _rejected(record_id: str, reason: str) -> ChangeResult:
    return {"id": record_id, "outcome": "rejected", "reason": reason}


def _authorize(
    session: Session, unit: Unit, table: str, data: Record, existing: ServerRecord | None
) -> tuple[str | None, str | None]:
    """(case id, refusal reason) for a pushed record."""
    if table == "units":
        return None, "单位信息由平台统一管理，不能从客户端修改"
    if table == "users":
        if data.get("unit_id") != unit.id:
            return None, "只能同步本单位的用户"
        return None, None
    case_id = _case_of(session, table, data)
    if table == "cases" and existing is None:
        if data.get("unit_id") != unit.id:
            return case_id, "只能新建本单位的案件"
        return case_id, None
    if case_id is None:
        if table in ("referrals",) and (existing is None or existing.owner_unit_id == unit.id):
            return None, None
        return None, "所属案件或文书尚未同步到平台，或无权访问"
    if not has_access(session, case_id, unit.id):
        return case_id, "无权访问该案件"
    return case_id, None


def _clean(data: Any, record_id: str) -> Record | None:
    if not isinstance(data, dict) or data.get("id") != record_id:
        return None
    return {k: v for k, v in data.items() if k not in LOCAL_ONLY}


def apply_change(session: Session, unit: Unit, change: Change) -> ChangeResult:
    """Apply one pushed record; see docs/sync-protocol.md for the outcomes."""
    record_id = str(change.get("id", ""))
    table = change.get("table")
    if table not in TABLES or not _ID.match(record_id):
        return _rejected(record_id, "记录类型或编号无效")
    data = _clean(change.get("data"), record_id)
    if data is None:
        return _rejected(record_id, "记录内容无效（编号不一致）")
    existing = session.get(ServerRecord, record_id)
    if existing is not None and existing.table_name != table:
        return _rejected(record_id, "记录编号已被其他类型的记录使用")
    case_id, refusal = _authorize(session, unit, table, data, existing)
    if refusal is not None:
        return _rejected(record_id, refusal)
    if existing is None:
        row = write_record(session, table, data, owner_unit_id=unit.id, case_id=case_id)
        return _result(row, "applied")
    current: Record = json.loads(existing.data)
    if table in APPEND_ONLY or _same(current, data):
        return _result(existing, "unchanged")
    merged, overlap = _merge(session, existing, current, change, data)
    if overlap:
        return {
            "id": record_id,
            "outcome": "conflict",
            "version": existing.version,
            "seq": existing.seq,
            "data": current,
            "fields": overlap,
        }
    if _same(current, merged):
        return _result(existing, "unchanged")
    outcome = "applied" if change.get("base_version") == existing.version else "merged"
    row = write_record(
        session,
        table,
        merged,
        owner_unit_id=existing.owner_unit_id,
        case_id=existing.case_id,
        existing=existing,
    )
    return _result(row, outcome)


def _same(a: Record, b: Record) -> bool:
    keys = (set(a) | set(b)) - _META
    return all(a.get(k) == b.get(k) for k in keys)


def _merge(
    session: Session, existing: ServerRecord, current: Record, change: Change, data: Record
) -> tuple[Record, list[str]]:
    """The record after a field-level merge, and the overlapping fields (a conflict)."""
    base_version = change.get("base_version")
    if base_version == existing.version:
        return data, []
    base: Record | None = None
    if base_version is not None:
        old = session.get(RecordVersion, (existing.id, base_version))
        base = json.loads(old.data) if old is not None else None
    fields = set(data) | set(current)
    if base is None:
        server_changed = fields - _META
    else:
        server_changed = {k for k in fields - _META if base.get(k) != current.get(k)}
    if change.get("changed") is not None:
        client_changed = set(change["changed"] or []) - _META
    elif base is not None:
        client_changed = {k for k in fields - _META if base.get(k) != data.get(k)}
    else:
        client_changed = fields - _META
    owned = SERVER_OWNED.get(existing.table_name, frozenset())
    overlap = sorted(
        k
        for k in client_changed & server_changed
        if data.get(k) != current.get(k) and k not in owned
    )
    merged = dict(current)
    for key in client_changed:
        if key in data and not (key in owned and key in server_changed):
            merged[key] = data[key]
    merged["updated_at"] = data.get("updated_at", current.get("updated_at"))
    return merged, overlap


def _result(row: ServerRecord, outcome: Any) -> ChangeResult:
    return {
        "id": row.id,
        "outcome": outcome,
        "version": row.version,
        "seq": row.seq,
        "data": json.loads(row.data),
    }


def pull(session: Session, unit: Unit, cursor: int, limit: int) -> PullPage:
    """The next page of changes the unit may see, after ``cursor``, in change order."""
    unit_id = unit.id
    clauses = [
        ServerRecord.table_name.in_(PUBLIC_TABLES),
        ServerRecord.owner_unit_id == unit_id,
        ServerRecord.case_id.in_(select(CaseAccess.case_id).where(CaseAccess.unit_id == unit_id)),
    ]
    prefix = jurisdiction_prefix(unit)
    if prefix is not None:
        owners = select(Unit.id).where(Unit.division_code.startswith(prefix))
        clauses.append(
            ServerRecord.case_id.in_(
                select(ServerRecord.id).where(
                    ServerRecord.table_name == "cases", ServerRecord.owner_unit_id.in_(owners)
                )
            )
        )
    visible = or_(*clauses)
    rows = session.scalars(
        select(ServerRecord)
        .where(ServerRecord.seq > cursor, visible)
        .order_by(ServerRecord.seq)
        .limit(limit + 1)
    ).all()
    more = len(rows) > limit
    rows = rows[:limit]
    records: list[PulledRecord] = [
        {
            "table": r.table_name,
            "id": r.id,
            "version": r.version,
            "seq": r.seq,
            "deleted": r.deleted,
            "data": json.loads(r.data),
        }
        for r in rows
    ]
    return {"records": records, "cursor": rows[-1].seq if rows else cursor, "more": more}


def visible_blob(session: Session, unit_id: str, sha256: str) -> bool:
    """Whether an attachment with this content is on a case the unit may see."""
    rows = session.scalars(
        select(ServerRecord).where(
            ServerRecord.table_name == "attachments", ServerRecord.ref == sha256
        )
    ).all()
    return any(
        r.owner_unit_id == unit_id or (r.case_id and has_access(session, r.case_id, unit_id))
        for r in rows
    )
