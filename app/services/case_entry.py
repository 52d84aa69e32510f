"""Finishing a draft as a case, and closing a case without transfer (以罚代刑 made visible).

:func:`finish_draft` turns a draft into a new case, or applies it to the case it edits: the
case columns, its form values (``fields``, with ``_completeness`` 0–100 from the forms
engine), its parties; it bumps the version, marks the case pending for sync, reindexes search
and audits, all in the caller's transaction.

A case whose facts appear to meet a criminal prosecution threshold cannot be closed as
administrative-only without a recorded reason (DESIGN.md, Threshold rules): both
:func:`finish_draft` (entry standard field ``transfer_opinion`` = ``no_transfer``) and
:func:`close_without_transfer` refuse without one, and write the reason with the rules met
to the audit log (action ``close_without_transfer``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

import app.store.models_sync  # noqa: F401  (registers the outbox hook: version + 1, pending)
from app.domain.identity import SignedInUser
from app.domain.roles import Permission
from app.domain.thresholds import RuleBook, ThresholdResult, evaluate
from app.errors import UserError
from app.forms import FormModel, SpecRegistry, threshold_facts, validate_model
from app.services.drafts import DraftNotFound
from app.store import audit
from app.store.models import Case, Event, Party
from app.store.models_drafts import DRAFT_FINISHED, DRAFT_OPEN, DraftRecord
from app.store.search import reindex_cases

COMPLETENESS_KEY = "_completeness"
"""``Case.fields`` key holding the completeness score (0–100) the dashboard counts."""

NO_TRANSFER = "no_transfer"
PARTY_KEYS = ("kind", "name", "id_number", "phone", "address", "role")


class ReasonRequired(UserError):
    """A case that appears to meet a threshold is being closed without transfer, no reason."""


@dataclass(frozen=True)
class EntryResult:
    """What finishing a draft (or closing a case) changed."""

    case_id: str
    created: bool
    version: int
    completeness: int
    rules_met: tuple[str, ...]
    parties: tuple[str, ...] = ()
    closed_without_transfer: bool = False


def assess(
    registry: SpecRegistry,
    category: str,
    spec_version: str | None,
    values: Mapping[str, Any],
    *,
    today: date | None = None,
    book: RuleBook | None = None,
) -> ThresholdResult | None:
    """The threshold rules for a case's form values (None when its spec is not installed)."""
    spec = registry.find(category, spec_version or None) or registry.find(category)
    if spec is None:
        return None
    model = FormModel(spec, values, today)
    return evaluate(threshold_facts(model), domain=spec.domain, book=book)


def _rules_detail(result: ThresholdResult) -> list[dict[str, Any]]:
    return [
        {
            "id": hit.rule.id,
            "offence": hit.rule.offence,
            "label": hit.rule.label,
            "facts": {e.label: e.value for e in hit.evidence},
            "source": str(hit.rule.source),
        }
        for hit in result.basic
    ]


def _require_reason(result: ThresholdResult, reason: object) -> str:
    if isinstance(reason, str) and reason.strip():
        return reason.strip()
    offences = "、".join(dict.fromkeys(h.rule.offence for h in result.basic))
    raise ReasonRequired(
        f"本案似已达到{offences}的刑事立案追诉标准，不移送而仅作行政处罚的，"
        "须填写不移送的理由（将记入审计日志）"
    )


def _typed(model: FormModel, key: str, kind: type) -> Any:
    value = model.value(key)
    return value if isinstance(value, kind) and not isinstance(value, bool) else None


def finish_draft(
    session: Session,
    registry: SpecRegistry,
    user: SignedInUser,
    draft_id: str,
    *,
    today: date | None = None,
    book: RuleBook | None = None,
) -> EntryResult:
    """Create (or update) the case a draft describes; the draft becomes ``finished``."""
    user.require(Permission.EDIT_CASES)
    draft = session.get(DraftRecord, draft_id)
    if draft is None or draft.state != DRAFT_OPEN:
        raise DraftNotFound("草稿已不存在或已提交")
    spec = registry.get(draft.spec_id, draft.spec_version)
    values = dict(draft.values or {})
    model = FormModel(spec, values, today)
    validation = validate_model(model)
    title = _typed(model, "title", str)
    opened_on = _typed(model, "opened_on", date)
    if not (title and title.strip()) or opened_on is None:
        raise UserError("提交前请填写案件名称和有效的立案日期（其余未填项可以稍后补充）")
    result = evaluate(threshold_facts(model), domain=spec.domain, book=book)
    reason: str | None = None
    no_transfer = model.value("transfer_opinion") == NO_TRANSFER
    if result.meets_threshold and no_transfer:
        reason = _require_reason(result, values.get("no_transfer_reason"))

    created = draft.case_id is None
    if created:
        case = Case(unit_id=user.unit_id, created_by=user.id, title=title, opened_on=opened_on)
        session.add(case)
    else:
        found = session.get(Case, draft.case_id)
        if found is None or found.deleted:
            raise UserError("要修改的案件已不存在，草稿已保留")
        case = found  # the outbox hook bumps its version and marks it pending on flush
    case.domain = spec.domain
    case.category = spec.id
    case.spec_version = spec.version
    case.title = title.strip()
    case.opened_on = opened_on
    case.case_number = (_typed(model, "case_number", str) or "").strip()
    case.decided_on = _typed(model, "decided_on", date)
    case.amount_fen = _typed(model, "amount_fen", int)
    case.penalty_fen = _typed(model, "penalty_fen", int)
    fields = {k: v for k, v in values.items() if k != "parties"}
    fields[COMPLETENESS_KEY] = validation.score
    case.fields = fields
    case.sync_state = "pending"
    session.flush()
    party_ids = _apply_parties(session, case, values.get("parties"))
    reindex_cases(session, [case.id])

    rules = tuple(h.rule.id for h in result.basic)
    audit.record(
        session,
        "case_created" if created else "case_updated",
        user_id=user.id,
        entity="case",
        entity_id=case.id,
        detail={
            "spec": {"id": spec.id, "version": spec.version},
            "completeness": validation.score,
            "draft_id": draft.id,
            "rules_met": list(rules),
        },
    )
    if reason is not None:
        _audit_close(session, user, case.id, result, reason, "entry")
    draft.state = DRAFT_FINISHED
    draft.case_id = case.id
    session.flush()
    return EntryResult(
        case.id, created, case.version, validation.score, rules, party_ids, reason is not None
    )


def _audit_close(
    session: Session,
    user: SignedInUser,
    case_id: str,
    result: ThresholdResult,
    reason: str,
    via: str,
) -> None:
    audit.record(
        session,
        "close_without_transfer",
        user_id=user.id,
        entity="case",
        entity_id=case_id,
        detail={"reason": reason, "rules_met": _rules_detail(result), "via": via},
    )


def _apply_parties(session: Session, case: Case, raw: object) -> tuple[str, ...]:
    """Make the case's parties match the list: update in order, add, soft-delete the rest."""
    wanted = [
        {k: str(p.get(k) or "").strip() for k in PARTY_KEYS}
        for p in (raw if isinstance(raw, list) else [])
        if isinstance(p, dict) and any(str(p.get(k) or "").strip() for k in PARTY_KEYS[1:3])
    ]
    current = [p for p in case.parties if not p.deleted] if case.id else []
    ids: list[str] = []
    for n, data in enumerate(wanted):
        data["kind"] = data["kind"] if data["kind"] in ("person", "organisation") else "person"
        data["role"] = data["role"] or "当事人"
        if n < len(current):
            party = current[n]
            for k, v in data.items():
                if getattr(party, k) != v:
                    setattr(party, k, v)
        else:
            party = Party(case_id=case.id, **data)
            session.add(party)
        session.flush()
        ids.append(party.id)
    for party in current[len(wanted) :]:
        party.deleted = True
    session.flush()
    session.expire(case, ["parties"])
    return tuple(ids)


def close_without_transfer(
    session: Session,
    registry: SpecRegistry,
    user: SignedInUser,
    case_id: str,
    reason: str | None,
    *,
    today: date | None = None,
    book: RuleBook | None = None,
) -> EntryResult:
    """Close a case as administrative-only: refused without a reason if it appears to meet a
    prosecution threshold; the reason and the rules met go to the audit log."""
    user.require(Permission.EDIT_CASES)
    case = session.get(Case, case_id)
    if case is None or case.deleted:
        raise UserError("该案件已不存在")
    values = dict(case.fields or {})
    result = assess(registry, case.category, case.spec_version, values, today=today, book=book)
    met = result is not None and result.meets_threshold
    text = _require_reason(result, reason) if result is not None and met else (reason or "")
    values["transfer_opinion"] = NO_TRANSFER
    if text:
        values["no_transfer_reason"] = text.strip()
    case.fields = values
    case.status = "closed"
    session.add(
        Event(
            case_id=case.id,
            kind="closed",
            occurred_at=datetime.now(UTC),
            actor_user_id=user.id,
            actor_unit_id=user.unit_id,
            note=text.strip(),
            data={"administrative_only": True, "reason": text.strip()},
        )
    )
    session.flush()
    if result is not None and met:
        _audit_close(session, user, case.id, result, text.strip(), "case")
    else:
        audit.record(
            session,
            "case_closed",
            user_id=user.id,
            entity="case",
            entity_id=case.id,
            detail={"administrative_only": True, "reason": text.strip()},
        )
    rules: Sequence[str] = [h.rule.id for h in result.basic] if result is not None else []
    score = values.get(COMPLETENESS_KEY)
    return EntryResult(
        case.id,
        False,
        case.version,
        score if isinstance(score, int) else 0,
        tuple(rules),
        (),
        bool(met),
    )


def case_assessment(
    session: Session, registry: SpecRegistry, case_id: str, *, today: date | None = None
) -> ThresholdResult | None:
    """The threshold rules for a stored case (None when it or its spec is missing)."""
    case = session.get(Case, case_id)
    if case is None or case.deleted:
        return None
    return assess(registry, case.category, case.spec_version, dict(case.fields or {}), today=today)
