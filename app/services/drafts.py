"""Drafts of cases being entered: start, autosave, list, open on their own spec version.

A draft records the entry standard (spec id and version) it began with; :func:`open_draft`
opens it on that version for as long as it is installed, even after a newer one arrives.
:func:`save_draft` is one UPDATE in its own short transaction, cheap enough to run every few
seconds and on every field the person leaves (the wizard runs it through the task helper).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.domain.identity import SignedInUser
from app.errors import UserError
from app.forms import FormModel, SpecRegistry
from app.forms.spec import Spec
from app.store.models import Case
from app.store.models_drafts import DRAFT_DISCARDED, DRAFT_OPEN, DraftRecord
from app.store.types import utc_now

CASE_COLUMNS = ("case_number", "title", "opened_on", "decided_on", "amount_fen", "penalty_fen")
"""Case columns a draft of an existing case starts from (unless ``fields`` holds them)."""


class DraftNotFound(UserError):
    """The draft no longer exists or was already finished or discarded."""


@dataclass(frozen=True)
class DraftView:
    """A draft as plain data (safe to hand to the GUI thread)."""

    id: str
    user_id: str | None
    case_id: str | None
    spec_id: str
    spec_version: str
    values: dict[str, Any]
    current_step: int
    state: str
    created_at: datetime
    updated_at: datetime

    @property
    def title(self) -> str:
        title = self.values.get("title")
        return title if isinstance(title, str) and title.strip() else ""


def _view(row: DraftRecord) -> DraftView:
    return DraftView(
        row.id,
        row.user_id,
        row.case_id,
        row.spec_id,
        row.spec_version,
        dict(row.values or {}),
        row.current_step,
        row.state,
        row.created_at,
        row.updated_at,
    )


def start_draft(
    session: Session, registry: SpecRegistry, user: SignedInUser, spec_id: str
) -> DraftView:
    """A new, empty draft of a new case on the newest installed version of ``spec_id``."""
    spec = registry.latest(spec_id)
    row = DraftRecord(
        user_id=user.id, spec_id=spec.id, spec_version=spec.version, values={}, state=DRAFT_OPEN
    )
    session.add(row)
    session.flush()
    return _view(row)


def start_edit_draft(
    session: Session, registry: SpecRegistry, user: SignedInUser, case_id: str
) -> DraftView:
    """A draft of edits to an existing case (or the open one already being edited)."""
    existing = session.scalar(
        select(DraftRecord).where(
            DraftRecord.case_id == case_id,
            DraftRecord.user_id == user.id,
            DraftRecord.state == DRAFT_OPEN,
        )
    )
    if existing is not None:
        return _view(existing)
    case = session.get(Case, case_id)
    if case is None or case.deleted:
        raise UserError("该案件已不存在，无法编辑")
    spec = registry.find(case.category, case.spec_version or None) or registry.find(case.category)
    if spec is None:
        raise UserError(f"未安装类别为“{case.category}”的录入标准，无法在向导中编辑此案件")
    values = {k: v for k, v in (case.fields or {}).items() if not k.startswith("_")}
    for column in CASE_COLUMNS:
        raw = getattr(case, column)
        if column not in values and raw not in (None, ""):
            values[column] = raw.isoformat() if isinstance(raw, date) else raw
    if "parties" not in values:
        keep = ("kind", "name", "id_number", "phone", "address", "role")
        values["parties"] = [
            {k: getattr(p, k) for k in keep} for p in case.parties if not p.deleted
        ]
    row = DraftRecord(
        user_id=user.id,
        case_id=case.id,
        spec_id=spec.id,
        spec_version=spec.version,
        values=values,
        state=DRAFT_OPEN,
    )
    session.add(row)
    session.flush()
    return _view(row)


def save_draft(session: Session, draft_id: str, values: dict[str, Any], current_step: int) -> None:
    """Store a draft's values and step: one UPDATE; refused once the draft is closed."""
    result = session.execute(
        update(DraftRecord)
        .where(DraftRecord.id == draft_id, DraftRecord.state == DRAFT_OPEN)
        .values(values=values, current_step=current_step, updated_at=utc_now())
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 1) != 1:
        raise DraftNotFound("草稿已不存在或已提交，未能保存")


def get_draft(session: Session, draft_id: str) -> DraftView:
    row = session.get(DraftRecord, draft_id)
    if row is None:
        raise DraftNotFound("草稿已不存在")
    return _view(row)


def list_drafts(session: Session, user_id: str) -> list[DraftView]:
    """The user's open drafts, most recently saved first."""
    rows = session.scalars(
        select(DraftRecord)
        .where(DraftRecord.user_id == user_id, DraftRecord.state == DRAFT_OPEN)
        .order_by(DraftRecord.updated_at.desc(), DraftRecord.id.desc())
    )
    return [_view(r) for r in rows]


def discard_draft(session: Session, draft_id: str) -> None:
    session.execute(
        update(DraftRecord)
        .where(DraftRecord.id == draft_id, DraftRecord.state == DRAFT_OPEN)
        .values(state=DRAFT_DISCARDED, updated_at=utc_now())
        .execution_options(synchronize_session=False)
    )


def draft_spec(registry: SpecRegistry, draft: DraftView) -> Spec:
    """The spec version the draft began with (a Chinese :class:`SpecError` if not installed)."""
    return registry.get(draft.spec_id, draft.spec_version)


def open_draft(registry: SpecRegistry, draft: DraftView, today: date | None = None) -> FormModel:
    """The form model of a draft, on the spec version it began with."""
    return FormModel(draft_spec(registry, draft), draft.values, today)
