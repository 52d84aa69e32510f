"""Forward transfer and reverse referral workflow: events, state machines, derived state.

``derive(events) -> CaseState``, ``check(events, new) -> reason | None``,
``append(events, new)`` (raises WorkflowRefused) and ``allowed_next(events)``.
"""

from app.domain.workflow.events import KIND_LABELS, KINDS, Party, WorkflowEvent
from app.domain.workflow.machine import NextStep, allowed_next, append, check, derive, ordered
from app.domain.workflow.state import CaseState, Owed, WorkflowRefused

__all__ = [
    "KINDS",
    "KIND_LABELS",
    "CaseState",
    "NextStep",
    "Owed",
    "Party",
    "WorkflowEvent",
    "WorkflowRefused",
    "allowed_next",
    "append",
    "check",
    "derive",
    "ordered",
]
