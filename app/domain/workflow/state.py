"""The derived workflow state of a case and the refusal raised for an illegal step."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.domain.workflow.events import Party
from app.errors import UserError


class WorkflowRefused(UserError):
    """A step that the workflow does not allow now; ``reason`` says why, in Chinese."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


@dataclass(frozen=True)
class Owed:
    """Something a party must do next (for "who owes what")."""

    party: Party
    what: str


@dataclass(frozen=True)
class CaseState:
    """Everything the workflow knows about a case, derived from its events."""

    forward: str = "none"
    reverse: str = "none"
    closed: bool = False
    crime_suspected: bool = False
    obvious: bool = False
    transfer_demanded: bool = False
    team: tuple[str, ...] = ()
    materials_waived: bool = False
    transferred_once: bool = False
    copied_to_procuratorate: bool = False
    penalty_decided: bool = False
    penalty_copied: bool = False
    reconsideration_outcome: str | None = None
    judgment_outcome: str | None = None
    review_ended: bool = False
    reverse_source: str | None = None
    reply_required: bool = False
    reply_final: bool = False
    follow_ups: int = 0
    last_at: datetime | None = None
    event_ids: frozenset[str] = frozenset()
    anomalies: tuple[tuple[str, str], ...] = ()
    owes: tuple[Owed, ...] = ()
