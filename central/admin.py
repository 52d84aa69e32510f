"""Administration: units (also published to every client as ``units`` records), device
tokens (only their SHA-256 is stored; revocable), statistics, reference data."""

import hashlib
import secrets
import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.sync.wire import Record
from central.db import now_text
from central.errors import ApiError, invalid, not_found
from central.models import AuditRow, Blob, Reference, ServerRecord, Token, Unit
from central.records import write_record

UNIT_KINDS = ("enforcement", "police", "procuratorate", "court")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def unit_record(unit: Unit) -> Record:
    """The unit as a synced ``units`` record (the export shape)."""
    stamp = now_text()
    return {
        "id": unit.id,
        "code": unit.code,
        "name": unit.name,
        "kind": unit.kind,
        "region": unit.region,
        "division_code": unit.division_code,
        "created_at": stamp,
        "updated_at": stamp,
        "deleted": False,
        "version": 1,
    }


def create_unit(
    session: Session, code: str, name: str, kind: str, *, region: str = "", division: str = ""
) -> Unit:
    if kind not in UNIT_KINDS:
        raise invalid(f"单位类型只能是 {'、'.join(UNIT_KINDS)}")
    if session.scalar(select(Unit).where(Unit.code == code)) is not None:
        raise ApiError(409, "conflict", f"单位代码 {code} 已存在")
    unit = Unit(
        id=str(uuid.uuid4()), code=code, name=name, kind=kind, region=region, division_code=division
    )
    session.add(unit)
    session.flush()
    write_record(session, "units", unit_record(unit), owner_unit_id=None, case_id=None)
    return unit


def unit_by_code(session: Session, code: str) -> Unit:
    unit = session.scalar(select(Unit).where(Unit.code == code))
    if unit is None:
        raise not_found(f"没有代码为 {code} 的单位")
    return unit


def issue_token(session: Session, unit_code: str, user_name: str, label: str = "") -> str:
    """A new device token for a user of a unit; the secret is returned once, never stored."""
    unit = unit_by_code(session, unit_code)
    secret = secrets.token_urlsafe(32)
    session.add(
        Token(
            unit_id=unit.id,
            user_name=user_name,
            label=label,
            token_hash=token_hash(secret),
            created_at=now_text(),
        )
    )
    session.flush()
    return secret


def revoke_token(session: Session, token: str) -> bool:
    row = session.scalar(select(Token).where(Token.token_hash == token_hash(token)))
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = now_text()
    return True


def authenticate(session: Session, token: str) -> tuple[Token, Unit] | None:
    row = session.scalar(select(Token).where(Token.token_hash == token_hash(token)))
    if row is None or row.revoked_at is not None:
        return None
    unit = session.get(Unit, row.unit_id)
    return (row, unit) if unit is not None else None


def stats(session: Session) -> dict[str, Any]:
    per_table = dict(
        session.execute(
            select(ServerRecord.table_name, func.count()).group_by(ServerRecord.table_name)
        ).all()
    )
    return {
        "units": session.scalar(select(func.count()).select_from(Unit)) or 0,
        "tokens": session.scalar(select(func.count()).select_from(Token)) or 0,
        "records": {str(k): int(v) for k, v in per_table.items()},
        "blobs": session.scalar(select(func.count()).select_from(Blob)) or 0,
        "audit": session.scalar(select(func.count()).select_from(AuditRow)) or 0,
    }


def publish_reference(session: Session, name: str, content: bytes) -> str:
    digest = hashlib.sha256(content).hexdigest()
    row = session.get(Reference, name)
    if row is None:
        session.add(Reference(name=name, sha256=digest, content=content, published_at=now_text()))
    else:
        row.sha256, row.content, row.published_at = digest, content, now_text()
    return digest
