"""The append-only, hash-chained audit log.

Each entry's ``hash`` is SHA-256 over the previous entry's hash and the entry's own canonical
JSON, so editing, reordering or removing an entry in the middle breaks the chain from there
on; :func:`verify_chain` finds the first broken entry. Triggers (migration 0002) refuse
UPDATE and DELETE through SQL, so tampering needs a hand outside the app.
"""

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.store.models import AuditEntry
from app.store.types import format_utc, utc_now

GENESIS = "0" * 64


def _entry_digest(prev_hash: str, entry: AuditEntry) -> str:
    body = {
        "seq": entry.seq,
        "at": format_utc(entry.at),
        "user_id": entry.user_id,
        "action": entry.action,
        "entity": entry.entity,
        "entity_id": entry.entity_id,
        "detail": entry.detail,
    }
    canonical = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


def record(
    session: Session,
    action: str,
    *,
    user_id: str | None = None,
    entity: str = "",
    entity_id: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry in the caller's transaction (so it commits with the change)."""
    session.flush()  # take the write lock before reading the chain's tail
    last = session.execute(
        select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    prev_hash = last.hash if last else GENESIS
    entry = AuditEntry(
        seq=(last.seq + 1) if last else 1,
        at=utc_now(),
        user_id=user_id,
        action=action,
        entity=entity,
        entity_id=entity_id,
        detail=detail or {},
        prev_hash=prev_hash,
        hash="",
    )
    entry.hash = _entry_digest(prev_hash, entry)
    session.add(entry)
    return entry


@dataclass(frozen=True)
class ChainReport:
    entries: int
    first_broken_seq: int | None

    @property
    def intact(self) -> bool:
        return self.first_broken_seq is None


def verify_chain(session: Session) -> ChainReport:
    """Recompute the chain; report the first entry whose link or hash does not hold."""
    prev_hash = GENESIS
    expected_seq = 1
    count = 0
    for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).yield_per(2000):
        count += 1
        if (
            entry.seq != expected_seq
            or entry.prev_hash != prev_hash
            or entry.hash != _entry_digest(prev_hash, entry)
        ):
            return ChainReport(count, entry.seq)
        prev_hash = entry.hash
        expected_seq += 1
    return ChainReport(count, None)
