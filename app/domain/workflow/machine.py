"""Derive a case's workflow state from its events; check and apply a new step.

The timeline is append-only: state is a pure function of the ordered events. An event that
is not allowed where it stands is refused with a Chinese reason (``check`` returns it,
``append`` raises WorkflowRefused); ``derive`` never raises: an event that was not allowed at
its position (e.g. merged from elsewhere) is kept in ``state.anomalies`` and changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from app.domain.kinds import Role
from app.domain.workflow import forward, reverse
from app.domain.workflow.events import KINDS, Track, WorkflowEvent, data_problem, spec_of
from app.domain.workflow.state import CaseState, Owed, WorkflowRefused

AFTER_CLOSE = frozenset({"follow_up_received", "platform_entered"})


@dataclass(frozen=True)
class NextStep:
    """A kind that may follow now, with its label and who performs it."""

    kind: str
    label: str
    party: str
    head_only: bool


def _structural(state: CaseState, kind: str) -> str | None:
    """Why ``kind`` cannot follow, judged on the state only (no data, no role)."""
    spec = spec_of(kind)
    if spec is None:
        return f"未知的事件类型：{kind}"
    if state.closed and kind not in AFTER_CLOSE:
        return "案件已结案，不能再记录此节点"
    if spec.track is Track.FORWARD:
        return forward.guard(state, kind)
    if spec.track is Track.REVERSE:
        return reverse.guard(state, kind)
    if spec.track is Track.CASE:
        if state.reverse != "none":
            return reverse.close_problem(state)
        if state.forward in forward.CLOSABLE | forward.CLOSABLE_WITH_REASON:
            return None
        return f"当前节点为“{forward.NODES[state.forward]}”，尚不能结案"
    if kind == "case_opened" and state.event_ids:
        return "行政立案须是时间线上的第一个节点"
    if kind == "penalty_decided":
        if reverse.penalty_is_reverse(state) or (
            state.reverse == "none" and not state.penalty_decided
        ):
            return None
        return "已作出行政处罚决定"
    return None


def _admin(state: CaseState, event: WorkflowEvent) -> CaseState:
    if event.kind == "penalty_decided":
        if reverse.penalty_is_reverse(state):
            return reverse.apply_penalty(state, event)
        return replace(state, penalty_decided=True)
    return state


def _close(state: CaseState, event: WorkflowEvent) -> CaseState:
    problem = (
        reverse.close_problem(state)
        if state.reverse != "none"
        else forward.close_problem(state, event)
    )
    if problem:
        raise WorkflowRefused(event.kind, problem)
    return replace(state, closed=True)


def step(state: CaseState, event: WorkflowEvent) -> CaseState:
    """The state after ``event``, or WorkflowRefused with the reason it is not allowed."""
    kind = event.kind
    if event.id in state.event_ids:
        raise WorkflowRefused(kind, "该事件已在时间线上（重复的事件编号）")
    if event.occurred_at.tzinfo is None or event.occurred_at.utcoffset() is None:
        raise WorkflowRefused(kind, "事件时间须带时区")
    if state.last_at is not None and event.occurred_at < state.last_at:
        raise WorkflowRefused(kind, "事件时间早于时间线上的最后一个节点；时间线只能追加")
    reason = _structural(state, kind)
    spec = spec_of(kind)
    if reason or spec is None:
        raise WorkflowRefused(kind, reason or f"未知的事件类型：{kind}")
    if spec.head_only and event.actor_role != Role.HEAD:
        raise WorkflowRefused(kind, f"“{spec.label}”只能由负责人作出（R2020 第5条）")
    problem = data_problem(spec, event.data)
    if problem:
        raise WorkflowRefused(kind, problem)
    if spec.track is Track.FORWARD:
        new = forward.apply(state, event)
    elif spec.track is Track.REVERSE:
        new = reverse.apply(state, event)
    elif spec.track is Track.CASE:
        new = _close(state, event)
    else:
        new = _admin(state, event)
    return _finish(new, event)


def _finish(state: CaseState, event: WorkflowEvent) -> CaseState:
    if state.closed:
        owes: tuple[Owed, ...] = ()
    elif state.reverse != "none":  # the forward track is frozen once a referral arrives
        owes = tuple(reverse.owes(state))
    else:
        owes = tuple(forward.owes(state))
    return replace(
        state,
        last_at=event.occurred_at,
        event_ids=state.event_ids | {event.id},
        owes=owes,
    )


def derive(events: Iterable[WorkflowEvent]) -> CaseState:
    """The workflow state of a case from its events in timeline order (never raises)."""
    state = CaseState()
    for event in events:
        try:
            state = step(state, event)
        except WorkflowRefused as refused:
            state = replace(state, anomalies=(*state.anomalies, (event.id, refused.reason)))
    return state


def check(events: Sequence[WorkflowEvent], new_event: WorkflowEvent) -> str | None:
    """None if ``new_event`` may be appended to ``events``, else the reason it may not."""
    try:
        step(derive(events), new_event)
    except WorkflowRefused as refused:
        return refused.reason
    return None


def append(events: Sequence[WorkflowEvent], new_event: WorkflowEvent) -> list[WorkflowEvent]:
    """``events`` plus ``new_event``; raises WorkflowRefused (and changes nothing) if refused."""
    step(derive(events), new_event)
    return [*events, new_event]


def allowed_next(events: Sequence[WorkflowEvent]) -> list[NextStep]:
    """Kinds that may follow now (by structure; data such as materials is checked on apply)."""
    state = derive(events)
    return [
        NextStep(spec.code, spec.label, spec.party.value, spec.head_only)
        for spec in KINDS
        if _structural(state, spec.code) is None
    ]


def ordered(events: Iterable[WorkflowEvent]) -> list[WorkflowEvent]:
    """Events in timeline order: by occurred_at, ties kept in the order given."""
    return sorted(events, key=lambda e: e.occurred_at)
