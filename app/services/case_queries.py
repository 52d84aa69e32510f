"""Read-side queries for the case list and the case view (ids first, rows in pages)."""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, and_, exists, func, select
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session

from app.domain.labels import DOC_TYPE_LABELS, DOMAIN_LABELS, EVENT_LABELS, STATUS_LABELS, label
from app.store.models import Attachment, Case, Deadline, Document, Event, Party, Unit, User
from app.store.search import build_query, split_terms
from app.store.types import utc_now


@dataclass(frozen=True)
class CaseFilter:
    """What the case list shows. Empty fields mean "any"."""

    text: str = ""
    domain: str = ""
    status: str = ""
    overdue_only: bool = False
    unit_id: str = ""


@dataclass(frozen=True)
class CaseRow:
    id: str
    case_number: str
    title: str
    domain: str
    status: str
    unit_name: str
    opened_on: date
    parties: str
    penalty_fen: int | None
    sync_state: str
    overdue: bool


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

    @property
    def overdue(self) -> bool:
        return self.met_at is None and self.due_at < utc_now()


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


def _overdue_clause(now: datetime) -> Any:
    return exists().where(
        and_(Deadline.case_id == Case.id, Deadline.met_at.is_(None), Deadline.due_at < now)
    )


def case_ids_query(flt: CaseFilter, now: datetime | None = None) -> Select[str]:
    """The ordered id query for ``flt`` (newest opened first)."""
    stmt = select(Case.id).where(Case.deleted.is_(False))
    if flt.domain:
        stmt = stmt.where(Case.domain == flt.domain)
    if flt.status:
        stmt = stmt.where(Case.status == flt.status)
    if flt.unit_id:
        stmt = stmt.where(Case.unit_id == flt.unit_id)
    if flt.overdue_only:
        stmt = stmt.where(_overdue_clause(now or utc_now()))
    terms = split_terms(flt.text)
    if terms:
        inner, params = build_query(terms)
        stmt = stmt.where(Case.id.in_(sql_text(inner).bindparams(**params)))
    return stmt.order_by(Case.opened_on.desc(), Case.id.desc())


def list_case_ids(session: Session, flt: CaseFilter) -> list[str]:
    return list(session.scalars(case_ids_query(flt)))


def fetch_rows(session: Session, ids: list[str]) -> dict[str, CaseRow]:
    """Rows for one page of ids (the table model asks for ~100 at a time)."""
    if not ids:
        return {}
    now = utc_now()
    overdue = _overdue_clause(now).label("overdue")
    stmt = (
        select(Case, Unit.name, overdue).join(Unit, Unit.id == Case.unit_id).where(Case.id.in_(ids))
    )
    names: dict[str, list[str]] = {}
    for case_id, name in session.execute(
        select(Party.case_id, Party.name).where(Party.case_id.in_(ids), Party.deleted.is_(False))
    ):
        names.setdefault(case_id, []).append(name)
    rows: dict[str, CaseRow] = {}
    for case, unit_name, is_overdue in session.execute(stmt):
        rows[case.id] = CaseRow(
            id=case.id,
            case_number=case.case_number,
            title=case.title,
            domain=label(DOMAIN_LABELS, case.domain),
            status=label(STATUS_LABELS, case.status),
            unit_name=unit_name,
            opened_on=case.opened_on,
            parties="、".join(names.get(case.id, [])),
            penalty_fen=case.penalty_fen,
            sync_state=case.sync_state,
            overdue=bool(is_overdue),
        )
    return rows


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
        select(Deadline).where(Deadline.case_id == case_id).order_by(Deadline.due_at)
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
            DeadlineView(d.node, d.owed_by, d.due_at, d.met_at, d.source) for d in deadlines
        ],
    )
