"""The local case store's tables (SQLAlchemy 2.0 typed models).

Every synced record carries the same sync metadata (:class:`SyncedRecord`): a client-made
UUIDv7 ``id``, a ``version`` bumped on each local change, the ``sync_state`` and, once the
platform has seen it, the server's change sequence. Timeline events and the audit log are
append-only: triggers in the migrations refuse UPDATE and DELETE on them.
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from app.domain.kinds import SyncState
from app.ids import new_id
from app.store.types import ISODate, UTCDateTime, utc_now


class Base(DeclarativeBase):
    pass


class SyncedRecord:
    """Columns every synced record shares."""

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now, onupdate=utc_now)
    version: Mapped[int] = mapped_column(Integer, default=1)
    sync_state: Mapped[str] = mapped_column(String(10), default=SyncState.PENDING.value)
    sync_error: Mapped[str | None] = mapped_column(Text, default=None)
    server_seq: Mapped[int | None] = mapped_column(BigInteger, default=None)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


class Unit(SyncedRecord, Base):
    """A unit: an enforcement organ, a police body, a procuratorate or a court."""

    __tablename__ = "units"

    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    region: Mapped[str] = mapped_column(String(100), default="")
    division_code: Mapped[str] = mapped_column(String(6), default="")


class User(SyncedRecord, Base):
    """A local account. Passwords are stored only as scrypt hashes."""

    __tablename__ = "users"

    unit_id: Mapped[str] = mapped_column(ForeignKey("units.id"))
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    unit: Mapped[Unit] = relationship()


class Case(SyncedRecord, Base):
    """An administrative penalty case (行政处罚案件), by domain and category."""

    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_opened", "opened_on", "id"),
        Index("ix_cases_domain_status", "domain", "status"),
        Index("ix_cases_unit", "unit_id"),
    )

    unit_id: Mapped[str] = mapped_column(ForeignKey("units.id"))
    case_number: Mapped[str] = mapped_column(String(80), default="")  # 文书编号, as printed
    title: Mapped[str] = mapped_column(String(300))
    domain: Mapped[str] = mapped_column(String(30))  # environment, food, drug ...
    category: Mapped[str] = mapped_column(String(60))  # entry-standard category
    status: Mapped[str] = mapped_column(String(30), default="open")
    facts: Mapped[str] = mapped_column(Text, default="")
    amount_fen: Mapped[int | None] = mapped_column(BigInteger, default=None)  # 涉案金额
    penalty_fen: Mapped[int | None] = mapped_column(BigInteger, default=None)  # 罚款
    opened_on: Mapped[date] = mapped_column(ISODate())
    decided_on: Mapped[date | None] = mapped_column(ISODate(), default=None)
    spec_version: Mapped[str] = mapped_column(String(40), default="")
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"), default=None)

    parties: Mapped[list["Party"]] = relationship(back_populates="case", order_by="Party.id")


class Party(SyncedRecord, Base):
    """A party to a case: a person (resident ID) or an organisation (USCC)."""

    __tablename__ = "parties"
    __table_args__ = (Index("ix_parties_case", "case_id"),)

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"))
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    id_number: Mapped[str] = mapped_column(String(30), default="")
    role: Mapped[str] = mapped_column(String(30), default="当事人")
    phone: Mapped[str] = mapped_column(String(30), default="")
    address: Mapped[str] = mapped_column(String(300), default="")

    case: Mapped[Case] = relationship(back_populates="parties")


class Event(SyncedRecord, Base):
    """One procedural node on a case's append-only timeline."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_case", "case_id", "occurred_at"),)

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"))
    kind: Mapped[str] = mapped_column(String(40))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), default=None)
    actor_unit_id: Mapped[str | None] = mapped_column(ForeignKey("units.id"), default=None)
    document_id: Mapped[str | None] = mapped_column(ForeignKey("documents.id"), default=None)
    note: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Transfer(SyncedRecord, Base):
    """A forward transfer (正向移送) of a suspected crime to the police."""

    __tablename__ = "transfers"
    __table_args__ = (Index("ix_transfers_case", "case_id"),)

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"))
    police_unit_id: Mapped[str | None] = mapped_column(ForeignKey("units.id"), default=None)
    procuratorate_unit_id: Mapped[str | None] = mapped_column(ForeignKey("units.id"), default=None)
    suspected_offence: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[str] = mapped_column(String(30), default="drafting")
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class Referral(SyncedRecord, Base):
    """A case received back for administrative handling (反向移送)."""

    __tablename__ = "referrals"
    __table_args__ = (Index("ix_referrals_case", "case_id"),)

    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id"), default=None)
    source_kind: Mapped[str] = mapped_column(String(40))  # police_non_filing, non_prosecution ...
    source_unit_id: Mapped[str | None] = mapped_column(ForeignKey("units.id"), default=None)
    opinion_number: Mapped[str] = mapped_column(String(80), default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reply_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    status: Mapped[str] = mapped_column(String(30), default="received")


class Document(SyncedRecord, Base):
    """A typed document on a case (移送书, 行政处罚决定书, 检察意见书 ...)."""

    __tablename__ = "documents"
    __table_args__ = (Index("ix_documents_case", "case_id"),)

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"))
    doc_type: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    number: Mapped[str] = mapped_column(String(80), default="")  # 文书编号, as printed
    issued_on: Mapped[date | None] = mapped_column(ISODate(), default=None)
    text: Mapped[str] = mapped_column(Text, default="")  # typed or OCR text, indexed
    page_count: Mapped[int] = mapped_column(Integer, default=0)


class Attachment(SyncedRecord, Base):
    """A file belonging to a document, kept in the content-addressed store by SHA-256."""

    __tablename__ = "attachments"
    __table_args__ = (Index("ix_attachments_document", "document_id"),)

    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"))
    sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    position: Mapped[int] = mapped_column(Integer, default=0)


class Deadline(SyncedRecord, Base):
    """A statutory deadline computed from a timeline event by a deadline rule."""

    __tablename__ = "deadlines"
    __table_args__ = (
        Index("ix_deadlines_open", "met_at", "due_at"),
        Index("ix_deadlines_case", "case_id"),
    )

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"))
    rule_id: Mapped[str] = mapped_column(String(60))
    node: Mapped[str] = mapped_column(String(60))
    owed_by: Mapped[str] = mapped_column(String(20))  # self, police, procuratorate, court
    trigger_event_id: Mapped[str | None] = mapped_column(ForeignKey("events.id"), default=None)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    met_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    source: Mapped[str] = mapped_column(String(200), default="")  # article that sets it
    # migration 0005: what the deadline engine says about each deadline
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    nature: Mapped[str] = mapped_column(String(20), default="duty", server_default="duty")
    verified: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    period_source: Mapped[str] = mapped_column(String(20), default="rule", server_default="rule")
    counting: Mapped[str] = mapped_column(String(30), default="", server_default="")
    label: Mapped[str] = mapped_column(String(200), default="", server_default="")


class AuditEntry(Base):
    """One entry of the local, append-only, hash-chained audit log."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    user_id: Mapped[str | None] = mapped_column(String(36), default=None)
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40), default="")
    entity_id: Mapped[str] = mapped_column(String(36), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


SYNCED_MODELS: tuple[type[SyncedRecord], ...] = (
    Unit,
    User,
    Case,
    Party,
    Document,
    Event,
    Transfer,
    Referral,
    Attachment,
    Deadline,
)
"""Synced record types in dependency order (parents before children)."""

# The sync tables and the outbox hook (every changed synced record becomes pending in the
# flush that writes it) are registered with the models, so every ORM writer gets them.
from app.store import models_sync as _models_sync  # noqa: E402, F401
