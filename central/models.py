"""The central platform's tables.

Synced records are kept generically (:class:`ServerRecord`): the record as its JSON text, the
server version, the change sequence number that orders the pull feed, and the case it belongs
to (which decides who may see it). Every version's content is kept (:class:`RecordVersion`) so
a push edited from an older version can be merged field by field against it.
"""

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Unit(Base):
    """A unit known to the platform; tokens belong to one."""

    __tablename__ = "units"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    region: Mapped[str] = mapped_column(String(100), default="")
    division_code: Mapped[str] = mapped_column(String(6), default="")


class Token(Base):
    """A device token: its SHA-256 only, for one user of one unit, revocable."""

    __tablename__ = "tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    unit_id: Mapped[str] = mapped_column(ForeignKey("units.id"))
    user_name: Mapped[str] = mapped_column(String(100))
    label: Mapped[str] = mapped_column(String(200), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[str] = mapped_column(String(32))
    revoked_at: Mapped[str | None] = mapped_column(String(32), default=None)


class ServerRecord(Base):
    """The current version of one synced record."""

    __tablename__ = "records"
    __table_args__ = (
        Index("ix_records_case", "case_id"),
        Index("ix_records_owner", "owner_unit_id"),
        Index("ix_records_ref", "ref"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    table_name: Mapped[str] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    case_id: Mapped[str | None] = mapped_column(String(36), default=None)
    owner_unit_id: Mapped[str | None] = mapped_column(String(36), default=None)
    ref: Mapped[str | None] = mapped_column(String(64), default=None)  # attachments: sha256
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    data: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[str] = mapped_column(String(32))


class RecordVersion(Base):
    """Every version of every record (the base a field-level merge compares against)."""

    __tablename__ = "record_versions"

    record_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[str] = mapped_column(Text)


class CaseAccess(Base):
    """Which unit may see (and add to) which case: its owner and the units it went to."""

    __tablename__ = "case_access"

    case_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    unit_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    reason: Mapped[str] = mapped_column(String(20), default="owner")


class PushLog(Base):
    """The answer to each push, by unit and idempotency key: a retried push gets it again."""

    __tablename__ = "push_log"

    unit_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    response: Mapped[str] = mapped_column(Text)
    created_at: Mapped[str] = mapped_column(String(32))


class Counter(Base):
    """Named counters; ``seq`` numbers every change (its row lock orders concurrent pushes)."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class Blob(Base):
    """An attachment's content by SHA-256: how many bytes have arrived, and whether verified."""

    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    received: Mapped[int] = mapped_column(BigInteger, default=0)
    complete: Mapped[bool] = mapped_column(Boolean, default=False)
    chunks: Mapped[int] = mapped_column(Integer, default=0)


class AuditRow(Base):
    """One request or action on the platform."""

    __tablename__ = "audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[str] = mapped_column(String(32))
    unit_id: Mapped[str | None] = mapped_column(String(36), default=None)
    user_name: Mapped[str] = mapped_column(String(100), default="")
    token_id: Mapped[int | None] = mapped_column(Integer, default=None)
    method: Mapped[str] = mapped_column(String(10), default="")
    path: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[int] = mapped_column(Integer, default=0)
    action: Mapped[str] = mapped_column(String(60), default="")
    detail: Mapped[str] = mapped_column(Text, default="{}")


class Reference(Base):
    """A reference-data file the platform publishes (entry standards, thresholds, calendar)."""

    __tablename__ = "reference_data"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    published_at: Mapped[str] = mapped_column(String(32))
