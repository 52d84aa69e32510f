"""Test data written into a real store: the home unit's accounts, and cases (parties,
timeline, documents, deadlines)."""

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from app.domain.identity import SignedInUser
from app.domain.kinds import Role, UnitKind
from app.services.accounts import create_unit_and_admin, create_user
from app.store import audit
from app.store.attachments import AttachmentStore
from app.store.db import Store
from app.store.models import Attachment, Case, Deadline, Document, Event, Party, Unit
from app.store.search import reindex_cases

PASSWORD = "Xuzhou-2024!"
"""The password of every account the tests create."""


def add_home_unit(store: Store) -> SignedInUser:
    """徐州市铜山生态环境局 (320312-HB, 铜山区) and its admin 张管理 (``admin``)."""
    return create_unit_and_admin(
        store,
        unit_name="徐州市铜山生态环境局",
        unit_code="320312-HB",
        region="铜山区",
        username="admin",
        display_name="张管理",
        password=PASSWORD,
    )


def add_inspector(store: Store, admin: SignedInUser) -> SignedInUser:
    """An inspector 李执法 (``li``) in ``admin``'s unit."""
    return create_user(
        store, admin, username="li", display_name="李执法", role=Role.INSPECTOR, password=PASSWORD
    )


def add_case(
    store: Store,
    title: str,
    *,
    unit_id: str | None = None,
    case_number: str = "",
    domain: str = "environment",
    category: str = "illegal_discharge",
    status: str = "open",
    facts: str = "",
    amount_fen: int | None = None,
    opened_on: date = date(2024, 5, 1),
    parties: Sequence[Party] = (),
    events: Sequence[Event] = (),
    documents: Sequence[Document] = (),
    deadlines: Sequence[Deadline] = (),
    overdue: bool = False,
    scan: bytes | None = None,
    audited: bool = False,
    indexed: bool = False,
) -> str:
    """Add one case in its own transaction; returns its id.

    ``unit_id=None`` uses the store's first unit, creating 徐州市生态环境局 if there is none.
    ``parties``, ``events``, ``documents`` and ``deadlines`` are rows without a case id; they
    get this case's. ``overdue`` adds a 负责人审批 deadline that fell due a day ago; ``scan``
    adds a 移送书 document with those bytes attached; ``audited`` records ``create_case`` in
    the audit log; ``indexed`` writes the case's full-text search row.
    """
    with store.session() as session:
        if unit_id is None:
            unit = session.scalar(select(Unit))
            if unit is None:
                unit = Unit(
                    code="320300-HB", name="徐州市生态环境局", kind=UnitKind.ENFORCEMENT.value
                )
                session.add(unit)
                session.flush()
            unit_id = unit.id
        case = Case(
            unit_id=unit_id,
            case_number=case_number,
            title=title,
            domain=domain,
            category=category,
            status=status,
            facts=facts,
            amount_fen=amount_fen,
            opened_on=opened_on,
        )
        session.add(case)
        session.flush()
        rows: list[Party | Event | Document | Deadline] = [
            *parties,
            *events,
            *documents,
            *deadlines,
        ]
        if overdue:
            due = datetime.now(UTC) - timedelta(days=1)
            rows.append(
                Deadline(rule_id="head_decision", node="负责人审批", owed_by="self", due_at=due)
            )
        for row in rows:
            row.case_id = case.id
        session.add_all(rows)
        if scan is not None:
            stored = AttachmentStore(store.paths.attachments).put_bytes(scan)
            doc = Document(case_id=case.id, doc_type="transfer_letter", title="移送书")
            session.add(doc)
            session.flush()
            session.add(
                Attachment(
                    document_id=doc.id,
                    sha256=stored.sha256,
                    filename="移送书.pdf",
                    media_type="application/pdf",
                    size=stored.size,
                )
            )
        session.flush()
        if audited:
            audit.record(session, "create_case", entity="case", entity_id=case.id)
        if indexed:
            reindex_cases(session, [case.id])
        return case.id
