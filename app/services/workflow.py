"""Workflow use cases: record a timeline event, list open deadlines, describe a case's workflow.

``record_event`` checks the step with the state machines (app/domain/workflow) before writing
anything; a refused step raises :class:`~app.domain.workflow.WorkflowRefused` (a UserError with
the Chinese reason) and the store is unchanged. An accepted step is written in one transaction
with everything derived from it: the Transfer or Referral row, the case's deadlines (recomputed
by app/domain/deadlines.py and stored in UTC), the case status and an audit entry.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.deadlines import compute_deadlines
from app.domain.identity import SignedInUser
from app.domain.kinds import Role
from app.domain.labels import DOC_TYPE_LABELS, STATUS_LABELS, label
from app.domain.materials import Checklist, check_materials
from app.domain.roles import Permission, may
from app.domain.workflow import (
    CaseState,
    NextStep,
    WorkflowEvent,
    WorkflowRefused,
    allowed_next,
    derive,
)
from app.domain.workflow import forward as forward_machine
from app.domain.workflow import reverse as reverse_machine
from app.domain.workflow.events import PARTY_LABELS, Party, Track, spec_of
from app.domain.workflow.machine import step
from app.errors import PermissionDenied, UserError
from app.ids import new_id
from app.services import workflow_rows as rows
from app.services.workflow_files import attach_file
from app.store import audit
from app.store.db import Store
from app.store.models import Case, Deadline, Document, Event, Unit, User
from app.store.search import reindex_cases


class CaseNotFound(UserError):
    """The case id names no case in this store."""


@dataclass(frozen=True)
class Attachment:
    """A file to attach as a case document together with an event (``--doc`` / ``--doc-type``)."""

    path: Path
    doc_type: str
    title: str = ""


@dataclass(frozen=True)
class Changes:
    """What recording one event changed."""

    case_id: str
    event_id: str
    kind: str
    label: str
    status: str
    forward_node: str
    reverse_node: str
    document_id: str | None = None
    transfer_id: str | None = None
    referral_id: str | None = None
    deadlines_added: int = 0
    deadlines_updated: int = 0
    deadlines_removed: int = 0
    owes: tuple[str, ...] = field(default_factory=tuple)


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise UserError("事件时间须带时区（例如 2025-03-01T09:30:00+08:00）")
    return at


def load_events(session: Session, case_id: str) -> list[WorkflowEvent]:
    """The case's timeline as workflow events, in timeline order."""
    events = session.scalars(
        select(Event)
        .where(Event.case_id == case_id, Event.deleted.is_(False))
        .order_by(Event.occurred_at, Event.id)
    )
    return [WorkflowEvent.from_record(e) for e in events]


def _case(session: Session, case_id: str) -> Case:
    case = session.get(Case, case_id)
    if case is None or case.deleted:
        raise CaseNotFound(f"找不到案件 {case_id}")
    return case


def attached_doc_types(session: Session, case_id: str) -> list[str]:
    """Distinct document types attached to the case (the materials checklist reads these)."""
    found = session.scalars(
        select(Document.doc_type)
        .where(Document.case_id == case_id, Document.deleted.is_(False))
        .distinct()
    )
    return sorted(found)


def _require_role(actor: SignedInUser, kind: str) -> None:
    spec = spec_of(kind)
    if spec is None:
        raise WorkflowRefused(kind, f"未知的事件类型：{kind}")
    if spec.head_only:
        if actor.role != Role.HEAD:
            raise WorkflowRefused(kind, f"“{spec.label}”只能由负责人作出（R2020 第5条）")
        return
    if may(actor.role, Permission.EDIT_CASES):
        return
    # A clerk records what another agency did (a receipt, a filing decision, an opinion).
    if spec.party is not Party.SELF and may(actor.role, Permission.ATTACH_DOCUMENTS):
        return
    raise PermissionDenied(f"当前角色无权记录“{spec.label}”")


FIELD_LABELS: dict[str, str] = {
    "reason": "理由",
    "members": "专案组成员（至少2名执法人员）",
    "doc_types": "随案移送的材料",
    "outcome": "结果",
    "source": "反向移送来源",
    "letter": "来函类型",
}
"""Plain Chinese names of the data fields a step requires (for refusals)."""


def _required(kind: str, data: Mapping[str, Any]) -> None:
    spec = spec_of(kind)
    assert spec is not None
    for key in spec.required:
        if key != "doc_types" and (key not in data or data[key] is None):
            raise WorkflowRefused(kind, f"{spec.label}：须填写{FIELD_LABELS.get(key, key)}")


def _prepare_data(
    session: Session, case_id: str, kind: str, data: Mapping[str, Any], actor: SignedInUser
) -> dict[str, Any]:
    out = dict(data)
    out["actor_role"] = actor.role
    if kind == "transferred":
        # The checklist reads what is attached to the case, not what the caller claims.
        out["doc_types"] = attached_doc_types(session, case_id)
    return out


def record_event(
    store: Store,
    actor: SignedInUser,
    case_id: str,
    kind: str,
    *,
    at: datetime,
    data: Mapping[str, Any] | None = None,
    document: Attachment | None = None,
    note: str = "",
) -> Changes:
    """Append one event to a case's timeline, with everything derived from it.

    Raises WorkflowRefused (nothing written) when the step is not allowed now, PermissionDenied
    when the actor's role may not record it, CaseNotFound for an unknown case.
    """
    at = _aware(at)
    _require_role(actor, kind)
    _required(kind, data or {})
    with store.session() as session:
        case = _case(session, case_id)
        events = load_events(session, case_id)
        document_id: str | None = None
        if document is not None:
            document_id = new_id()
        payload = _prepare_data(session, case_id, kind, data or {}, actor)
        if document is not None and kind == "transferred":
            payload["doc_types"] = sorted({*payload["doc_types"], document.doc_type})
        new = WorkflowEvent(
            id=new_id(),
            kind=kind,
            occurred_at=at,
            actor_role=actor.role,
            actor_user_id=actor.id,
            actor_unit_id=actor.unit_id,
            document_id=document_id,
            note=note,
            data=payload,
        )
        state = step(derive(events), new)  # raises WorkflowRefused before anything is written
        if document is not None:
            assert document_id is not None
            attach_file(
                session,
                store.paths.attachments,
                case_id,
                document.path,
                document.doc_type,
                title=document.title,
                document_id=document_id,
            )
        session.add(
            Event(
                id=new.id,
                case_id=case_id,
                kind=kind,
                occurred_at=at,
                actor_user_id=actor.id,
                actor_unit_id=actor.unit_id,
                document_id=document_id,
                note=note,
                data=payload,
            )
        )
        session.flush()
        timeline = [*events, new]
        computed = compute_deadlines(timeline)
        spec = spec_of(kind)
        assert spec is not None
        transfer_id = referral_id = None
        if spec.track is Track.FORWARD or kind == "closed":
            transfer_id = rows.update_transfer(session, case_id, new, state)
        if spec.track is Track.REVERSE or kind in ("penalty_decided", "closed"):
            referral_id = rows.update_referral(session, case_id, new, state, computed)
        changed = rows.replace_deadlines(session, case_id, computed)
        status = rows.set_case_status(session, case, state)
        if kind == "penalty_decided" and case.decided_on is None:
            case.decided_on = at.date()
        audit.record(
            session,
            "workflow_event",
            user_id=actor.id,
            entity="case",
            entity_id=case_id,
            detail={"event_id": new.id, "kind": kind, "status": status},
        )
        if document is not None:
            reindex_cases(session, [case_id])
        return Changes(
            case_id=case_id,
            event_id=new.id,
            kind=kind,
            label=spec.label,
            status=status,
            forward_node=state.forward,
            reverse_node=state.reverse,
            document_id=document_id,
            transfer_id=transfer_id,
            referral_id=referral_id,
            deadlines_added=changed.added,
            deadlines_updated=changed.updated,
            deadlines_removed=changed.removed,
            owes=tuple(f"{PARTY_LABELS[o.party]}：{o.what}" for o in state.owes),
        )


# --- reading -----------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenDeadline:
    """An open deadline for the CLI and the UI."""

    id: str
    case_id: str
    case_number: str
    case_title: str
    rule_id: str
    node: str
    label: str
    owed_by: str
    owed_by_label: str
    due_at: datetime
    overdue: bool
    nature: str
    source: str
    verified: bool
    period_source: str
    counting: str


def _open_rows(session: Session, case_id: str | None) -> list[tuple[Deadline, Case]]:
    query = (
        select(Deadline, Case)
        .join(Case, Case.id == Deadline.case_id)
        .where(
            Deadline.deleted.is_(False),
            Deadline.met_at.is_(None),
            Deadline.cancelled_at.is_(None),
            Case.deleted.is_(False),
        )
    )
    if case_id is not None:
        query = query.where(Deadline.case_id == case_id)
    return [(d, c) for d, c in session.execute(query.order_by(Deadline.due_at, Deadline.id))]


def _owed_label(owed_by: str) -> str:
    try:
        return PARTY_LABELS[Party(owed_by)]
    except ValueError:
        return owed_by


def open_deadlines_in(
    session: Session, at: datetime, case_id: str | None = None
) -> list[OpenDeadline]:
    """Open deadlines (not met, not cancelled), overdue first, then by due time."""
    at = _aware(at)
    out = [
        OpenDeadline(
            id=d.id,
            case_id=c.id,
            case_number=c.case_number,
            case_title=c.title,
            rule_id=d.rule_id,
            node=d.node,
            label=d.label or d.node,
            owed_by=d.owed_by,
            owed_by_label=_owed_label(d.owed_by),
            due_at=d.due_at,
            overdue=d.due_at < at and d.nature != "window",
            nature=d.nature,
            source=d.source,
            verified=d.verified,
            period_source=d.period_source,
            counting=d.counting,
        )
        for d, c in _open_rows(session, case_id)
    ]
    return sorted(out, key=lambda d: (not d.overdue, d.due_at))


def list_deadlines(store: Store, at: datetime, case_id: str | None = None) -> list[OpenDeadline]:
    """Open deadlines of every case (or one), overdue first (``xianjie deadlines``)."""
    with store.session() as session:
        return open_deadlines_in(session, at, case_id)


@dataclass(frozen=True)
class ChecklistItem:
    """One line of the materials checklist."""

    id: str
    label: str
    status: str
    status_label: str
    doc_types: tuple[str, ...]


@dataclass(frozen=True)
class CaseWorkflow:
    """Everything the workflow panel and ``xianjie next-steps`` show for a case."""

    case_id: str
    case_number: str
    title: str
    status: str
    status_label: str
    forward_node: str
    forward_label: str
    reverse_node: str
    reverse_label: str
    closed: bool
    owes: tuple[tuple[str, str], ...]
    next_steps: tuple[NextStep, ...]
    deadlines: tuple[OpenDeadline, ...]
    materials: tuple[ChecklistItem, ...]
    materials_complete: bool
    materials_waived: bool
    documents: tuple[tuple[str, str], ...]
    anomalies: tuple[tuple[str, str], ...]


def materials_checklist(
    state: CaseState, doc_types: Sequence[str], facts: Mapping[str, bool | None] | None = None
) -> Checklist:
    """The transfer checklist for the case's attached documents."""
    known: dict[str, bool | None] = {"penalty_decided": state.penalty_decided}
    known.update(facts or {})
    return check_materials(doc_types, known)


def case_workflow(store: Store, case_id: str, at: datetime) -> CaseWorkflow:
    """The case's derived workflow: node, who owes what, next steps, deadlines, materials."""
    from app.domain.materials import STATUS_LABELS as ITEM_LABELS

    with store.session() as session:
        case = _case(session, case_id)
        events = load_events(session, case_id)
        state = derive(events)
        doc_types = attached_doc_types(session, case_id)
        checklist = materials_checklist(state, doc_types)
        deadlines = open_deadlines_in(session, at, case_id)
        return CaseWorkflow(
            case_id=case.id,
            case_number=case.case_number,
            title=case.title,
            status=case.status,
            status_label=label(STATUS_LABELS, case.status),
            forward_node=state.forward,
            forward_label=forward_machine.NODES[state.forward],
            reverse_node=state.reverse,
            reverse_label=reverse_machine.NODES[state.reverse],
            closed=state.closed,
            owes=tuple((PARTY_LABELS[o.party], o.what) for o in state.owes),
            next_steps=tuple(allowed_next(events)),
            deadlines=tuple(deadlines),
            materials=tuple(
                ChecklistItem(
                    i.item.id, i.label, i.status.value, ITEM_LABELS[i.status], i.item.doc_types
                )
                for i in checklist.items
            ),
            materials_complete=checklist.complete,
            materials_waived=state.materials_waived,
            documents=tuple((t, label(DOC_TYPE_LABELS, t)) for t in doc_types),
            anomalies=state.anomalies,
        )


def signed_in_as(store: Store, username: str) -> SignedInUser:
    """The SignedInUser for an existing, active account (the CLI's ``--user``)."""
    with store.session() as session:
        user = session.scalar(select(User).where(User.username == username.strip()))
        if user is None or not user.active:
            raise UserError(f"用户 {username} 不存在或已停用")
        unit = session.get_one(Unit, user.unit_id)
        return SignedInUser(
            id=user.id,
            username=user.username,
            display_name=user.display_name,
            role=user.role,
            unit_id=unit.id,
            unit_name=unit.name,
        )


def resolve_case_id(store: Store, text: str) -> str:
    """A case id from an id or a case number as printed (``徐铜环罚〔2024〕15号``)."""
    text = text.strip()
    with store.session() as session:
        case = session.get(Case, text)
        if case is not None and not case.deleted:
            return case.id
        ids = session.scalars(
            select(Case.id).where(Case.case_number == text, Case.deleted.is_(False))
        ).all()
    if len(ids) == 1:
        return ids[0]
    if len(ids) > 1:
        raise UserError(f"有 {len(ids)} 件案件的编号都是 {text}，请改用案件 id")
    raise CaseNotFound(f"找不到案件 {text}")


def default_actor(store: Store) -> SignedInUser:
    """The only active account that handles cases, when the CLI is not told ``--user``."""
    with store.session() as session:
        names = session.scalars(
            select(User.username).where(User.active.is_(True), User.role != Role.ADMIN.value)
        ).all()
    if len(names) != 1:
        raise UserError("请用 --user 指定操作人（用户名）")
    return signed_in_as(store, names[0])
