"""Reverse referral state machine: unit paths, refusals, and a Hypothesis stateful test."""

from __future__ import annotations

from typing import ClassVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant

import tests.unit.test_workflow_forward as fwd
from app.domain.deadlines import DeadlineTracker, compute_deadlines
from app.domain.workflow import derive
from app.domain.workflow.events import Party

OPINION = {"number": "X检行意〔2025〕7号", "reply_period": {"amount": 1, "unit": "months"}}

PREFIXES: dict[str, list[tuple[str, dict[str, object]]]] = {
    "fresh": [],
    "not_filed": [("receipt_signed", {}), ("police_not_filed", {"reason": "不构成犯罪"})],
    "withdrawn": [("receipt_signed", {}), ("police_filed", {}), ("police_withdrew", {})],
    "not_prosecuted": [("receipt_signed", {}), ("police_filed", {}), ("not_prosecuted", {})],
    "exempted": [
        ("receipt_signed", {}),
        ("police_filed", {}),
        ("prosecuted", {}),
        ("judgment", {"outcome": "exempted"}),
    ],
    "acquitted": [
        ("receipt_signed", {}),
        ("police_filed", {}),
        ("prosecuted", {}),
        ("judgment", {"outcome": "acquitted"}),
    ],
}


def build(prefix: str) -> fwd.Timeline:
    """A timeline brought to the end of a forward track (or fresh)."""
    t = fwd.Timeline()
    if prefix != "fresh":
        fwd.to_transferred(t)
        for kind, data in PREFIXES[prefix]:
            t.add(kind, role=None, **data)
    return t


def test_non_prosecution_referral_full_path() -> None:
    t = build("not_prosecuted")
    t.add("referral_received", source="non_prosecution", opinion=OPINION)
    state = derive(t.events)
    assert state.reverse == "received" and state.reply_required
    assert state.owes[0].party is Party.SELF
    assert "检察意见尚未回复" in t.refused("closed")
    assert "先立案办理" in t.refused("penalty_decided")
    t.add("handling_started")
    assert "阶段性" in t.refused("reply_sent")
    t.add("reply_sent", final=False)  # interim progress report
    t.add("penalty_decided", offset={"fine_paid_yuan": 20000, "detention_days": 5})
    assert "阶段性" in t.refused("reply_sent", final=False)
    t.add("reply_sent")
    t.add("closed")
    t.add("follow_up_received", role=None, letter="follow_up_letter")
    state = derive(t.events)
    assert state.reverse == "replied" and state.closed and state.follow_ups == 1
    assert state.anomalies == ()


def test_non_prosecution_needs_the_opinion() -> None:
    t = build("not_prosecuted")
    assert "检察意见" in t.refused("referral_received", source="non_prosecution")
    bad = {"number": "X", "reply_period": {"amount": 0, "unit": "months"}}
    assert "正整数" in t.refused("referral_received", source="non_prosecution", opinion=bad)
    assert "来源" in t.refused("referral_received", source="elsewhere")


def test_source_must_fit_the_forward_track() -> None:
    t = build("not_filed")
    assert "不符" in t.refused("referral_received", source="non_prosecution", opinion=OPINION)
    t.add("referral_received", source="police_non_filing")
    t = build("exempted")
    assert "不符" in t.refused("referral_received", source="court_acquittal")
    t.add("referral_received", source="court_exemption")


def test_fresh_case_accepts_any_source_and_freezes_forward() -> None:
    t = build("fresh")
    t.add("referral_received", source="court_acquittal")
    assert "反向移送" in t.refused("crime_suspected")
    assert "已有反向移送" in t.refused("referral_received", source="court_acquittal")
    t.add("handling_started")
    t.add("no_penalty_decided", reason="已过追责时效")
    t.add("closed")  # no 检察意见: no reply required


def test_referral_refused_mid_transfer() -> None:
    t = fwd.Timeline()
    t.add("crime_suspected")
    t.add("team_formed", members=["a", "b"])
    t.add("transfer_reported")
    assert "正向移送正在进行" in t.refused("referral_received", source="police_non_filing")


def test_penalty_offset_notes_are_checked() -> None:
    t = build("fresh")
    t.add("referral_received", source="police_withdrawal")
    t.add("handling_started")
    assert "非负" in t.refused("penalty_decided", offset={"fine_paid_yuan": -1})
    t.add("penalty_decided", offset={"fine_paid_yuan": 3000, "note": "已缴罚款折抵"})


class ReverseMachine(fwd.WorkflowMachine):
    """The same random walk, started from the end of a forward track, favouring reverse steps."""

    preferred_tracks: ClassVar[frozenset[str] | None] = frozenset({"reverse", "admin"})

    @initialize(prefix=st.sampled_from(sorted(PREFIXES)))
    def start_from(self, prefix: str) -> None:
        t = build(prefix)
        self.events = t.events
        self.at = t.at
        self.tracker = DeadlineTracker()
        for event in self.events:
            self.tracker.add(event)

    @invariant()
    def reverse_consistent(self) -> None:
        state = derive(self.events)
        kinds = [e.kind for e in self.events]
        if state.reverse in ("replied", "replied_interim"):
            assert "reply_sent" in kinds
        if state.reverse == "penalty_decided":
            assert kinds.index("referral_received") < len(kinds) - kinds[::-1].index(
                "penalty_decided"
            )
        if state.closed and state.reply_required:
            assert state.reverse == "replied"
        replies = [d for d in compute_deadlines(self.events) if d.rule_id == "reply_to_opinion"]
        assert len(replies) == (1 if state.reply_required else 0)
        if replies and state.reverse != "replied":
            assert replies[0].met_at is None


ReverseMachine.TestCase.settings = settings(
    max_examples=30,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestReverseStateful = ReverseMachine.TestCase
