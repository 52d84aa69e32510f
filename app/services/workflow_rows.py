"""Rows the workflow keeps in step with a case's timeline: deadlines, transfer, referral, status.

Each function works inside the caller's session (so it commits with the event that caused it)
and returns what it changed. The timeline is the truth; these rows are derived from it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.deadlines import Deadline as Computed
from app.domain.kinds import UnitKind
from app.domain.workflow import CaseState, WorkflowEvent
from app.store.models import Case, Deadline, Referral, Transfer, Unit

FORWARD_STATUS: dict[str, str] = {
    "suspected": "crime_suspected",
    "team_formed": "crime_suspected",
    "reported": "transfer_pending",
    "approved": "transfer_approved",
    "refused": "transfer_refused",
    "transferred": "transferred",
    "received": "transferred",
    "supplementing": "transferred",
    "forwarded": "transferred",
    "filed": "filed",
    "handed_over": "filed",
    "prosecuted": "filed",
    "judged": "filed",
    "not_filed": "not_filed",
    "reconsidering": "not_filed",
    "reconsideration_decided": "not_filed",
    "supervision": "not_filed",
    "explanation_requested": "not_filed",
    "explained": "not_filed",
    "filing_ordered": "not_filed",
    "supervision_answered": "not_filed",
    "withdrawn": "criminal_ended",
    "not_prosecuted": "criminal_ended",
}
"""Case.status (app/domain/labels.py STATUS_LABELS) for each forward node."""

SOURCE_UNIT_KIND: dict[str, UnitKind] = {
    "police_non_filing": UnitKind.POLICE,
    "police_withdrawal": UnitKind.POLICE,
    "non_prosecution": UnitKind.PROCURATORATE,
    "court_exemption": UnitKind.COURT,
    "court_acquittal": UnitKind.COURT,
}


def case_status(state: CaseState, previous: str) -> str:
    """The case's status code for a derived workflow state."""
    if state.closed:
        return "closed"
    if state.reverse != "none":
        return "referral_replied" if state.reverse == "replied" else "referred_back"
    if state.forward != "none":
        return FORWARD_STATUS.get(state.forward, previous)
    if state.penalty_decided:
        return "decided"
    return previous


def find_or_add_unit(session: Session, name: str, kind: UnitKind) -> Unit:
    """The unit of ``kind`` with this name or code; a new local record when none is known.

    Police, procuratorate and court units normally arrive from the platform; offline, a unit
    named in an event is recorded locally (code ``local-`` + a hash of kind and name) so the
    transfer can name it, and the platform's record replaces it when synced.
    """
    name = name.strip()
    found = session.scalar(
        select(Unit).where(Unit.kind == kind.value, (Unit.name == name) | (Unit.code == name))
    )
    if found is not None:
        return found
    digest = hashlib.sha256(f"{kind.value}:{name}".encode()).hexdigest()[:16]
    unit = Unit(code=f"local-{digest}", name=name, kind=kind.value)
    session.add(unit)
    session.flush()
    return unit


def _unit_id(session: Session, data: dict[str, Any], key: str, kind: UnitKind) -> str | None:
    value = data.get(key)
    if isinstance(value, str) and value.strip():
        return find_or_add_unit(session, value, kind).id
    return None


def update_transfer(
    session: Session, case_id: str, event: WorkflowEvent, state: CaseState
) -> str | None:
    """Create or update the case's Transfer row for a forward event; its id, if any."""
    data = dict(event.data)
    transfer = session.scalar(
        select(Transfer).where(Transfer.case_id == case_id).order_by(Transfer.created_at.desc())
    )
    if transfer is None:
        if event.kind != "transfer_reported":
            return None
        transfer = Transfer(case_id=case_id)
        session.add(transfer)
    if event.kind == "transfer_reported":
        transfer.reported_at = event.occurred_at
        offence = data.get("offence")
        if isinstance(offence, str):
            transfer.suspected_offence = offence.strip()[:100]
    if event.kind == "transferred":
        transfer.sent_at = event.occurred_at
    police = _unit_id(session, data, "police_unit", UnitKind.POLICE)
    if police:
        transfer.police_unit_id = police
    procuratorate = _unit_id(session, data, "procuratorate_unit", UnitKind.PROCURATORATE)
    if procuratorate:
        transfer.procuratorate_unit_id = procuratorate
    if transfer.status != state.forward:
        transfer.status = state.forward
    if transfer in session.dirty:
        transfer.version += 1
    session.flush()
    return transfer.id


def update_referral(
    session: Session,
    case_id: str,
    event: WorkflowEvent,
    state: CaseState,
    deadlines: Sequence[Computed],
) -> str | None:
    """Create or update the case's Referral row for a reverse event; its id, if any."""
    data = dict(event.data)
    referral = session.scalar(select(Referral).where(Referral.case_id == case_id))
    if referral is None:
        if event.kind != "referral_received":
            return None
        source = str(data["source"])
        opinion = data.get("opinion") or {}
        referral = Referral(
            case_id=case_id,
            source_kind=source,
            source_unit_id=_unit_id(session, data, "source_unit", SOURCE_UNIT_KIND[source]),
            opinion_number=str(opinion.get("number", ""))[:80],
            received_at=event.occurred_at,
        )
        session.add(referral)
    reply = [d for d in deadlines if d.rule_id == "reply_to_opinion"]
    due = reply[-1].due_at if reply and referral.source_kind == "non_prosecution" else None
    changed = referral.status != state.reverse or referral.reply_due_at != due
    referral.status = state.reverse
    referral.reply_due_at = due
    if changed and referral in session.dirty:
        referral.version += 1
    session.flush()
    return referral.id


@dataclass(frozen=True)
class DeadlineChanges:
    """How a case's stored deadlines changed."""

    added: int = 0
    updated: int = 0
    removed: int = 0


def _values(d: Computed) -> dict[str, Any]:
    return {
        "node": d.node[:60],
        "label": d.label[:200],
        "owed_by": d.owed_by,
        "due_at": d.due_at,
        "met_at": d.met_at,
        "cancelled_at": d.cancelled_at,
        "source": d.source[:200],
        "nature": d.nature,
        "verified": d.verified,
        "period_source": d.period_source,
        "counting": d.counting,
    }


def _same(row: Deadline, values: dict[str, Any]) -> bool:
    return all(getattr(row, key) == value for key, value in values.items())


def replace_deadlines(
    session: Session, case_id: str, computed: Sequence[Computed]
) -> DeadlineChanges:
    """Make the case's Deadline rows equal ``computed`` (keyed by trigger event and rule).

    Rows keep their ids (sync sees an update, not a delete and insert); a stored row that no
    computed deadline matches any more is soft-deleted.
    """
    rows = session.scalars(
        select(Deadline).where(Deadline.case_id == case_id, Deadline.deleted.is_(False))
    ).all()
    by_key = {(r.trigger_event_id, r.rule_id): r for r in rows}
    added = updated = 0
    seen: set[tuple[str | None, str]] = set()
    for deadline in computed:
        key: tuple[str | None, str] = (deadline.trigger_event_id, deadline.rule_id)
        seen.add(key)
        values = _values(deadline)
        row = by_key.get(key)
        if row is None:
            session.add(
                Deadline(
                    case_id=case_id,
                    rule_id=deadline.rule_id,
                    trigger_event_id=deadline.trigger_event_id,
                    **values,
                )
            )
            added += 1
        elif not _same(row, values):
            for name, value in values.items():
                setattr(row, name, value)
            row.version += 1
            updated += 1
    removed = 0
    for key, row in by_key.items():
        if key not in seen:
            row.deleted = True
            row.version += 1
            removed += 1
    session.flush()
    return DeadlineChanges(added, updated, removed)


def set_case_status(session: Session, case: Case, state: CaseState) -> str:
    """Update Case.status from the workflow state; the new status code."""
    status = case_status(state, case.status)
    if status != case.status:
        case.status = status
        case.version += 1
    return status
