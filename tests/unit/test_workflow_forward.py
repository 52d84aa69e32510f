"""Forward transfer state machine: unit paths, refusals, and a Hypothesis stateful test."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from app.domain.deadlines import DeadlineTracker, compute_deadlines
from app.domain.workcalendar import CST
from app.domain.workflow import (
    KINDS,
    WorkflowEvent,
    WorkflowRefused,
    allowed_next,
    append,
    check,
    derive,
    forward,
    reverse,
)
from app.domain.workflow.events import Party

T0 = datetime(2025, 1, 20, 9, 0, tzinfo=CST)
FULL_DOCS = [
    "transfer_letter",
    "investigation_report",
    "seized_items_list",
    "test_report",
    "materials_list",
    "penalty_decision",
]


class Timeline:
    """Builds events one after another, an hour apart unless told."""

    def __init__(self) -> None:
        self.events: list[WorkflowEvent] = []
        self.at = T0

    def make(
        self, kind: str, *, role: str | None = "inspector", hours: float = 1, **data: Any
    ) -> WorkflowEvent:
        self.at += timedelta(hours=hours)
        return WorkflowEvent(f"e{len(self.events) + 1}-{kind}", kind, self.at, role, data=data)

    def add(self, kind: str, **kw: Any) -> WorkflowEvent:
        event = self.make(kind, **kw)
        self.events = append(self.events, event)
        return event

    def refused(self, kind: str, **kw: Any) -> str:
        event = self.make(kind, **kw)
        reason = check(self.events, event)
        assert reason, f"{kind} should be refused"
        with pytest.raises(WorkflowRefused):
            append(self.events, event)
        self.at -= timedelta(hours=kw.get("hours", 1))
        return reason


def to_transferred(t: Timeline) -> None:
    t.add("case_opened", domain="environment")
    t.add("crime_suspected")
    t.add("team_formed", members=["u1", "u2"])
    t.add("transfer_reported")
    t.add("transfer_approved", role="head")
    t.add("transferred", doc_types=FULL_DOCS)


def test_full_forward_path_to_judgment() -> None:
    t = Timeline()
    to_transferred(t)
    assert derive(t.events).forward == "transferred"
    t.add("copied_to_procuratorate")
    t.add("receipt_signed", role=None)
    t.add("supplement_requested", role=None)
    t.add("supplement_supplied")
    t.add("police_not_filed", role=None, reason="情节显著轻微")
    t.add("reconsideration_requested")
    t.add("reconsideration_decided", role=None, outcome="upheld")
    t.add("supervision_suggested")
    t.add("explanation_requested", role=None)
    t.add("police_explained", role=None)
    t.add("filing_ordered", role=None)
    t.add("police_filed", role=None)
    t.add("items_handed_over")
    t.add("prosecuted", role=None)
    t.add("judgment", role=None, outcome="convicted")
    t.add("closed")
    state = derive(t.events)
    assert state.forward == "judged" and state.closed
    assert state.anomalies == () and state.owes == ()
    assert [s.kind for s in allowed_next(t.events)] == ["platform_entered"]


def test_owes_follow_the_node() -> None:
    t = Timeline()
    to_transferred(t)
    owes = derive(t.events).owes
    assert owes[0].party is Party.POLICE
    assert any("抄送" in o.what for o in owes)
    t2 = Timeline()
    t2.add("crime_suspected")
    t2.add("team_formed", members=["a", "b"])
    t2.add("transfer_reported")
    assert derive(t2.events).owes[0].party is Party.SELF
    assert "负责人" in derive(t2.events).owes[0].what


def test_only_a_head_decides() -> None:
    t = Timeline()
    t.add("crime_suspected")
    t.add("team_formed", members=["a", "b"])
    t.add("transfer_reported")
    for role in ("inspector", "clerk", "admin", None):
        assert "负责人" in t.refused("transfer_approved", role=role)
        assert "负责人" in t.refused("transfer_refused", role=role, reason="证据不足")
    assert "理由" in t.refused("transfer_refused", role="head", reason="  ")
    t.add("transfer_refused", role="head", reason="证据不足")
    assert derive(t.events).forward == "refused"
    t.add("transfer_reported")  # a new report after refusal
    t.add("transfer_approved", role="head")
    assert derive(t.events).forward == "approved"


def test_team_needs_two_distinct_officers() -> None:
    t = Timeline()
    t.add("crime_suspected")
    assert "至少2名" in t.refused("team_formed", members=["u1"])
    assert "至少2名" in t.refused("team_formed", members=["u1", "u1"])
    assert "缺少必填" in t.refused("team_formed")
    t.add("team_formed", members=["u1", "u2"])


def test_steps_out_of_order_are_refused() -> None:
    t = Timeline()
    assert "当前节点" in t.refused("transfer_reported")
    assert "当前节点" in t.refused("transferred", doc_types=FULL_DOCS)
    assert "尚未收到" in t.refused("reply_sent")
    t.add("crime_suspected")
    assert "已记录" in t.refused("crime_suspected")
    assert "行政立案" in t.refused("case_opened")


def test_time_must_not_go_back_and_ids_are_unique() -> None:
    t = Timeline()
    first = t.add("crime_suspected")
    earlier = WorkflowEvent(
        "x", "team_formed", first.occurred_at - timedelta(minutes=1), data={"members": ["a", "b"]}
    )
    assert "时间" in (check(t.events, earlier) or "")
    dup = WorkflowEvent(first.id, "team_formed", first.occurred_at, data={"members": ["a", "b"]})
    assert "重复" in (check(t.events, dup) or "")
    naive = WorkflowEvent("n", "team_formed", datetime(2025, 2, 1), data={"members": ["a", "b"]})
    assert "时区" in (check(t.events, naive) or "")


def test_closing_a_suspected_crime_needs_a_reason() -> None:
    t = Timeline()
    t.add("crime_suspected")
    assert "理由" in t.refused("closed")
    t.add("closed", reason="经核实未达追诉标准")
    assert derive(t.events).closed
    assert "已结案" in t.refused("evidence_collected")


def test_cannot_close_while_awaiting_the_police() -> None:
    t = Timeline()
    to_transferred(t)
    assert "尚不能结案" in t.refused("closed", reason="x")


def test_reconsideration_reversed_leads_to_filing_not_supervision() -> None:
    t = Timeline()
    to_transferred(t)
    t.add("receipt_signed", role=None)
    t.add("police_not_filed", role=None, reason="r")
    t.add("reconsideration_requested")
    t.add("reconsideration_decided", role=None, outcome="reversed")
    assert "无需" in t.refused("supervision_suggested")
    assert derive(t.events).owes[0].party is Party.POLICE
    t.add("police_filed", role=None)


def test_forwarding_then_second_receipt() -> None:
    t = Timeline()
    to_transferred(t)
    t.add("receipt_signed", role=None, outside_jurisdiction=True)
    t.add("forwarded", role=None)
    assert derive(t.events).forward == "forwarded"
    t.add("receipt_signed", role=None)
    assert derive(t.events).forward == "received"


def test_derive_keeps_anomalies_and_never_raises() -> None:
    bad = [
        WorkflowEvent("1", "transfer_approved", T0, "inspector"),
        WorkflowEvent("2", "crime_suspected", T0 + timedelta(hours=1)),
        WorkflowEvent("3", "no_such_kind", T0 + timedelta(hours=2)),
    ]
    state = derive(bad)
    assert state.forward == "suspected"
    assert [a[0] for a in state.anomalies] == ["1", "3"]


def test_from_record_reads_role_from_data() -> None:
    class Rec:
        id = "r1"
        kind = "transfer_approved"
        occurred_at = T0
        actor_user_id = "u"
        actor_unit_id = "unit"
        document_id = None
        note = ""
        data: ClassVar[dict[str, str]] = {"actor_role": "head"}

    event = WorkflowEvent.from_record(Rec())
    assert event.actor_role == "head" and event.id == "r1"


# --- Hypothesis stateful test -------------------------------------------------------------

ROLES = ["inspector", "clerk", "head", "admin", None]
SPEC_TRACK = {k.code: k.track.value for k in KINDS}
SOURCES = [
    "police_non_filing",
    "police_withdrawal",
    "non_prosecution",
    "court_exemption",
    "court_acquittal",
]


def event_data(kind: str, variant: int, at: datetime) -> dict[str, Any]:
    """Plausible data for ``kind``; variant 3 is often invalid on purpose."""
    bad = variant == 3

    def choose(*options: Any) -> Any:
        return options[variant % len(options)]

    data: dict[str, Any] = {}
    if kind == "case_opened":
        data["domain"] = choose("environment", "food", "drug", "product")
    elif kind == "crime_suspected":
        data["obvious"] = variant == 1
    elif kind == "team_formed":
        data["members"] = ["u1"] if bad else ["u1", "u2", "u3"][: 2 + variant % 2]
    elif kind in ("transfer_refused", "materials_waived", "police_not_filed", "no_penalty_decided"):
        data["reason"] = "" if bad else "理由"
    elif kind == "transferred":
        docs = FULL_DOCS if variant in (0, 2) else ["transfer_letter"]
        data.update(doc_types=docs, items_seized=variant != 2, testing_needed=variant == 0)
    elif kind == "receipt_signed":
        data["outside_jurisdiction"] = variant == 1
    elif kind == "reconsideration_decided":
        data["outcome"] = choose("upheld", "reversed", "upheld", "bogus")
    elif kind == "judgment":
        data["outcome"] = choose("convicted", "exempted", "acquitted", "bogus")
    elif kind in ("police_filed", "police_not_filed", "police_withdrew"):
        data["decided_at"] = (at - timedelta(days=variant)).isoformat()
        if kind == "police_not_filed":
            data["reason"] = "" if bad else "不构成犯罪"
    elif kind == "referral_received":
        data["source"] = SOURCES[variant % len(SOURCES)] if not bad else "nonsense"
        data["decided_at"] = (at - timedelta(days=2)).isoformat()
        data["opinion"] = {
            "number": "X检行意〔2025〕1号",
            "reply_period": {"amount": 1, "unit": "months"},
        }
    elif kind == "reply_sent":
        data["final"] = choose(True, False, None, True)
    elif kind == "follow_up_received":
        data["letter"] = choose(
            "follow_up_letter", "procuratorial_suggestion", "follow_up_letter", "x"
        )
    elif kind == "penalty_decided":
        data["offset"] = {"fine_paid_yuan": 5000, "detention_days": variant}
    elif kind == "closed" and variant != 2:
        data["reason"] = "已核实"
    return data


class WorkflowMachine(RuleBasedStateMachine):
    """Random steps: allowed ones are appended, refused ones must change nothing."""

    preferred_tracks: ClassVar[frozenset[str] | None] = frozenset({"forward"})

    def __init__(self) -> None:
        super().__init__()
        self.events: list[WorkflowEvent] = []
        self.at = T0
        self.tracker = DeadlineTracker()

    def _event(self, kind: str, role: str | None, hours: int, variant: int) -> WorkflowEvent:
        at = self.at + timedelta(hours=hours)
        return WorkflowEvent(
            f"e{len(self.events)}-{hours}-{variant}",
            kind,
            at,
            role,
            data=event_data(kind, variant, at),
        )

    def _try(self, event: WorkflowEvent) -> None:
        before = derive(self.events)
        reason = check(self.events, event)
        if reason is None:
            assert event.kind in {s.kind for s in allowed_next(self.events)}
            self.events = append(self.events, event)
            self.at = event.occurred_at
            self.tracker.add(event)
        else:
            assert isinstance(reason, str) and reason.strip()
            with pytest.raises(WorkflowRefused):
                append(self.events, event)
            assert derive(self.events) == before  # refused: state unchanged

    @rule(
        kind=st.sampled_from([k.code for k in KINDS]),
        role=st.sampled_from(ROLES),
        hours=st.integers(0, 120),
        variant=st.integers(0, 3),
    )
    def attempt_any(self, kind: str, role: str | None, hours: int, variant: int) -> None:
        self._try(self._event(kind, role, hours, variant))

    def _advance(self, pick: int, hours: int, variant: int, track: frozenset[str] | None) -> None:
        options = allowed_next(self.events)
        preferred = [o for o in options if track is None or SPEC_TRACK[o.kind] in track]
        options = preferred or options
        if not options:
            return
        step = options[pick % len(options)]
        role = "head" if step.head_only else "inspector"
        self._try(self._event(step.kind, role, hours, variant))

    @rule(pick=st.integers(0, 1000), hours=st.integers(0, 72), variant=st.integers(0, 2))
    def advance_forward(self, pick: int, hours: int, variant: int) -> None:
        self._advance(pick, hours, variant, self.preferred_tracks)

    @rule(pick=st.integers(0, 1000), hours=st.integers(0, 72), variant=st.integers(0, 2))
    def advance_preferred_again(self, pick: int, hours: int, variant: int) -> None:
        """A second copy doubles the weight of progress on the preferred track."""
        self._advance(pick, hours, variant, self.preferred_tracks)

    @rule(pick=st.integers(0, 1000), hours=st.integers(0, 72), variant=st.integers(0, 2))
    def advance_any(self, pick: int, hours: int, variant: int) -> None:
        self._advance(pick, hours, variant, None)

    @invariant()
    def state_is_valid(self) -> None:
        state = derive(self.events)
        assert state.anomalies == ()
        assert state.forward in forward.NODES and state.reverse in reverse.NODES
        kinds = [e.kind for e in self.events]
        for event in self.events:
            if event.kind in ("transfer_approved", "transfer_refused", "materials_waived"):
                assert event.actor_role == "head"
        if state.forward not in forward.PRE_TRANSFER | forward.MID_TRANSFER:
            assert state.transferred_once or state.forward == "suspected"
        if state.forward in ("reported", "approved") or state.transferred_once:
            assert len(state.team) >= 2
        assert kinds.count("referral_received") == (0 if state.reverse == "none" else 1)
        if "closed" in kinds:
            after = kinds[kinds.index("closed") + 1 :]
            assert set(after) <= {"follow_up_received", "platform_entered"}

    @invariant()
    def deadlines_reproducible(self) -> None:
        scratch = compute_deadlines(self.events)
        assert self.tracker.deadlines == scratch
        for d in scratch:
            assert d.due_at >= d.start_at and d.due_at.tzinfo is not None


WorkflowMachine.TestCase.settings = settings(
    max_examples=30,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestForwardStateful = WorkflowMachine.TestCase
