"""The reverse referral (反向移送) state machine: APL2021 Art 27, CPL2018 Art 177(3),
R2020 Arts 10 and 13, SPP2024 (domain.md §4 and §10).

A referral arrives with its source; its 检察意见 (for a non-prosecution) states the reply
period. The unit handles the case, decides a penalty (with offset notes) or no penalty, and
replies to the procuratorate; follow-up letters may arrive at any point after receipt.
"""

from __future__ import annotations

from dataclasses import replace

from app.domain.workflow.events import REVERSE_SOURCES, Party, WorkflowEvent
from app.domain.workflow.forward import MID_TRANSFER, PRE_TRANSFER
from app.domain.workflow.forward import NODES as FORWARD_NODES
from app.domain.workflow.state import CaseState, Owed, WorkflowRefused

NODES: dict[str, str] = {
    "none": "无反向移送",
    "received": "已收到反向移送",
    "handling": "办理中",
    "penalty_decided": "已作出行政处罚决定",
    "no_penalty": "决定不予行政处罚",
    "replied_interim": "已向检察院回复进展",
    "replied": "已回复检察院",
}

MOVES: dict[str, tuple[frozenset[str], str | None]] = {
    "referral_received": (frozenset({"none"}), "received"),
    "handling_started": (frozenset({"received"}), "handling"),
    "no_penalty_decided": (frozenset({"handling", "replied_interim"}), "no_penalty"),
    "reply_sent": (
        frozenset({"handling", "penalty_decided", "no_penalty", "replied_interim"}),
        None,  # replied or replied_interim, see apply()
    ),
    "follow_up_received": (
        frozenset(
            {"received", "handling", "penalty_decided", "no_penalty", "replied_interim", "replied"}
        ),
        None,
    ),
}

# Where the forward track must stand for each source when this unit transferred the case.
SOURCE_NEEDS: dict[str, frozenset[str]] = {
    "police_non_filing": frozenset(
        {"not_filed", "reconsideration_decided", "supervision_answered", "explained"}
    ),
    "police_withdrawal": frozenset({"withdrawn"}),
    "non_prosecution": frozenset({"not_prosecuted"}),
    "court_exemption": frozenset({"judged"}),
    "court_acquittal": frozenset({"judged"}),
}
JUDGMENT_FOR_SOURCE = {"court_exemption": "exempted", "court_acquittal": "acquitted"}

OWES: dict[str, Owed] = {
    "received": Owed(Party.SELF, "对反向移送的案件立案办理"),
    "handling": Owed(Party.SELF, "依法作出行政处罚或不予处罚决定"),
    "replied_interim": Owed(Party.SELF, "作出处理决定并回复检察院"),
}


def penalty_is_reverse(state: CaseState) -> bool:
    """Whether a penalty decision now belongs to the reverse referral."""
    return state.reverse in ("received", "handling", "replied_interim")


def guard(state: CaseState, kind: str) -> str | None:
    """Why reverse ``kind`` cannot follow now (structure only), or None."""
    allowed, _ = MOVES[kind]
    if state.reverse not in allowed:
        if kind == "referral_received":
            return "本案已有反向移送"
        if state.reverse == "none":
            return "尚未收到反向移送"
        return f"反向移送当前为“{NODES[state.reverse]}”，不能进行此步骤"
    if kind == "referral_received" and state.forward in MID_TRANSFER:
        return f"正向移送正在进行（{FORWARD_NODES[state.forward]}），不能同时接收反向移送"
    return None


def _source_problem(state: CaseState, source: str) -> str | None:
    if state.forward in PRE_TRANSFER:
        return None  # not transferred by this unit: any source may send it here
    if state.forward not in SOURCE_NEEDS[source]:
        return (
            f"反向移送来源“{REVERSE_SOURCES[source]}”与正向移送进程"
            f"（{FORWARD_NODES[state.forward]}）不符"
        )
    wanted = JUDGMENT_FOR_SOURCE.get(source)
    if wanted and state.judgment_outcome != wanted:
        return f"判决结果与反向移送来源“{REVERSE_SOURCES[source]}”不符"
    return None


def apply(state: CaseState, event: WorkflowEvent) -> CaseState:
    """The state after reverse ``event``; raises WorkflowRefused if it is not allowed."""
    reason = guard(state, event.kind)
    if reason:
        raise WorkflowRefused(event.kind, reason)
    kind, data = event.kind, event.data
    if kind == "referral_received":
        source = str(data["source"])
        problem = _source_problem(state, source)
        if problem:
            raise WorkflowRefused(kind, problem)
        return replace(
            state,
            reverse="received",
            reverse_source=source,
            reply_required=source == "non_prosecution",
        )
    if kind == "reply_sent":
        # An interim reply (before a decision) must say final=false; the deadline engine
        # relies on the same field (rule reply_to_opinion, not_satisfied_if final=false).
        interim = state.reverse in ("handling", "replied_interim")
        if interim and data.get("final") is not False:
            raise WorkflowRefused(kind, "尚未作出处理决定，只能作阶段性回复（注明 final=false）")
        if not interim and data.get("final") is False:
            raise WorkflowRefused(kind, "已作出处理决定，回复即为处理结果，不能注明为阶段性回复")
        return replace(state, reverse="replied_interim" if interim else "replied")
    if kind == "follow_up_received":
        return replace(state, follow_ups=state.follow_ups + 1)
    target = MOVES[kind][1]
    return replace(state, reverse=target or state.reverse)


def apply_penalty(state: CaseState, event: WorkflowEvent) -> CaseState:
    """A penalty decision on the reverse track (offset notes are in the event data)."""
    if state.reverse == "received":
        raise WorkflowRefused(event.kind, "反向移送案件须先立案办理，再作出处罚决定")
    return replace(state, reverse="penalty_decided")


def close_problem(state: CaseState) -> str | None:
    """Why the reverse track forbids closing now (None if it allows it)."""
    if state.reverse == "replied":
        return None
    if state.reverse in ("penalty_decided", "no_penalty") and not state.reply_required:
        return None
    if state.reply_required:
        return "检察意见尚未回复，不能结案"
    return f"反向移送当前为“{NODES[state.reverse]}”，尚不能结案"


def owes(state: CaseState) -> list[Owed]:
    """What is owed next on the reverse track."""
    owed = OWES.get(state.reverse)
    if state.reverse in ("penalty_decided", "no_penalty"):
        suffix = "" if state.reply_required else "（如需）"
        owed = Owed(Party.SELF, "将处理结果回复检察院" + suffix)
    return [owed] if owed else []
