"""Read-side queries for the case view, and the case list over an ORM session."""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.labels import DOC_TYPE_LABELS, DOMAIN_LABELS, EVENT_LABELS, STATUS_LABELS, label
from app.store import case_list
from app.store.case_list import CaseFilter, CaseRow
from app.store.models import Attachment, Case, Deadline, Document, Event, Unit, User
from app.store.search import sqlite_of
from app.timeutil import utc_now

__all__ = [
    "CaseDetail",
    "CaseFilter",
    "CaseRow",
    "DeadlineView",
    "DocumentView",
    "EventView",
    "PartyView",
    "case_detail",
    "fetch_rows",
    "list_case_ids",
]


@dataclass(frozen=True)
class PartyView:
    kind: str
    name: str
    id_number: str
    role: str
    phone: str
    address: str


@dataclass(frozen=True)
class EventView:
    id: str
    kind: str
    label: str
    occurred_at: datetime
    actor: str
    note: str


@dataclass(frozen=True)
class DocumentView:
    id: str
    doc_type: str
    type_label: str
    title: str
    number: str
    issued_on: date | None
    page_count: int
    attachments: int


@dataclass(frozen=True)
class DeadlineView:
    node: str
    owed_by: str
    due_at: datetime
    met_at: datetime | None
    source: str
    cancelled_at: datetime | None = None

    @property
    def overdue(self) -> bool:
        return self.met_at is None and self.cancelled_at is None and self.due_at < utc_now()


@dataclass(frozen=True)
class CaseDetail:
    id: str
    case_number: str
    title: str
    domain: str
    category: str
    status: str
    unit_name: str
    facts: str
    amount_fen: int | None
    penalty_fen: int | None
    opened_on: date
    decided_on: date | None
    sync_state: str
    fields: dict[str, Any]
    parties: list[PartyView] = field(default_factory=list)
    events: list[EventView] = field(default_factory=list)
    documents: list[DocumentView] = field(default_factory=list)
    deadlines: list[DeadlineView] = field(default_factory=list)


def list_case_ids(session: Session, flt: CaseFilter) -> list[str]:
    """Every id the case list shows for ``flt``, in its order (see :mod:`app.store.case_list`)."""
    return case_list.list_ids(sqlite_of(session), flt)


def fetch_rows(session: Session, ids: list[str]) -> dict[str, CaseRow]:
    return case_list.fetch_rows(sqlite_of(session), ids)


def case_detail(session: Session, case_id: str) -> CaseDetail | None:
    case = session.get(Case, case_id)
    if case is None or case.deleted:
        return None
    unit = session.get_one(Unit, case.unit_id)
    users = {u.id: u.display_name for u in session.scalars(select(User))}
    events = session.scalars(
        select(Event).where(Event.case_id == case_id).order_by(Event.occurred_at, Event.id)
    )
    attachment_count = (
        select(func.count(Attachment.id))
        .where(Attachment.document_id == Document.id)
        .scalar_subquery()
    )
    docs = session.execute(
        select(Document, attachment_count)
        .where(Document.case_id == case_id, Document.deleted.is_(False))
        .order_by(Document.issued_on, Document.id)
    )
    deadlines = session.scalars(
        select(Deadline)
        .where(Deadline.case_id == case_id, Deadline.deleted.is_(False))
        .order_by(Deadline.due_at)
    )
    return CaseDetail(
        id=case.id,
        case_number=case.case_number,
        title=case.title,
        domain=label(DOMAIN_LABELS, case.domain),
        category=case.category,
        status=label(STATUS_LABELS, case.status),
        unit_name=unit.name,
        facts=case.facts,
        amount_fen=case.amount_fen,
        penalty_fen=case.penalty_fen,
        opened_on=case.opened_on,
        decided_on=case.decided_on,
        sync_state=case.sync_state,
        fields=dict(case.fields or {}),
        parties=[
            PartyView(p.kind, p.name, p.id_number, p.role, p.phone, p.address)
            for p in case.parties
            if not p.deleted
        ],
        events=[
            EventView(
                e.id,
                e.kind,
                label(EVENT_LABELS, e.kind),
                e.occurred_at,
                users.get(e.actor_user_id or "", ""),
                e.note,
            )
            for e in events
        ],
        documents=[
            DocumentView(
                d.id,
                d.doc_type,
                label(DOC_TYPE_LABELS, d.doc_type),
                d.title,
                d.number,
                d.issued_on,
                d.page_count,
                int(n or 0),
            )
            for d, n in docs
        ],
        deadlines=[
            DeadlineView(d.node, d.owed_by, d.due_at, d.met_at, d.source, d.cancelled_at)
            for d in deadlines
        ],
    )
