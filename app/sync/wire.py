"""The sync protocol's shapes, shared by the client and the central server.

Plain TypedDicts and constants only: the desktop app never imports FastAPI or pydantic, and the
server validates the same shapes at its edge. A record travels in the export shape of
``docs/export-format.md`` (column name -> JSON value) minus the client-only columns in
:data:`LOCAL_ONLY`. See ``docs/sync-protocol.md``.
"""

from typing import (
    Any,
    Literal,
    NotRequired,  # pydantic needs it on Python < 3.12
)

from typing_extensions import TypedDict

PROTOCOL_VERSION = 1
"""The protocol this client speaks (sent in :data:`PROTOCOL_HEADER` on every request)."""
PROTOCOL_MIN = 1
PROTOCOL_MAX = 1
"""The window the server accepts; outside it the answer is 426 with ``please_upgrade``."""

PROTOCOL_HEADER = "X-Xianjie-Protocol"
IDEMPOTENCY_HEADER = "Idempotency-Key"
API_PREFIX = "/api/v1"

CHUNK_SIZE = 8 * 1024 * 1024
"""The block in which the client reads and sends an attachment (one request carries the rest
of the content; the run can stop and progress is reported between blocks)."""
MAX_PUSH_RECORDS = 500
MAX_PULL_LIMIT = 1000

LOCAL_ONLY = frozenset({"sync_state", "sync_error", "server_seq", "password_hash"})
"""Columns that never leave the desk: sync bookkeeping and local password hashes."""

TABLES = (
    "units",
    "users",
    "cases",
    "parties",
    "documents",
    "events",
    "transfers",
    "referrals",
    "attachments",
    "deadlines",
)
"""Synced tables in dependency order (parents before children)."""

APPEND_ONLY = frozenset({"events"})
"""Tables whose records never change once written: merged as a union."""

SERVER_OWNED: dict[str, frozenset[str]] = {
    "transfers": frozenset({"status"}),
    "referrals": frozenset({"status", "reply_due_at"}),
}
"""Fields another agency sets (legal status): on overlap the server's value wins."""

Record = dict[str, Any]


class Change(TypedDict):
    """One pushed record: the whole record, the server version it was edited from (None for a
    new record) and the fields the client changed since that version (None: all)."""

    table: str
    id: str
    base_version: int | None
    changed: list[str] | None
    data: Record


class PushRequest(TypedDict):
    changes: list[Change]


Outcome = Literal["applied", "merged", "unchanged", "conflict", "rejected"]


class ChangeResult(TypedDict):
    id: str
    outcome: Outcome
    version: NotRequired[int]
    """The server version after the push (applied, merged, unchanged, conflict)."""
    seq: NotRequired[int]
    data: NotRequired[Record]
    """The server's record after the push, or its current record on a conflict."""
    fields: NotRequired[list[str]]
    """Overlapping fields (conflict)."""
    reason: NotRequired[str]
    """Why the record was refused (rejected), in Chinese."""


class PushResponse(TypedDict):
    results: list[ChangeResult]


class PulledRecord(TypedDict):
    table: str
    id: str
    version: int
    seq: int
    deleted: bool
    data: Record


class PullPage(TypedDict):
    records: list[PulledRecord]
    cursor: int
    """The cursor to send next time (the highest seq in this page, or the one sent)."""
    more: bool


class Hello(TypedDict):
    protocol_min: int
    protocol_max: int
    server: str
    unit: Record
    """The unit the token belongs to (a ``units`` record)."""
    user: str


class BlobStatus(TypedDict):
    sha256: str
    size: int | None
    received: int
    complete: bool


class ReferenceItem(TypedDict):
    name: str
    sha256: str
    size: int


class ErrorBody(TypedDict):
    error: str
    """A machine code: please_upgrade, unauthorized, forbidden, invalid, not_found, conflict."""
    message: str
    """One Chinese sentence for the user."""
