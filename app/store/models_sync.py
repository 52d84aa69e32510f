"""The client's sync tables (migration 0008) and the outbox hook.

The outbox is the set of records whose ``sync_state`` is ``pending`` (indexed on every synced
table). :func:`_mark_changed` runs before every ORM flush: a changed synced record gets its
``version`` bumped and becomes ``pending`` in the same transaction as the change itself, so no
service has to remember it. Bulk writers that bypass the ORM (demo data, import) write their
rows as ``pending`` themselves; the engine pushes them like any other.
"""

from typing import Any

from sqlalchemy import Integer, String, Text, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.domain.kinds import SyncState
from app.store.models import Base, SyncedRecord


class SyncMeta(Base):
    """Settings and progress: server URL, unit, pull cursor, last success."""

    __tablename__ = "sync_meta"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class SyncBase(Base):
    """The server's copy of a record as last seen: the base of a field-level merge."""

    __tablename__ = "sync_base"

    record_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    table_name: Mapped[str] = mapped_column(String(20))
    server_version: Mapped[int] = mapped_column(Integer)
    data: Mapped[str] = mapped_column(Text)


class SyncConflict(Base):
    """Overlapping edits of one record, waiting for the user to choose field by field."""

    __tablename__ = "sync_conflicts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    table_name: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[str] = mapped_column(String(36), unique=True)
    fields: Mapped[str] = mapped_column(Text)
    local: Mapped[str] = mapped_column(Text)
    server: Mapped[str] = mapped_column(Text)
    server_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[str] = mapped_column(String(27))


class SyncPush(Base):
    """A push sent but not yet answered: resent with the same idempotency key."""

    __tablename__ = "sync_push"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[str] = mapped_column(String(27))


_SYNC_COLUMNS = frozenset({"sync_state", "sync_error", "server_seq"})


@event.listens_for(Session, "before_flush")
def _mark_changed(session: Session, _context: Any, _instances: Any) -> None:
    """Every changed synced record joins the outbox in the flush that writes it."""
    from sqlalchemy import inspect

    for obj in session.dirty:
        if not isinstance(obj, SyncedRecord):
            continue
        state = inspect(obj)
        changed = {
            column.key
            for column in state.mapper.column_attrs
            if column.key not in _SYNC_COLUMNS and state.attrs[column.key].history.has_changes()
        }
        if not changed:
            continue
        obj.version = (obj.version or 0) + 1
        obj.sync_state = SyncState.PENDING.value
        obj.sync_error = None
